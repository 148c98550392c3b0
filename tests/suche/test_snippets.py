"""Snippets: a window around the first match, escaped, each matching word in <mark> — the same
for every hit of a query whether or not the Highlighter has seen their words before."""

from __future__ import annotations

from html import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from amtsfluss.core.folding import fold
from amtsfluss.suche.query import parse
from amtsfluss.suche.snippets import Highlighter, snippet
from amtsfluss.suche.text import WORD, terms


def reference(text: str, query: str, width: int) -> str:
    """The definition, word by word: a word matches when one of its index terms is one of the
    query's, or it starts with one of its prefixes."""
    parsed = parse(query)
    wanted = {t for w in parsed.words for t in terms(w)}
    wanted |= {t for phrase in parsed.phrases for w in phrase for t in terms(w)}
    spans: list[tuple[int, int]] = []
    for match in WORD.finditer(text):
        folded = fold(match[0]).lower()
        if folded.startswith(parsed.prefixes or ("\0",)) or wanted & set(terms(folded)):
            spans.append(match.span())
        if spans and match.start() > spans[0][0] + width:
            break
    start = max(0, spans[0][0] - width // 4) if spans else 0
    while 0 < start < len(text) and not text[start - 1].isspace():
        start += 1
    end = min(len(text), start + width)
    out, cursor = ["…" if start > 0 else ""], start
    for begin, finish in spans:
        if start <= begin and finish <= end:
            out += [escape(text[cursor:begin]), "<mark>", escape(text[begin:finish]), "</mark>"]
            cursor = finish
    return "".join([*out, escape(text[cursor:end]), "…" if end < len(text) else ""]).strip()


WORDS = ["Bauantrag", "Bauanträge", "Straße", "STRASSE", "der", "<b>", "&", "Gebühr", "x_y"]
SEPARATORS = [" ", "\n", ", ", "-", "(", "", ") "]
TEXTS = st.lists(
    st.tuples(st.sampled_from(WORDS) | st.text(max_size=8), st.sampled_from(SEPARATORS)),
    max_size=60,
).map(lambda parts: "".join(word + sep for word, sep in parts))
QUERIES = st.sampled_from(["Bauantrag", "Straße der", '"Bauanträge Straße"', "Geb*", "x", "der"])


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(TEXTS, min_size=1, max_size=4), query=QUERIES, width=st.integers(0, 80))
def test_each_hit_gets_the_snippet_the_definition_gives(
    texts: list[str], query: str, width: int
) -> None:
    highlighter = Highlighter(parse(query), width=width)  # shared by the hits, as in search()
    for text in texts:
        assert highlighter.snippet(text) == reference(text, query, width)


def test_window_marks_and_escapes() -> None:
    text = "Vorab. " * 20 + "Die <Bauanträge> & Straße sind da. " + "Danach. " * 40
    shown = snippet(text, parse("bauantrag strasse"), width=60)
    assert shown.startswith("…") and shown.endswith("…")
    assert "&lt;<mark>Bauanträge</mark>&gt; &amp; <mark>Straße</mark>" in shown
    assert len(shown) < 120
    assert snippet("Nichts <hier>", parse("Bauantrag")) == "Nichts &lt;hier&gt;"

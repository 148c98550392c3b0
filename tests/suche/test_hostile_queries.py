"""Whatever is typed is plain words or a clear error — never engine syntax, never a crash."""

from __future__ import annotations

import pytest

from amtsfluss.core.permissions import Principal
from amtsfluss.suche.query import MAX_QUERY_CHARS, QueryError, parse
from amtsfluss.suche.selectors import search
from tests.suche.conftest import Corpus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

#: each hostile text, and the plain words it must be searched as (the same hits exactly);
#: None: it finds nothing
HOSTILE = [
    ('"unbalanced quote Straße', "unbalanced quote Straße"),
    ('""', ""),
    ("*", ""),
    ("**", ""),
    ("a*", None),  # a prefix of one letter is too short to search
    ("titel:Straße", "titel Straße"),
    ("keys:oe:1", "keys oe 1"),
    ("Straße AND OR NOT", "Straße and or not"),
    ("NOT Straße", "not Straße"),
    ("(Straße) [x] {y} ^2 ~1 +a -b \\ / ' ; --", "Straße x y 2 1 a b"),
    ("Straße' OR '1'='1", "Straße or 1 1"),
    ("' ; DROP TABLE suche_eintrag; --", "drop table suche eintrag"),
    ("\x00\x01 Straße", "Straße"),
    ('"unbalanced" "quote', "unbalanced quote"),
    ("🙂 Straße", "Straße"),
    (":*", ""),
    ("a:* & b", "a b"),
    ("der die das", None),  # only stop words: nothing, not everything
]


def _found(corpus: Corpus, text: str) -> tuple[set[int], int]:
    result = search(principal=Principal.for_user(corpus.akten.w.clerk), query=text)
    return {hit.dokument_id for hit in result.hits}, result.total


@pytest.mark.parametrize(("text", "plain"), HOSTILE)
def test_hostile_text_is_searched_as_plain_words(
    corpus: Corpus, text: str, plain: str | None
) -> None:
    hits, total = _found(corpus, text)
    assert (hits, total) == (_found(corpus, plain) if plain is not None else (set(), 0))
    assert total == len(hits)  # the corpus is smaller than a page
    if plain == "Straße":  # the rest is punctuation
        assert hits == {corpus.strasse.pk}


def test_field_syntax_does_not_reach_the_engine(corpus: Corpus) -> None:
    clerk = Principal.for_user(corpus.akten.w.clerk)
    # "keys:oe:…" would widen the permission if it were engine syntax; here it is three words
    assert search(principal=clerk, query=f"keys:oe:{corpus.akten.w.units['32.2'].pk}").hits == []


def test_a_very_long_query_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match="too long"):
        parse("Antrag " * 1500)
    with pytest.raises(QueryError, match="too many words"):
        parse(" ".join(["Wort"] * 40))
    # at the limit it is searched; a "word" longer than any index term finds nothing
    assert parse("x" * MAX_QUERY_CHARS).matches_nothing


def test_star_alone_and_stop_words() -> None:
    assert parse("*").match_all
    stop_words = parse("der die das")
    assert stop_words.matches_nothing and not stop_words.match_all
    assert parse('"Antrag der Firma"').phrases == (("antrag", "der", "firma"),)
    assert parse("Bauan*").prefixes == ("bauan",)

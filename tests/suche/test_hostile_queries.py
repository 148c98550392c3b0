"""Whatever is typed is plain words or a clear error — never engine syntax, never a crash."""

from __future__ import annotations

import pytest

from amtsfluss.core.permissions import Principal
from amtsfluss.suche.query import MAX_QUERY_CHARS, QueryError, parse
from amtsfluss.suche.selectors import search
from tests.suche.conftest import Corpus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HOSTILE = [
    '"unbalanced quote Straße',
    '""',
    "*",
    "**",
    "a*",
    "titel:Straße",
    "keys:oe:1",
    "Straße AND OR NOT",
    "NOT Straße",
    "(Straße) [x] {y} ^2 ~1 +a -b \\ / ' ; --",
    "Straße' OR '1'='1",
    "' ; DROP TABLE suche_eintrag; --",
    "\x00\x01 Straße",
    '"unbalanced" "quote',
    "🙂 Straße",
    ":*",
    "a:* & b",
    "der die das",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_searched_as_plain_words(corpus: Corpus, text: str) -> None:
    result = search(principal=Principal.for_user(corpus.akten.w.clerk), query=text)
    assert result.total >= len(result.hits)
    if text in ("🙂 Straße", "\x00\x01 Straße", "(Straße) [x]"):  # the rest is punctuation
        assert {h.dokument_id for h in result.hits} == {corpus.strasse.pk}


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

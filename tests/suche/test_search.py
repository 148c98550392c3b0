"""Search features, identical on both backends (each test runs once per backend)."""

from __future__ import annotations

from datetime import date

import pytest

from amtsfluss.akte.models import AktenStatus, Dokumenttyp
from amtsfluss.core.models import User
from amtsfluss.core.permissions import Principal
from amtsfluss.suche.backends.base import Filters, Order
from amtsfluss.suche.selectors import SearchResult, search
from tests.suche.conftest import Corpus, add_dokument

pytestmark = pytest.mark.django_db


def found(user: User, query: str, **kwargs: object) -> set[int]:
    return {hit.dokument_id for hit in run(user, query, **kwargs).hits}


def run(user: User, query: str, **kwargs: object) -> SearchResult:
    return search(principal=Principal.for_user(user), query=query, **kwargs)  # type: ignore[arg-type]


def test_stemming_finds_inflected_forms_and_folds_umlauts(corpus: Corpus) -> None:
    clerk = corpus.akten.w.clerk
    assert found(clerk, "Bauantrag") == {corpus.bauantrag.pk}  # Bauanträge
    assert found(clerk, "bauantrage") == {corpus.bauantrag.pk}
    assert found(clerk, "Strasse") == {corpus.strasse.pk}  # Straße
    assert found(clerk, "STRAẞE") == {corpus.strasse.pk}
    named = {corpus.vertraulich.pk, corpus.streng.pk}  # clerk formed them: named on them
    assert found(clerk, "Gebaude") == {corpus.bauantrag.pk} | named  # Gebäude
    assert found(clerk, "Musterstrasse") == {corpus.bauantrag.pk}  # words in the title count


def test_all_words_must_match(corpus: Corpus) -> None:
    clerk = corpus.akten.w.clerk
    assert found(clerk, "Straße gesperrt") == {corpus.strasse.pk}
    assert found(clerk, "Straße Bauantrag") == set()


def test_phrase_needs_the_words_in_order(corpus: Corpus) -> None:
    clerk = corpus.akten.w.clerk
    assert found(clerk, '"Antrag der Firma"') == {corpus.phrase.pk}
    assert found(clerk, '"Firma der Antrag"') == set()
    head = corpus.akten.w.head  # sees 32.2 as well: "Antrag … Firma" there is no phrase
    assert found(head, '"Antrag der Firma"') == {corpus.phrase.pk}
    assert corpus.verkehr.pk in found(head, "Antrag Firma")


def test_prefix_matches_the_start_of_words(corpus: Corpus) -> None:
    clerk = corpus.akten.w.clerk
    assert found(clerk, "Bauan*") == {corpus.bauantrag.pk}
    assert found(clerk, "sperr*") == {corpus.strasse.pk}  # gesperrt no, Sperrung yes


def test_permission_is_part_of_the_query(corpus: Corpus) -> None:
    w = corpus.akten.w
    everything = {
        corpus.bauantrag.pk,
        corpus.vertraulich.pk,
        corpus.streng.pk,
        corpus.verkehr.pk,
    }
    assert found(w.clerk, "Gebäude") == everything - {corpus.verkehr.pk}
    assert found(w.other_clerk, "Gebäude") == {corpus.verkehr.pk}
    # Amtsleitung: offen below it and vertraulich, never streng vertraulich
    assert found(w.head, "Gebäude") == everything - {corpus.streng.pk}
    assert found(w.dsb, "Gebäude") == set()
    assert found(w.admin, "") == set()


def test_never_another_mandants_documents(corpus: Corpus) -> None:
    w = corpus.akten.w
    assert found(w.b_clerk, "Gebäude") == {corpus.mandant_b.pk}
    assert found(w.b_clerk, "") == {corpus.mandant_b.pk}
    assert corpus.mandant_b.pk not in found(w.head, "Gebäude")
    assert corpus.mandant_b.pk not in found(w.clerk, "")


def test_filters(corpus: Corpus) -> None:
    w = corpus.akten.w
    units = corpus.akten.w.units
    assert found(w.head, "Gebäude", filters=Filters(unit_ids=(units["32.2"].pk,))) == {
        corpus.verkehr.pk
    }
    subtree = found(w.head, "", filters=Filters(position="10.38"))
    assert {corpus.bauantrag.pk, corpus.verkehr.pk} <= subtree
    assert found(w.head, "", filters=Filters(position="10.38.60")) == {corpus.verkehr.pk}
    assert found(w.head, "", filters=Filters(position="10.3")) == set()  # not a string prefix
    in_2025 = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    assert found(w.head, "", filters=in_2025) == {corpus.bauantrag.pk}
    antraege = Filters(dokumenttypen=(Dokumenttyp.ANTRAG,))
    assert found(w.head, "", filters=antraege) == {corpus.bauantrag.pk, corpus.verkehr.pk}
    assert found(w.head, "", filters=Filters(akte_status=AktenStatus.ZDA)) == set()
    assert corpus.verkehr.pk in found(w.head, "", filters=Filters(akte_status=AktenStatus.OFFEN))


def test_facets_count_all_matches(corpus: Corpus) -> None:
    w = corpus.akten.w
    result = run(w.head, "Gebäude", per_page=1)
    assert result.total == 3 and len(result.hits) == 1
    units = w.units
    assert result.facets["unit"] == {str(units["32.1"].pk): 2, str(units["32.2"].pk): 1}
    assert result.facets["dokumenttyp"] == {"antrag": 2, "schreiben": 1}
    assert result.facets["year"] == {"2024": 1, "2025": 1, "2026": 1}


def test_order_by_date_and_paging(corpus: Corpus) -> None:
    head = corpus.akten.w.head
    pages = [run(head, "Antrag", order=Order.DATE, page=n, per_page=1) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [2, 2, 2]
    assert [h.dokument_id for p in pages for h in p.hits] == [
        corpus.phrase.pk,  # 2026-02-01
        corpus.verkehr.pk,  # 2024-07-07
    ]
    assert all(h.score is None for p in pages for h in p.hits)


def test_relevance_ranks_more_matches_first(corpus: Corpus) -> None:
    a = corpus.akten
    many = add_dokument(a.offen_32_1, "Zaun", "Zaun Zaun Zaun am Zaun, Zaunbau")
    few = add_dokument(a.offen_32_1, "Garten", "Ein langer Text über den Garten und einen Zaun")
    from amtsfluss.suche.indexing import process_pending

    process_pending(a.w.a)
    hits = run(a.w.clerk, "Zaun").hits
    assert [h.dokument_id for h in hits] == [many.pk, few.pk]
    assert hits[0].score is not None and hits[1].score is not None
    assert hits[0].score > hits[1].score > 0


def test_hit_carries_aktenzeichen_and_an_escaped_highlighted_snippet(corpus: Corpus) -> None:
    (hit,) = run(corpus.akten.w.clerk, "Straße").hits
    assert hit.aktenzeichen == corpus.akten.offen_32_1.aktenzeichen
    assert hit.titel == "Sondernutzung"
    assert "<mark>Straße</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    (prefixed,) = run(corpus.akten.w.clerk, "Bauan*").hits
    assert "<mark>Bauanträge</mark>" in prefixed.snippet


def test_a_dokument_without_text_is_found_by_its_title(corpus: Corpus) -> None:
    a = corpus.akten
    bare = add_dokument(a.offen_32_1, "Lageplan Flurstück 12", None)
    from amtsfluss.suche.indexing import process_pending

    process_pending(a.w.a)
    assert found(a.w.clerk, "Flurstück") == {bare.pk}


def test_date_filters_include_their_bounds_and_an_open_end_reaches_any_date(
    corpus: Corpus,
) -> None:
    a = corpus.akten
    from amtsfluss.suche.indexing import process_pending

    earliest = add_dokument(a.offen_32_1, "Urkunde", "Erbbaurecht", datum=date(1, 1, 1))
    latest = add_dokument(a.offen_32_1, "Platzhalter", "Erbbaurecht", datum=date(9999, 12, 31))
    process_pending(a.w.a)
    both = {earliest.pk, latest.pk}
    assert found(a.w.clerk, "Erbbaurecht", filters=Filters(date_from=date(2000, 1, 1))) == {
        latest.pk
    }
    assert found(a.w.clerk, "Erbbaurecht", filters=Filters(date_to=date(2000, 1, 1))) == {
        earliest.pk
    }
    exactly = Filters(date_from=date(9999, 12, 31), date_to=date(9999, 12, 31))
    assert found(a.w.clerk, "Erbbaurecht", filters=exactly) == {latest.pk}
    first_day = Filters(date_from=date(1, 1, 1), date_to=date(1, 1, 1))
    assert found(a.w.clerk, "Erbbaurecht", filters=first_day) == {earliest.pk}
    assert found(a.w.clerk, "Erbbaurecht") == both


def test_addresses_and_file_numbers_are_found_by_their_parts(corpus: Corpus) -> None:
    a = corpus.akten
    from amtsfluss.suche.indexing import process_pending

    letter = add_dokument(
        a.offen_32_1,
        "Anhörung",
        "Absender max.mustermann@example.de, siehe www.musterstadt.de, "
        "Ihr Zeichen 61.2-1234/2026, Fassung 2.5",
    )
    process_pending(a.w.a)
    for query in ("mustermann", "musterstadt", "61.2-1234/2026", "1234", '"2 5"'):
        assert found(a.w.clerk, query) == {letter.pk}, query


def test_a_phrase_does_not_run_from_the_title_into_the_text(corpus: Corpus) -> None:
    w = corpus.akten.w
    # title "Sondernutzung", text "Die Straße vor dem Haus …"
    assert found(w.clerk, '"Straße vor dem Haus"') == {corpus.strasse.pk}
    assert found(w.clerk, '"Sondernutzung Straße"') == set()
    assert found(w.clerk, '"Sondernutzung die Straße"') == set()
    assert found(w.clerk, '"Sondernutzung und die Straße"') == set()
    assert found(w.clerk, '"Sondernutzung ' + "und " * 29 + 'die Straße"') == set()  # 32 words

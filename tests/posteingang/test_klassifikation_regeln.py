"""The rules of the suggestion, through the real pipeline: an Aktenzeichen in the text routes to
that Akte (and its only open Vorgang) of the same Mandant only; a Kassenzeichen and a sender
seen in earlier decided post route to that Akte; hostile text costs nothing and breaks nothing."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amtsfluss.akte.aktenzeichen import AktenzeichenTeile, render
from amtsfluss.akte.models import Akte, VorgangStatus
from amtsfluss.akte.models.aktenzeichen import DEFAULT_PATTERN
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.permissions import Principal
from amtsfluss.posteingang.klassifikation import regeln
from amtsfluss.posteingang.models import EingangStatus, PosteingangEinstellung, Vorschlag
from amtsfluss.posteingang.services.klassifikation import suggest
from amtsfluss.posteingang.services.vorschlag import check_vorschlag_correct
from tests.posteingang.conftest import Post
from tests.posteingang.klassifikation_helpers import (
    akte,
    aktenplan,
    receive_letter,
    vorschlag_of,
)

pytestmark = pytest.mark.django_db

_CODES = st.from_regex(r"[0-9A-Z]{1,3}(\.[0-9]{1,2}){0,2}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(
    oe=_CODES,
    kennzeichen=st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,2}){0,3}", fullmatch=True),
    jahr=st.integers(1990, 2099),
    nr=st.integers(1, 99_999),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    pattern=st.sampled_from(
        [DEFAULT_PATTERN, "{kennzeichen}-{oe}-{jahr}/{nr}", "AZ {oe} {kennzeichen} {nr:05}"]
    ),
)
def test_a_rendered_aktenzeichen_is_found_in_any_text(
    oe: str, kennzeichen: str, jahr: int, nr: int, before: str, after: str, pattern: str
) -> None:
    aktenzeichen = render(pattern, AktenzeichenTeile(oe, kennzeichen, jahr), nr)
    text = f"{before} Ihr Zeichen: {aktenzeichen} {after}"
    assert aktenzeichen in regeln.find_aktenzeichen(text, pattern)


def test_nothing_is_found_where_there_is_none() -> None:
    assert regeln.find_aktenzeichen("Sehr geehrte Damen und Herren, 12/2024", DEFAULT_PATTERN) == []
    assert regeln.find_kassenzeichen("keine Nummer", r"Kassenzeichen (\d+)") == ""
    assert regeln.find_kassenzeichen("Kassenzeichen 123456", "(unbalanced") == ""  # bad pattern
    # a configured pattern whose group 1 did not take part: the whole match
    assert regeln.find_kassenzeichen("Kassenzeichen 1", r"Kassenzeichen \d|(\d{9})") == (
        "Kassenzeichen1"
    )
    assert (
        regeln.sender_address({"from": "Erika Muster <Erika@Example.org>"}) == "erika@example.org"
    )
    assert regeln.sender_address({"from": ["not", "a", "string"]}) == ""


def test_an_aktenzeichen_in_the_text_routes_to_that_akte_and_its_only_open_vorgang(
    post: Post,
) -> None:
    plan = aktenplan(post)
    w = post.w
    target = akte(w.clerk, plan.positions["32.1"], "Gaststätte Zum Anker")
    principal = Principal(user=w.clerk, mandant=w.a)
    vorgang = vorgang_create(principal=principal, akte=target, betreff="Erlaubnis")
    eingang = receive_letter(
        post, f"Sehr geehrte Damen und Herren,\nIhr Zeichen: {target.aktenzeichen}\nAnbei ..."
    )
    assert eingang.status == EingangStatus.BEREIT, eingang.grund
    vorschlag = vorschlag_of(eingang)
    assert vorschlag.akte == target and vorschlag.vorgang == vorgang
    assert vorschlag.aktenplanposition_id == plan.positions["32.1"].pk
    assert vorschlag.unit_id == target.federfuehrende_oe_id
    assert vorschlag.details["akte"] == {"quelle": "aktenzeichen", "konfidenz": 1.0}
    # with two open Vorgänge the Akte is suggested, not a Vorgang
    vorgang_create(principal=principal, akte=target, betreff="Sperrzeit")
    again = vorschlag_of(receive_letter(post, f"Az. {target.aktenzeichen}"))
    assert again.akte == target and again.vorgang is None
    # an erledigt Vorgang does not count
    vorgang.status = VorgangStatus.ERLEDIGT
    vorgang.save()


def test_an_aktenzeichen_of_another_mandant_is_not_suggested(post: Post) -> None:
    plan = aktenplan(post)
    w = post.w
    own = akte(w.clerk, plan.positions["32.2"], "Wochenmarkt")
    # the other Mandant has an Akte with exactly this Aktenzeichen
    Akte.objects.create(
        mandant=w.b,
        position=plan.positions["32.2"],  # the row's position does not matter for the lookup
        aktenzeichen="ZZ-9.9/0001/2020",
        laufnummer=1,
        jahr=2020,
        titel="fremd",
        federfuehrende_oe=w.b_units["32"],
        created_by=w.b_clerk,
    )
    found = suggest(mandant=w.a, text="Ihr Zeichen: ZZ-9.9/0001/2020")
    assert found.akte is None and "akte" not in found.details
    assert suggest(mandant=w.a, text=f"Az: {own.aktenzeichen}").akte == own
    assert suggest(mandant=w.b, text=f"Az: {own.aktenzeichen}").akte is None


def test_a_sendung_with_a_target_gets_no_suggestion_but_routes_its_sender_later(
    post: Post,
) -> None:
    plan = aktenplan(post)
    w = post.w
    target = akte(w.clerk, plan.positions["32.3"], "Außengastronomie Café")
    mail = {"from": "Café Rathausblick <Info@Rathausblick.example>"}
    for _n in range(2):
        eingang = receive_letter(post, "Guten Tag, anbei", ziel_akte=target, provenance=mail)
        assert eingang.dokument.vorgang.akte == target  # type: ignore[union-attr]
        vorschlag = vorschlag_of(eingang)
        assert vorschlag.status == "ziel" and vorschlag.absender == "info@rathausblick.example"
    later = vorschlag_of(receive_letter(post, "Noch eine Frage", provenance=mail))
    assert later.akte == target and later.details["akte"]["quelle"] == "absender"
    # an unknown sender gets no Akte
    stranger = receive_letter(post, "Hallo", provenance={"from": "x@unbekannt.example"})
    assert Vorschlag.objects.filter(eingang=stranger, akte__isnull=False).count() == 0


def test_a_kassenzeichen_decided_once_routes_the_next_letter(post: Post, english: None) -> None:
    plan = aktenplan(post)
    w = post.w
    target = akte(w.clerk, plan.positions["32.2"], "Standgebühren")
    PosteingangEinstellung.objects.filter(mandant=w.a).update(
        kassenzeichen_muster=r"KZ[:\s]*([0-9]{4}\.[0-9]{4})"
    )
    first = receive_letter(post, "Zahlung zum KZ: 5100.2077 erfolgt")
    assert vorschlag_of(first).kassenzeichen == "5100.2077"
    check_vorschlag_correct(
        principal=Principal(user=w.clerk, mandant=w.a),
        eingang=first,
        aktenzeichen=target.aktenzeichen,
        dokumenttyp="schreiben",
    )
    second = vorschlag_of(receive_letter(post, "Mahnung KZ 5100.2077"))
    assert second.akte == target and second.details["akte"]["quelle"] == "kassenzeichen"


def test_hostile_text_is_bounded_and_harmless(post: Post) -> None:
    plan = aktenplan(post)
    w = post.w
    target = akte(w.clerk, plan.positions["32.1"], "Gaststätte")
    chance = random.Random(7)
    binary = bytes(chance.randrange(256) for _n in range(200_000)).decode("latin-1")
    near_misses = "32.1-32.1/0001/2024x " * 200_000  # 4 MB of almost-Aktenzeichen
    huge = "Kassenzeichen " + "9" * 5_000_000
    for text in (binary, near_misses, huge, "\x00" * 100_000, ""):
        found = suggest(mandant=w.a, text=text)
        assert found.akte is None and found.kassenzeichen == ""
    # the rules read a bounded start of the text: an Aktenzeichen beyond it is not looked for
    far = "x " * regeln.MAX_CHARS + target.aktenzeichen
    assert suggest(mandant=w.a, text=far).akte is None
    assert suggest(mandant=w.a, text=far[-1000:]).akte == target
    # a huge received letter runs through the pipeline like any other
    letter = ("Sehr geehrte Damen und Herren, " * 100_000) + target.aktenzeichen
    eingang = receive_letter(post, letter)
    assert eingang.status == EingangStatus.BEREIT, eingang.grund
    assert not Vorschlag.objects.filter(eingang=eingang, akte__isnull=False).exists()


def test_a_kassenzeichen_of_the_cash_office_routes_to_its_forderung_s_vorgang(
    post: Post, english: None
) -> None:
    from decimal import Decimal

    from amtsfluss.kasse.services.empfaenger import empfaenger_set
    from amtsfluss.kasse.services.forderung import forderung_create

    plan = aktenplan(post)
    w = post.w
    target = akte(w.clerk, plan.positions["32.2"], "Standgebühren")
    principal = Principal(user=w.clerk, mandant=w.a)
    vorgang = vorgang_create(principal=principal, akte=target, betreff="Gebühr Marktstand")
    vorgang_create(principal=principal, akte=target, betreff="ein zweiter Vorgang")
    empfaenger_set(mandant=w.a, name="Stadtkasse A", iban="DE89370400440532013000", praefix="KZ")
    forderung, _token = forderung_create(
        mandant=w.a, betrag=Decimal("25.00"), zweck="Standgebühr", vorgang=vorgang
    )
    spaced = forderung.kassenzeichen.replace("-", " ").lower()  # as people write it
    found = vorschlag_of(receive_letter(post, f"Widerspruch zum Kassenzeichen {spaced}"))
    assert (found.akte, found.vorgang) == (target, vorgang)
    assert found.kassenzeichen == forderung.kassenzeichen
    assert found.details["akte"] == {"quelle": "kassenzeichen", "konfidenz": 1.0}
    # a wrong check digit is no Kassenzeichen; the other Mandant's post never finds it
    wrong = forderung.kassenzeichen[:-1] + str((int(forderung.kassenzeichen[-1]) + 1) % 10)
    assert suggest(mandant=w.a, text=f"Kassenzeichen {wrong}").vorgang is None
    assert suggest(mandant=w.b, text=f"Kassenzeichen {forderung.kassenzeichen}").akte is None

"""Approval: sachlich → rechnerisch richtig → Anordnung, four eyes on the real human, rejection."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from amtsfluss.akte.models import Dokument, Dokumentversion, VorgangStatus
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import AuditEvent, Role
from amtsfluss.core.services.organisation import membership_grant
from amtsfluss.core.services.vertretung import check_vertretung_create
from amtsfluss.rechnung.models import Entscheidung, Pruefschritt, Rechnung, RechnungStatus
from amtsfluss.rechnung.selectors.rechnungen import rechnung_detail
from amtsfluss.rechnung.services.einstellungen import anordnungsbefugnis_grant
from amtsfluss.rechnung.services.freigabe import (
    rechnung_anordnen,
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
    rechnung_zurueckweisen,
)
from tests.rechnung.rechnung_world import (  # noqa: F401 — fixture
    RechnungWorld,
    as_,
    invoice,
    rechnung_world,
)


def _received(rw: RechnungWorld, **kwargs: object) -> Rechnung:
    return rw.receive(invoice(**kwargs))  # type: ignore[arg-type]


def test_three_different_people_approve(rw: RechnungWorld) -> None:
    w = rw.w
    r = _received(rw)
    r = rechnung_sachlich_richtig(principal=as_(w.clerk), rechnung=r, bemerkung="geliefert")
    assert r.status == RechnungStatus.SACHLICH_RICHTIG
    r = rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r)
    assert r.status == RechnungStatus.RECHNERISCH_RICHTIG
    r = rechnung_anordnen(principal=as_(w.head), rechnung=r)
    assert r.status == RechnungStatus.ANGEORDNET
    steps = list(Pruefschritt.objects.filter(rechnung=r).values_list("schritt", "user__username"))
    assert steps == [
        ("sachlich_richtig", "clerk"),
        ("rechnerisch_richtig", "pruefer"),
        ("anordnung", "head"),
    ]
    assert Pruefschritt.objects.get(rechnung=r, schritt="anordnung").befugnis == rw.befugnis
    # the approval trail is filed in the invoice's Vorgang
    r.refresh_from_db()
    assert r.freigabe_dokument is not None and r.freigabe_dokument.vorgang == r.vorgang
    version = Dokumentversion.objects.get(dokument=r.freigabe_dokument)
    assert version.media_type == "application/json"
    actions = set(
        AuditEvent.objects.filter(object_type="rechnung.rechnung", object_id=str(r.pk))
        .values_list("action", flat=True)
    )  # fmt: skip
    assert {"rechnung.receive", "rechnung.sachlich_richtig", "rechnung.anordnung"} <= actions


def test_the_same_person_cannot_confirm_two_steps(rw: RechnungWorld) -> None:
    w = rw.w
    r = _received(rw)
    rechnung_sachlich_richtig(principal=as_(w.clerk), rechnung=r)
    with pytest.raises(PermissionDenied, match="Four-eyes"):
        rechnung_rechnerisch_richtig(principal=as_(w.clerk), rechnung=r)
    rechnung_rechnerisch_richtig(principal=as_(rw.clerk2), rechnung=r)  # a colleague may
    anordnungsbefugnis_grant(
        principal=as_(w.admin), user=rw.clerk2, unit=rw.units["32.1"],
        betragsgrenze=Decimal("1000"),
    )  # fmt: skip
    with pytest.raises(PermissionDenied, match="Four-eyes"):
        rechnung_anordnen(principal=as_(rw.clerk2), rechnung=r)
    assert Rechnung.objects.get(pk=r.pk).status == RechnungStatus.RECHNERISCH_RICHTIG


def test_a_deputy_cannot_sign_a_second_step_through_the_absent_persons_rights(
    rw: RechnungWorld,
) -> None:
    """head deputises for the pruefer: head may confirm rechnerisch richtig with the
    pruefer's rights — but not after confirming sachlich richtig as a member of 32."""
    w = rw.w
    now = timezone.now()
    check_vertretung_create(
        principal=as_(w.admin), vertretene_person=rw.pruefer, vertretung=w.head,
        valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=1),
    )  # fmt: skip
    r = _received(rw)
    rechnung_sachlich_richtig(principal=as_(w.head), rechnung=r)
    with pytest.raises(PermissionDenied, match="Four-eyes"):
        rechnung_rechnerisch_richtig(principal=as_(w.head), rechnung=r)
    # and the absent person's own Befugnis does not help either
    anordnungsbefugnis_grant(
        principal=as_(w.admin), user=rw.pruefer, unit=rw.units["I"], betragsgrenze=Decimal("9999")
    )
    rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r)
    with pytest.raises(PermissionDenied, match="Four-eyes"):
        rechnung_anordnen(principal=as_(w.head), rechnung=r)


def test_a_deputy_may_use_the_absent_persons_anordnungsbefugnis(rw: RechnungWorld) -> None:
    w = rw.w
    now = timezone.now()
    check_vertretung_create(
        principal=as_(w.admin), vertretene_person=w.head, vertretung=w.other_clerk,
        valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=1),
    )  # fmt: skip
    r = _received(rw)
    rechnung_sachlich_richtig(principal=as_(w.clerk), rechnung=r)
    rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r)
    r = rechnung_anordnen(principal=as_(w.other_clerk), rechnung=r)
    step = Pruefschritt.objects.get(rechnung=r, schritt="anordnung")
    assert step.user == w.other_clerk  # the real human signs
    assert step.befugnis == rw.befugnis  # with head's Befugnis


def test_step_rights(rw: RechnungWorld) -> None:
    w = rw.w
    r = _received(rw)
    for outsider in (w.other_clerk, rw.pruefer, rw.kasse, w.admin):
        with pytest.raises(PermissionDenied, match="sachlich richtig"):
            rechnung_sachlich_richtig(principal=as_(outsider), rechnung=r)
    rechnung_sachlich_richtig(principal=as_(w.clerk), rechnung=r)
    with pytest.raises(PermissionDenied, match="rechnerisch richtig"):
        rechnung_rechnerisch_richtig(principal=as_(w.other_clerk), rechnung=r)
    rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r)
    with pytest.raises(PermissionDenied, match="Anordnungsbefugnis"):
        rechnung_anordnen(principal=as_(rw.kasse), rechnung=r)


def test_anordnungsbefugnis_limit_scope_and_validity(rw: RechnungWorld) -> None:
    w = rw.w
    expensive = _received(rw, quantity="100", price="50")  # 5 950.00 € > 5 000 €
    other_unit = _received(rw, number="R-32-2", leitweg="04011000-22222-07")
    membership_grant(user=rw.clerk2, unit=rw.units["32.2"], role=Role.SACHBEARBEITUNG, by=None)
    for r, first in ((expensive, w.clerk), (other_unit, w.other_clerk)):
        rechnung_sachlich_richtig(principal=as_(first), rechnung=r)
        rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r)
    small = anordnungsbefugnis_grant(
        principal=as_(w.admin), user=rw.kasse, unit=rw.units["32.1"], betragsgrenze=Decimal("100"),
    )  # fmt: skip
    with pytest.raises(PermissionDenied, match="Anordnungsbefugnis"):
        rechnung_anordnen(principal=as_(w.head), rechnung=expensive)  # over the limit
    with pytest.raises(PermissionDenied, match="Anordnungsbefugnis"):
        rechnung_anordnen(principal=as_(rw.kasse), rechnung=other_unit)  # 32.1 ≠ 32.2
    small.valid_until = timezone.now() - timedelta(seconds=1)
    small.betragsgrenze = Decimal("1000000")
    small.save()
    with pytest.raises(PermissionDenied, match="Anordnungsbefugnis"):
        rechnung_anordnen(principal=as_(rw.kasse), rechnung=expensive)  # expired
    assert rechnung_anordnen(principal=as_(w.head), rechnung=other_unit).status == "angeordnet"


def test_out_of_order_step_is_a_conflict(rw: RechnungWorld) -> None:
    r = _received(rw)
    with pytest.raises(ServiceError, match="already been decided") as caught:
        rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r)
    assert caught.value.code == "conflict"


@pytest.mark.django_db(transaction=True)
def test_rejection_records_reason_closes_vorgang_and_mails_the_seller(rw: RechnungWorld) -> None:
    w = rw.w
    r = _received(rw)
    rechnung_sachlich_richtig(principal=as_(w.clerk), rechnung=r)
    with pytest.raises(ServiceError, match="reason"):
        rechnung_zurueckweisen(principal=as_(rw.pruefer), rechnung=r, begruendung="  ")
    r = rechnung_zurueckweisen(
        principal=as_(rw.pruefer), rechnung=r, begruendung="Menge weicht vom Lieferschein ab"
    )
    assert r.status == RechnungStatus.ZURUECKGEWIESEN
    step = Pruefschritt.objects.get(rechnung=r, entscheidung=Entscheidung.ZURUECKGEWIESEN)
    assert (step.schritt, step.user, step.begruendung) == (
        "rechnerisch_richtig", rw.pruefer, "Menge weicht vom Lieferschein ab",
    )  # fmt: skip
    assert r.vorgang is not None
    r.vorgang.refresh_from_db()
    assert r.vorgang.status == VorgangStatus.ERLEDIGT
    assert Dokument.objects.filter(vorgang=r.vorgang, titel="Freigabeprotokoll").exists()
    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    assert [m.to for m in mail.outbox] == [["rechnung@feder-tinte.example"]]
    assert "Menge weicht vom Lieferschein ab" in mail.outbox[0].body
    assert r.eingangsnummer in mail.outbox[0].body
    with pytest.raises(ServiceError, match="already been decided"):
        rechnung_anordnen(principal=as_(w.head), rechnung=r)


def test_rejection_needs_the_right_for_the_open_step(rw: RechnungWorld) -> None:
    r = _received(rw)
    with pytest.raises(PermissionDenied):
        rechnung_zurueckweisen(principal=as_(rw.w.other_clerk), rechnung=r, begruendung="nein")
    assert Rechnung.objects.get(pk=r.pk).status == RechnungStatus.EINGEGANGEN


def test_detail_tells_what_the_person_may_do(rw: RechnungWorld) -> None:
    w = rw.w
    r = _received(rw)
    assert rechnung_detail(principal=as_(w.clerk), pk=r.pk).darf_bestaetigen
    rechnung_sachlich_richtig(principal=as_(w.clerk), rechnung=r)
    mine = rechnung_detail(principal=as_(w.clerk), pk=r.pk)
    assert mine.offener_schritt == "rechnerisch_richtig"
    assert mine.vier_augen_gesperrt and not mine.darf_bestaetigen
    assert [s.user for s in mine.schritte] == [w.clerk]
    assert rechnung_detail(principal=as_(rw.pruefer), pk=r.pk).darf_bestaetigen


def test_rejection_of_a_step_that_moved_on_is_a_conflict(rw: RechnungWorld) -> None:
    r = _received(rw)
    rechnung_sachlich_richtig(principal=as_(rw.w.clerk), rechnung=r)
    with pytest.raises(ServiceError, match="already been decided") as caught:
        rechnung_zurueckweisen(
            principal=as_(rw.pruefer), rechnung=r, begruendung="falsch",
            erwarteter_status=RechnungStatus.EINGEGANGEN,
        )  # fmt: skip
    assert caught.value.code == "conflict"
    assert Rechnung.objects.get(pk=r.pk).status == RechnungStatus.SACHLICH_RICHTIG

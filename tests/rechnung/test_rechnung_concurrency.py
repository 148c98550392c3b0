"""Concurrent clicks on PostgreSQL, real threads and connections: exactly one decision wins."""

from __future__ import annotations

import pytest

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.models import Pruefschritt, Rechnung, RechnungStatus
from amtsfluss.rechnung.services.freigabe import (
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
    rechnung_zurueckweisen,
)
from tests.concurrency import race_on_postgres
from tests.rechnung.rechnung_world import (  # noqa: F401 — fixture
    RechnungWorld,
    as_,
    invoice,
    rechnung_world,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_two_clerks_click_sachlich_richtig_at_once(rw: RechnungWorld) -> None:
    r = rw.receive(invoice())
    won, lost = race_on_postgres(
        lambda: rechnung_sachlich_richtig(principal=as_(rw.w.clerk), rechnung=r),
        lambda: rechnung_sachlich_richtig(principal=as_(rw.clerk2), rechnung=r),
    )
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], ServiceError) and lost[0].code == "conflict"
    assert Pruefschritt.objects.filter(rechnung=r).count() == 1
    assert Rechnung.objects.get(pk=r.pk).status == RechnungStatus.SACHLICH_RICHTIG


def test_confirm_and_reject_race_on_the_same_step(rw: RechnungWorld) -> None:
    r = rw.receive(invoice())
    rechnung_sachlich_richtig(principal=as_(rw.w.clerk), rechnung=r)
    won, lost = race_on_postgres(
        lambda: rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=r),
        lambda: rechnung_zurueckweisen(
            principal=as_(rw.clerk2),
            rechnung=r,
            begruendung="zu teuer",
            erwarteter_status=RechnungStatus.SACHLICH_RICHTIG,  # what the page showed
        ),
    )
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], ServiceError) and lost[0].code == "conflict"
    final = Rechnung.objects.get(pk=r.pk).status
    assert final in {RechnungStatus.RECHNERISCH_RICHTIG, RechnungStatus.ZURUECKGEWIESEN}
    assert Pruefschritt.objects.filter(rechnung=r, schritt="rechnerisch_richtig").count() == 1


def test_parallel_intake_numbers_distinct_and_flags_the_duplicate(rw: RechnungWorld) -> None:
    data = invoice("R-gleich")
    won, lost = race_on_postgres(
        *[lambda d=data: rw.receive(d) for _ in range(2)], lambda: rw.receive(invoice("R-x"))
    )
    assert not lost, lost
    numbers = sorted(r.eingangsnummer for r in won)  # type: ignore[attr-defined]
    assert len(set(numbers)) == 3
    same = Rechnung.objects.filter(rechnungsnummer="R-gleich")
    assert sorted(same.values_list("ist_dublette", flat=True)) == [False, True]

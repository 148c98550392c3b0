"""Who sees which invoice: the routed unit's subtree, Kasse, Rechnungsprüfung; Klärung."""

from __future__ import annotations

import pytest
from django.http import Http404

from amtsfluss.core.models import AuditEvent
from amtsfluss.core.permissions import Action, permitted
from amtsfluss.rechnung.models import Pruefschritt, Rechnung, Zahlungslauf
from amtsfluss.rechnung.selectors.rechnungen import access_rechnung, rechnungen_list
from amtsfluss.rechnung.services.freigabe import rechnung_sachlich_richtig
from tests.rechnung.rechnung_world import (  # noqa: F401 — fixture
    LEITWEG_32_2,
    RechnungWorld,
    as_,
    invoice,
    rechnung_world,
)


def _numbers(rw: RechnungWorld, user: object) -> set[str]:
    rows = permitted(Rechnung, principal=as_(user), action=Action.VIEW)  # type: ignore[arg-type]
    return set(rows.values_list("rechnungsnummer", flat=True))


def test_visibility_by_unit_role_and_routing(rw: RechnungWorld) -> None:
    w = rw.w
    rw.receive(invoice("A-32-1"))
    rw.receive(invoice("B-32-2", leitweg=LEITWEG_32_2))
    unrouted = rw.receive(invoice("C-unbekannt", leitweg="99999999-00000-00"))
    assert unrouted.status == "klaerung"
    assert _numbers(rw, w.clerk) == {"A-32-1"}
    assert _numbers(rw, w.other_clerk) == {"B-32-2"}
    assert _numbers(rw, w.head) == {"A-32-1", "B-32-2"}  # Amtsleitung 32 reaches down
    assert _numbers(rw, rw.pruefer) == {"A-32-1", "B-32-2"}  # routed ones, Mandant-wide
    assert _numbers(rw, rw.kasse) == {"A-32-1", "B-32-2", "C-unbekannt"}
    assert _numbers(rw, w.admin) == {"C-unbekannt"}  # only what needs routing
    assert _numbers(rw, w.dsb) == set()
    assert _numbers(rw, w.b_clerk) == set()  # other Mandant


def test_access_refuses_other_units_and_mandanten_like_absence(rw: RechnungWorld) -> None:
    w = rw.w
    r = rw.receive(invoice())
    assert access_rechnung(as_(w.clerk), r.pk) == r
    for outsider in (w.other_clerk, w.b_clerk, w.dsb):
        with pytest.raises(Http404):
            access_rechnung(as_(outsider), r.pk)
    refused = AuditEvent.objects.filter(
        action="rechnung.rechnung.view", object_id=str(r.pk), outcome="denied"
    )
    assert refused.count() == 3
    assert refused.filter(mandant=w.b).count() == 1  # in the asking Mandant's log


def test_steps_follow_their_invoice_and_runs_are_the_kasses(rw: RechnungWorld) -> None:
    w = rw.w
    r = rw.receive(invoice())
    rechnung_sachlich_richtig(principal=as_(w.clerk), rechnung=r)
    seen = permitted(Pruefschritt, principal=as_(w.other_clerk), action=Action.VIEW)
    assert not seen.exists()
    assert permitted(Pruefschritt, principal=as_(rw.pruefer), action=Action.VIEW).count() == 1
    assert permitted(Zahlungslauf, principal=as_(w.head), action=Action.VIEW).query is not None
    assert not permitted(Zahlungslauf, principal=as_(w.head), action=Action.VIEW).exists()


def test_list_filters_in_one_query(rw: RechnungWorld, django_assert_num_queries: object) -> None:
    for n in range(3):
        rw.receive(invoice(f"R-{n}"))
    rw.receive(invoice("R-0"))  # duplicate of the first
    principal = as_(rw.kasse)
    principal.unit_ids()  # the principal's own facts load once per request
    with django_assert_num_queries(1):  # type: ignore[operator]
        rows = list(rechnungen_list(principal=principal, query="R-"))
    assert len(rows) == 4 and rows[0].unit is not None
    dups = rechnungen_list(principal=principal, nur_dubletten=True)
    assert [d.rechnungsnummer for d in dups] == ["R-0"]
    assert rechnungen_list(principal=principal, status=["eingegangen"]).count() == 3

"""Who sees which Akte: unit, confidentiality, Beteiligung (time-bounded), Vertretung, Mandant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsfluss.akte.models import Akte, Dokument, Vorgang
from amtsfluss.akte.services.akte import beteiligung_grant
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.models import AuditEvent, User, Vertretung
from amtsfluss.core.permissions import Action, Principal, access, permitted
from tests.akte.conftest import AkteWorld, as_


def visible(user: User, action: str = Action.VIEW) -> set[str]:
    return {a.titel for a in permitted(Akte, principal=as_(user), action=action)}


def test_matrix(akten: AkteWorld) -> None:
    w = akten.w
    # the creator (clerk, 32.1) is named on the confidential Akten it formed
    assert visible(w.clerk) == {
        "offen 32.1",
        "vertraulich 32.1",
        "streng_vertraulich 32.1",
    }
    # a clerk of the sibling unit sees only its own unit's open Akte
    assert visible(w.other_clerk) == {"offen 32.2"}
    # the Amtsleitung over 32 sees open Akten below and "vertraulich", but not "streng"
    assert visible(w.head) == {"offen 32.1", "vertraulich 32.1", "offen 32.2"}
    # Datenschutz, Fachadministration and other Mandanten see no case files
    assert visible(w.dsb) == set() == visible(w.admin) == visible(w.b_clerk)


def test_unit_grant_opens_only_offen_akten_and_expires(akten: AkteWorld) -> None:
    w = akten.w
    grant = beteiligung_grant(
        principal=as_(w.clerk),
        akte=akten.offen_32_1,
        unit=w.units["32.2"],
        gueltig_bis=timezone.now() + timedelta(hours=1),
    )
    assert "offen 32.1" in visible(w.other_clerk)
    assert "offen 32.1" not in visible(w.other_clerk, Action.CHANGE)  # view-only grant
    later = Principal(user=w.other_clerk, mandant=w.a, at=grant.gueltig_bis)  # type: ignore[arg-type]
    assert (
        not permitted(Akte, principal=later, action=Action.VIEW)
        .filter(pk=akten.offen_32_1.pk)
        .exists()
    )


def test_person_grant_on_streng_vertraulich(akten: AkteWorld) -> None:
    w = akten.w
    assert "streng_vertraulich 32.1" not in visible(w.head)
    beteiligung_grant(principal=as_(w.clerk), akte=akten.streng_32_1, user=w.head)
    assert "streng_vertraulich 32.1" in visible(w.head)


def test_confidential_akte_is_shared_with_persons_only(akten: AkteWorld) -> None:
    from amtsfluss.core.errors import ServiceError

    with pytest.raises(ServiceError):
        beteiligung_grant(
            principal=as_(akten.w.clerk), akte=akten.vertr_32_1, unit=akten.w.units["32.2"]
        )


def test_vertretung_applies_to_confidential_akten(akten: AkteWorld) -> None:
    w = akten.w
    now = timezone.now()
    Vertretung.objects.create(
        mandant=w.a,
        vertretene_person=w.clerk,
        vertretung=w.other_clerk,
        valid_from=now - timedelta(minutes=1),
        valid_until=now + timedelta(hours=1),
        created_by=w.head,
    )
    assert "streng_vertraulich 32.1" in visible(w.other_clerk)


def test_assignment_makes_a_person_see_the_akte(akten: AkteWorld) -> None:
    w = akten.w
    vorgang_create(
        principal=as_(w.clerk), akte=akten.vertr_32_1, betreff="Prüfung", bearbeiter=w.other_clerk
    )
    assert "vertraulich 32.1" in visible(w.other_clerk)


def test_reading_a_confidential_akte_is_audited(akten: AkteWorld) -> None:
    w = akten.w
    access(Akte, principal=as_(w.head), action=Action.VIEW, pk=akten.vertr_32_1.pk)
    event = AuditEvent.objects.filter(mandant=w.a).latest("seq")
    assert (event.action, event.object_id, event.actor_id) == (
        "akte.akte.read_confidential",
        str(akten.vertr_32_1.pk),
        w.head.pk,
    )
    access(Akte, principal=as_(w.head), action=Action.VIEW, pk=akten.offen_32_1.pk)
    assert AuditEvent.objects.filter(action="akte.akte.read_confidential").count() == 1


@pytest.mark.parametrize("user", ["other_clerk", "b_clerk", "dsb"])
def test_foreign_users_get_404(akten: AkteWorld, user: str) -> None:
    with pytest.raises(Http404):
        access(
            Akte, principal=as_(getattr(akten.w, user)), action=Action.VIEW, pk=akten.vertr_32_1.pk
        )


def test_children_follow_their_akte_in_one_query(akten: AkteWorld) -> None:
    w = akten.w
    for akte in (akten.offen_32_1, akten.streng_32_1, akten.offen_32_2):
        vorgang_create(principal=as_(akte.created_by), akte=akte, betreff=f"V {akte.titel}")
    other = as_(w.other_clerk)
    other.unit_ids()  # load the principal's facts first
    with CaptureQueriesContext(connection) as queries:
        rows = list(permitted(Vorgang, principal=other, action=Action.VIEW))
    assert len(queries) == 1
    assert {v.akte_id for v in rows} == {akten.offen_32_2.pk}
    assert not permitted(Dokument, principal=as_(w.b_clerk), action=Action.VIEW).exists()

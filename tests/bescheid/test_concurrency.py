"""Concurrent clicks on PostgreSQL, real threads and connections: one draft per Vorgang, one
Schlusszeichnung per Bescheid (one Dokument filed, one message delivered)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from amtsfluss.akte.models import Dokument
from amtsfluss.bescheid.models import Bescheid, BescheidStatus
from amtsfluss.bescheid.services.bescheid import (
    bescheid_create,
    bescheid_request_signature,
    bescheid_sign,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.services.vertretung import check_vertretung_create
from amtsfluss.postfach.models import Nachricht
from tests.bescheid.conftest import BescheidWorld, as_
from tests.concurrency import race_on_postgres

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_two_clerks_draft_at_once(bw: BescheidWorld) -> None:
    won, lost = race_on_postgres(
        lambda: bescheid_create(principal=as_(bw.w.clerk), vorgang=bw.vorgang, leistung=bw.gewerbe),
        lambda: bescheid_create(principal=as_(bw.w.head), vorgang=bw.vorgang, leistung=bw.gewerbe),
    )
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], ServiceError) and lost[0].code == "conflict"
    assert Bescheid.objects.filter(vorgang=bw.vorgang).count() == 1


def test_signer_and_deputy_click_sign_at_once(bw: BescheidWorld) -> None:
    bescheid = bescheid_create(principal=as_(bw.w.clerk), vorgang=bw.vorgang, leistung=bw.gewerbe)
    bescheid_request_signature(principal=as_(bw.w.clerk), bescheid=bescheid, signer=bw.w.head)
    now = timezone.now()
    check_vertretung_create(
        principal=as_(bw.w.head),
        vertretene_person=bw.w.head,
        vertretung=bw.head2,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=1),
    )
    won, lost = race_on_postgres(
        lambda: bescheid_sign(principal=as_(bw.w.head), bescheid=bescheid),
        lambda: bescheid_sign(principal=as_(bw.head2), bescheid=bescheid),
    )
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], ServiceError) and lost[0].code == "conflict"
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUGESTELLT
    assert Dokument.objects.filter(vorgang=bw.vorgang).count() == 1
    assert Nachricht.objects.filter(vorgang=bw.vorgang, art="bescheid").count() == 1

"""The Schlusszeichnung holds no lock while it renders and seals (the audit chain and the
Kassenzeichen counter are locked per Mandant), and what changes meanwhile is not overwritten."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from amtsfluss.bescheid import integration
from amtsfluss.bescheid.models import Bescheid, BescheidStatus
from amtsfluss.bescheid.services.bescheid import bescheid_return, bescheid_sign
from amtsfluss.core.errors import ServiceError
from amtsfluss.kasse.models import Forderung
from amtsfluss.postfach.models import Nachricht
from tests.bescheid.conftest import BescheidWorld, as_
from tests.bescheid.test_workflow import requested


def test_render_and_seal_run_outside_any_transaction(
    bw: BescheidWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    bescheid = requested(bw)
    seal = integration.seal
    outer = len(connection.atomic_blocks)  # the test's own transaction
    seen: list[int] = []

    def watching(**kwargs: Any) -> bytes:
        seen.append(len(connection.atomic_blocks) - outer)
        return seal(**kwargs)

    monkeypatch.setattr(integration, "seal", watching)
    bescheid_sign(principal=as_(bw.w.head), bescheid=bescheid)
    assert seen == [0]
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUGESTELLT


def test_a_failed_seal_keeps_the_fee_and_the_next_attempt_reuses_it(
    bw: BescheidWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    bescheid = requested(bw)
    seal = integration.seal

    def failing(**kwargs: Any) -> bytes:
        raise ServiceError("The PDF cannot be sealed: test")

    monkeypatch.setattr(integration, "seal", failing)
    with pytest.raises(ServiceError, match="cannot be sealed"):
        bescheid_sign(principal=as_(bw.w.head), bescheid=bescheid)
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUR_SCHLUSSZEICHNUNG
    assert not Nachricht.objects.filter(art="bescheid").exists()
    kassenzeichen = Forderung.objects.get(vorgang=bw.vorgang).kassenzeichen

    monkeypatch.setattr(integration, "seal", seal)
    bescheid_sign(principal=as_(bw.w.head), bescheid=bescheid)
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUGESTELLT
    assert Forderung.objects.get(vorgang=bw.vorgang).kassenzeichen == kassenzeichen


def test_a_bescheid_returned_while_it_is_sealed_is_not_signed(
    bw: BescheidWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    bescheid = requested(bw)
    seal = integration.seal

    def returned_meanwhile(**kwargs: Any) -> bytes:
        bescheid_return(principal=as_(bw.w.clerk), bescheid=bescheid, note="Noch ändern")
        return seal(**kwargs)

    monkeypatch.setattr(integration, "seal", returned_meanwhile)
    with pytest.raises(ServiceError) as refused:
        bescheid_sign(principal=as_(bw.w.head), bescheid=bescheid)
    assert refused.value.code == "conflict"
    stored = Bescheid.objects.get(pk=bescheid.pk)
    assert stored.status == BescheidStatus.ENTWURF and stored.dokument_id is None
    assert not Nachricht.objects.filter(art="bescheid").exists()

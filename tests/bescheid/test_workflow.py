"""The Bescheid from draft to delivery, through the services, with real objects: the Antrag's
entries in the PDF, the Dokument filed in the Vorgang, the Postfach message, the audit trail;
the four-eyes rules; one sign wins under concurrent clicks."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader

from amtsfluss.akte.models import Dokumenttyp, Dokumentversion
from amtsfluss.bescheid.models import Bescheid, BescheidStatus
from amtsfluss.bescheid.permissions import SIGN
from amtsfluss.bescheid.selectors import (
    access_bescheid,
    bescheide_for_vorgang,
    signers_for,
    zur_schlusszeichnung,
)
from amtsfluss.bescheid.services.bescheid import (
    bescheid_create,
    bescheid_request_signature,
    bescheid_return,
    bescheid_sign,
    bescheid_update,
)
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import AuditEvent
from amtsfluss.core.permissions import Action
from amtsfluss.core.services.blobs import blob_open
from amtsfluss.core.services.vertretung import check_vertretung_create
from amtsfluss.dienste.models import AntragStatus
from amtsfluss.kasse.models import Forderung
from amtsfluss.postfach.models import Nachricht
from amtsfluss.postfach.selectors import nachrichten_for_vorgang
from amtsfluss.siegel.models import Siegel
from amtsfluss.siegel.services import validate_seal
from tests.bescheid.conftest import BescheidWorld, as_, fee_claimed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def stored(version: Dokumentversion) -> bytes:
    with blob_open(blob=version.blob) as reader:
        return reader.read()


def drafted(bw: BescheidWorld) -> Bescheid:
    return bescheid_create(principal=as_(bw.w.clerk), vorgang=bw.vorgang, leistung=bw.gewerbe)


def requested(bw: BescheidWorld) -> Bescheid:
    bescheid = drafted(bw)
    return bescheid_request_signature(
        principal=as_(bw.w.clerk), bescheid=bescheid, signer=bw.w.head
    )


def test_draft_request_sign_file_and_deliver(bw: BescheidWorld) -> None:
    w = bw.w
    bescheid = drafted(bw)
    assert bescheid.status == BescheidStatus.ENTWURF
    assert bescheid.titel.startswith("Empfangsbescheinigung")
    bescheid_update(
        principal=as_(w.clerk),
        bescheid=bescheid,
        titel="Empfangsbescheinigung Gewerbeanzeige",
        tenor_zusatz="",
        begruendung="Die Anzeige ist vollständig.",
    )
    assert set(signers_for(vorgang=bw.vorgang, exclude=w.clerk)) == {w.head, bw.head2}
    bescheid_request_signature(principal=as_(w.clerk), bescheid=bescheid, signer=w.head)
    assert list(zur_schlusszeichnung(principal=as_(w.head))) == [bescheid]
    assert list(zur_schlusszeichnung(principal=as_(bw.head2))) == []

    signed = bescheid_sign(
        principal=as_(w.head), bescheid=access_bescheid(as_(w.head), bescheid.pk, SIGN)
    )

    assert signed.status == BescheidStatus.ZUGESTELLT
    assert signed.signed_by == w.head and signed.signed_at and signed.zugestellt_at
    dokument = signed.dokument
    assert dokument is not None and dokument.vorgang_id == bw.vorgang.pk
    assert dokument.dokumenttyp == Dokumenttyp.BESCHEID
    version = Dokumentversion.objects.select_related("blob").get(dokument=dokument)
    assert stored(version).startswith(b"%PDF-")
    assert version.media_type == "application/pdf"
    forderung = Forderung.objects.get(vorgang=bw.vorgang)  # the Bescheid set the fee
    assert forderung.betrag == Decimal("26.00") and forderung.zustand == "offen"
    assert forderung.kassenzeichen in pdf_text(stored(version))
    nachricht = nachrichten_for_vorgang(bw.vorgang).get(art="bescheid")
    assert list(nachricht.dokumente.all()) == [dokument]
    assert nachricht.betreff == "Empfangsbescheinigung Gewerbeanzeige"
    actions = list(
        AuditEvent.objects.filter(object_type="bescheid.bescheid", object_id=str(bescheid.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "bescheid.create",
        "bescheid.update",
        "bescheid.request_signature",
        "bescheid.sign",
        "bescheid.deliver",
    ]
    assert list(bescheide_for_vorgang(bw.vorgang)) == [signed]
    bw.antrag.refresh_from_db()
    assert bw.antrag.status == AntragStatus.ENTSCHIEDEN
    assert zur_schlusszeichnung(principal=as_(w.head)).count() == 0


def test_the_pdf_is_sealed_and_holds_entries_fee_girocode_and_belehrung(
    bw: BescheidWorld,
) -> None:
    forderung = fee_claimed(bw.vorgang)
    signed = bescheid_sign(principal=as_(bw.w.head), bescheid=requested(bw))
    version = Dokumentversion.objects.select_related("blob").get(dokument=signed.dokument)
    data = stored(version)
    report = validate_seal(mandant=bw.w.a, pdf=data)
    assert report.ok, report.summary
    assert report.reason.startswith("Empfangsbescheinigung")
    xmp = PdfReader(io.BytesIO(data)).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp and b"pdfuaid:part" in xmp  # PDF/A-2b and PDF/UA-1
    text = pdf_text(data)
    assert forderung.kassenzeichen in text
    assert list(Forderung.objects.filter(vorgang=bw.vorgang)) == [forderung]  # claimed once
    assert "Empfangsbescheinigung" in text and bw.akte.aktenzeichen in text
    assert "Einzelhandel mit Büchern <script>alert(1)</script>" in text  # as text, escaped
    assert "Einzelunternehmen" in text  # a choice by its label
    assert "Heidestraße 17, 51147 Köln" in text  # an address in words
    assert "Rechtsbehelfsbelehrung" in text and "Verwaltungsgericht" in text
    assert "26,00 €" in text
    assert "head" in text  # the signer (no full name in the test world)
    assert "Entwurf" not in text


def test_drafter_cannot_be_asked_and_cannot_sign(bw: BescheidWorld) -> None:
    w = bw.w
    bescheid = bescheid_create(principal=as_(w.head), vorgang=bw.vorgang, leistung=bw.gewerbe)
    with pytest.raises(ServiceError, match="other than the drafter"):
        bescheid_request_signature(principal=as_(w.head), bescheid=bescheid, signer=w.head)
    bescheid_request_signature(principal=as_(w.head), bescheid=bescheid, signer=bw.head2)
    with pytest.raises(PermissionDenied, match="someone else"):
        bescheid_sign(principal=as_(w.head), bescheid=bescheid)
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUR_SCHLUSSZEICHNUNG


def test_drafter_deputising_for_the_signer_still_cannot_sign(bw: BescheidWorld) -> None:
    w = bw.w
    bescheid = bescheid_create(principal=as_(w.head), vorgang=bw.vorgang, leistung=bw.gewerbe)
    bescheid_request_signature(principal=as_(w.head), bescheid=bescheid, signer=bw.head2)
    now = timezone.now()
    check_vertretung_create(
        principal=as_(bw.head2),
        vertretene_person=bw.head2,
        vertretung=w.head,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=1),
    )
    with pytest.raises(PermissionDenied, match="drafted"):
        bescheid_sign(principal=as_(w.head), bescheid=bescheid)


def test_sachbearbeitung_cannot_sign_and_cannot_be_asked(bw: BescheidWorld) -> None:
    w = bw.w
    bescheid = drafted(bw)
    with pytest.raises(ServiceError, match="Only an Amtsleitung"):
        bescheid_request_signature(principal=as_(w.clerk), bescheid=bescheid, signer=w.other_clerk)
    bescheid_request_signature(principal=as_(w.clerk), bescheid=bescheid, signer=w.head)
    with pytest.raises(Http404):
        access_bescheid(as_(w.clerk), bescheid.pk, SIGN)
    assert zur_schlusszeichnung(principal=as_(w.clerk)).count() == 0


def test_only_one_open_draft_per_vorgang_and_steps_in_order(bw: BescheidWorld) -> None:
    bescheid = drafted(bw)
    with pytest.raises(ServiceError, match="already has a Bescheid"):
        drafted(bw)
    with pytest.raises(ServiceError, match="not possible now"):
        bescheid_sign(principal=as_(bw.w.head), bescheid=bescheid)
    bescheid_request_signature(principal=as_(bw.w.clerk), bescheid=bescheid, signer=bw.w.head)
    with pytest.raises(ServiceError, match="not possible now"):
        bescheid_update(
            principal=as_(bw.w.clerk), bescheid=bescheid, titel="x", tenor_zusatz="", begruendung=""
        )
    bescheid_return(principal=as_(bw.w.head), bescheid=bescheid, note="Bitte ergänzen")
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ENTWURF
    bescheid_request_signature(principal=as_(bw.w.clerk), bescheid=bescheid, signer=bw.head2)
    bescheid_sign(principal=as_(bw.head2), bescheid=bescheid)
    with pytest.raises(ServiceError, match="not possible now"):
        bescheid_sign(principal=as_(bw.head2), bescheid=bescheid)
    assert Dokumentversion.objects.filter(dokument__vorgang=bw.vorgang).count() == 1
    drafted(bw)  # a signed Bescheid does not block the next one


def test_hostile_free_text_is_refused(bw: BescheidWorld) -> None:
    bescheid = drafted(bw)
    for titel, begruendung in [("", "x"), ("x" * 201, ""), ("ok", "a\x00b"), ("ok", "x" * 20_001)]:
        with pytest.raises(ServiceError):
            bescheid_update(
                principal=as_(bw.w.clerk),
                bescheid=bescheid,
                titel=titel,
                tenor_zusatz="",
                begruendung=begruendung,
            )
    assert Bescheid.objects.get(pk=bescheid.pk).begruendung == ""


def test_other_unit_and_other_mandant_see_nothing(bw: BescheidWorld) -> None:
    w = bw.w
    bescheid = drafted(bw)
    for user in (w.other_clerk, w.b_clerk, w.dsb, w.admin):
        for action in (Action.VIEW, Action.CHANGE, SIGN):
            with pytest.raises(Http404):
                access_bescheid(as_(user), bescheid.pk, action)
    with pytest.raises(ServiceError):
        bescheid_create(principal=as_(w.b_clerk), vorgang=bw.vorgang, leistung=bw.gewerbe)
    assert access_bescheid(as_(w.head), bescheid.pk) == bescheid


def test_without_a_template_no_draft(bw: BescheidWorld) -> None:
    bw.urkunde.bescheidvorlage.delete()
    with pytest.raises(ServiceError, match="no Bescheid template"):
        bescheid_create(principal=as_(bw.w.clerk), vorgang=bw.vorgang, leistung=bw.urkunde)
    assert not Nachricht.objects.exists()


def test_without_a_seal_nothing_is_signed_filed_or_delivered(bw: BescheidWorld) -> None:
    bescheid = requested(bw)
    Siegel.objects.filter(mandant=bw.w.a).delete()
    with pytest.raises(ServiceError, match="No electronic seal"):
        bescheid_sign(principal=as_(bw.w.head), bescheid=bescheid)
    assert Bescheid.objects.get(pk=bescheid.pk).status == BescheidStatus.ZUR_SCHLUSSZEICHNUNG
    assert not Dokumentversion.objects.filter(dokument__vorgang=bw.vorgang).exists()
    assert not Nachricht.objects.exists()
    assert not Forderung.objects.exists()  # the fee's claim went back with the rest
    bw.antrag.refresh_from_db()
    assert bw.antrag.status == AntragStatus.EINGEGANGEN

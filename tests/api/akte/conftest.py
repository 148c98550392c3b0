"""E-Akte API fixtures: the Akten of ``tests/akte`` (``akten``) and a filled case file.

``case_file(akten, akte)`` puts one of everything into an Akte: a Vorgang with a Dokument
(one version, a file), a Wiedervorlage, a Beteiligung and a Beteiligte:r — the objects every
object operation is tried on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from amtsfluss.akte.models import (
    Akte,
    Beteiligter,
    Beteiligung,
    Dokument,
    Dokumentversion,
    Person,
    Vorgang,
    Wiedervorlage,
)
from amtsfluss.akte.services.akte import beteiligter_add, beteiligung_grant
from amtsfluss.akte.services.dokument import dokument_create
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.core.models import User
from tests.akte.conftest import AkteWorld, akten, as_

__all__ = ["AkteWorld", "CaseFile", "akten", "as_", "case_file", "upload_fields"]


@dataclass
class CaseFile:
    akte: Akte
    vorgang: Vorgang
    dokument: Dokument
    version: Dokumentversion
    wiedervorlage: Wiedervorlage
    beteiligung: Beteiligung
    beteiligter: Beteiligter
    content: bytes


def case_file(
    akten: AkteWorld, akte: Akte, *, by: User | None = None, grantee: User | None = None
) -> CaseFile:
    """One of everything in ``akte``, made by ``by`` (default: clerk, who formed the Akten);
    the Beteiligung is for ``grantee`` (default: head)."""
    principal = as_(by or akten.w.clerk)
    tag = f"{akte.titel}"
    vorgang = vorgang_create(principal=principal, akte=akte, betreff=f"Betreff {tag}")
    content = f"Inhalt von {tag} – vertraulich?".encode()
    dokument = dokument_create(
        principal=principal,
        vorgang=vorgang,
        titel=f"Dokument {tag}",
        dokumentdatum=date(2026, 3, 1),
        richtung="eingang",
        dokumenttyp="antrag",
        content=io.BytesIO(content),
        dateiname="antrag.pdf",
        media_type="application/pdf",
    )
    wiedervorlage = wiedervorlage_create(
        principal=principal,
        akte=akte,
        faellig_am=timezone.localdate() + timedelta(days=7),
        notiz=f"Notiz {tag}",
    )
    beteiligung = beteiligung_grant(
        principal=principal, akte=akte, user=grantee or akten.w.head, darf_bearbeiten=False
    )
    person = Person.objects.create(
        mandant=akte.mandant, art="natuerlich", name="Mustermann", vorname="Erika"
    )
    beteiligter = beteiligter_add(
        principal=principal, akte=akte, person=person, rolle="Antragstellerin"
    )
    return CaseFile(
        akte=akte,
        vorgang=vorgang,
        dokument=dokument,
        version=dokument.versionen.get(),
        wiedervorlage=wiedervorlage,
        beteiligung=beteiligung,
        beteiligter=beteiligter,
        content=content,
    )


def upload_fields(
    content: bytes = b"%PDF-1.7 test", name: str = "scan.pdf", **fields: Any
) -> dict[str, Any]:
    """Form fields of ``POST /vorgaenge/{id}/dokumente`` with a file."""
    return {
        "titel": "Eingangsschreiben",
        "dokumentdatum": "2026-03-02",
        "richtung": "eingang",
        "dokumenttyp": "schreiben",
        **fields,
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
    }


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")

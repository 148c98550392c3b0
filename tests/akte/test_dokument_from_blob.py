"""A Dokument made from a Blob the Mandant holds already (a received file) refers to that Blob;
its bytes are not stored a second time, and a Blob of another Mandant is never taken."""

from __future__ import annotations

from datetime import date

import pytest

from amtsfluss.akte.models import Dokumentversion, Rendition
from amtsfluss.akte.services.dokument import dokument_create, dokumentversion_add
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.core.models import Blob
from amtsfluss.core.services.blobs import blob_store
from tests.akte.conftest import AkteWorld, as_

pytestmark = pytest.mark.django_db


def test_a_blob_of_the_mandant_is_used_as_it_is(akten: AkteWorld) -> None:
    clerk = as_(akten.w.clerk)
    vorgang = vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="V")
    original = blob_store(mandant=clerk.mandant, content=b"%PDF-1.7 empfangen")
    archiv = blob_store(mandant=clerk.mandant, content=b"%PDF-1.7 PDF/A")
    blobs = Blob.objects.count()
    dokument = dokument_create(
        principal=clerk, vorgang=vorgang, titel="Brief", dokumentdatum=date(2026, 1, 5),
        richtung="eingang", dokumenttyp="schreiben", content=original,
        dateiname="brief.pdf", media_type="application/pdf",
    )  # fmt: skip
    dokumentversion_add(
        principal=clerk, dokument=dokument, content=archiv, dateiname="brief.pdf",
        media_type="application/pdf", kommentar="PDF/A", rendition=Rendition.ARCHIV,
    )  # fmt: skip
    versions = Dokumentversion.objects.filter(dokument=dokument).order_by("rendition")
    assert [(v.rendition, v.blob_id) for v in versions] == [
        (Rendition.ARCHIV, archiv.pk),
        (Rendition.ORIGINAL, original.pk),
    ]
    assert Blob.objects.count() == blobs


def test_a_blob_of_another_mandant_is_refused(akten: AkteWorld) -> None:
    clerk = as_(akten.w.clerk)
    vorgang = vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="V")
    foreign = blob_store(mandant=akten.w.b, content=b"%PDF-1.7 fremd")
    with pytest.raises(ValueError, match="another Mandant"):
        dokument_create(
            principal=clerk, vorgang=vorgang, titel="Brief", dokumentdatum=date(2026, 1, 5),
            richtung="eingang", dokumenttyp="schreiben", content=foreign,
            dateiname="brief.pdf", media_type="application/pdf",
        )  # fmt: skip
    assert not Dokumentversion.objects.filter(blob=foreign).exists()

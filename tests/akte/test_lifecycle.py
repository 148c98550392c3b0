"""zdA and retention, reopening, moving, versions and the size limit."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from amtsfluss.akte.models import AktenStatus, Dokument, Dokumentversion, Rendition, VorgangStatus
from amtsfluss.akte.retention import aufbewahren_bis
from amtsfluss.akte.services.akte import akte_close, akte_reopen, check_akte_create
from amtsfluss.akte.services.dokument import (
    clean_filename,
    dokument_create,
    dokument_move,
    dokumentversion_add,
)
from amtsfluss.akte.services.vorgang import vorgang_create, vorgang_move, vorgang_update
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Blob
from tests.akte.conftest import AkteWorld, as_


@given(
    year=st.integers(min_value=1990, max_value=2200), years=st.integers(min_value=1, max_value=100)
)
def test_retention_ends_31_december_of_closing_year_plus_period(year: int, years: int) -> None:
    for closed in (date(year, 1, 1), date(year, 12, 31)):
        assert aufbewahren_bis(geschlossen_am=closed, jahre=years, dauernd=False) == date(
            year + years, 12, 31
        )
    assert aufbewahren_bis(geschlossen_am=date(year, 6, 1), jahre=None, dauernd=True) is None


def test_zda_needs_closed_vorgaenge_and_starts_retention(akten: AkteWorld) -> None:
    clerk = as_(akten.w.clerk)
    vorgang = vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="Gewerbeanmeldung")
    with pytest.raises(ServiceError, match="open"):
        akte_close(principal=clerk, akte=akten.offen_32_1)
    vorgang_update(principal=clerk, vorgang=vorgang, status=VorgangStatus.ERLEDIGT)
    closed = akte_close(principal=clerk, akte=akten.offen_32_1)
    today = timezone.localdate()
    assert closed.status == AktenStatus.ZDA
    assert closed.aufbewahren_bis == date(today.year + 10, 12, 31)
    reopened = akte_reopen(principal=clerk, akte=closed)
    assert (reopened.status, reopened.geschlossen_am, reopened.aufbewahren_bis) == (
        "offen",
        None,
        None,
    )


def test_nothing_moves_into_a_closed_akte(akten: AkteWorld) -> None:
    w = akten.w
    clerk = as_(w.clerk)
    target = check_akte_create(
        principal=clerk,
        position=akten.positions["10.38.50"],
        titel="Ziel",
        federfuehrende_oe=w.units["32.1"],
    )
    akte_close(principal=clerk, akte=target)
    vorgang = vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="V")
    with pytest.raises(ServiceError, match="closed"):
        vorgang_move(principal=clerk, vorgang=vorgang, target=target)
    vorgang.refresh_from_db()
    assert vorgang.akte_id == akten.offen_32_1.pk
    with pytest.raises(ServiceError, match="closed"):
        vorgang_create(principal=clerk, akte=target, betreff="neu")


def test_move_vorgang_and_dokument(akten: AkteWorld) -> None:
    clerk = as_(akten.w.clerk)
    source = vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="Quelle")
    other = vorgang_create(principal=clerk, akte=akten.vertr_32_1, betreff="Ziel")
    dokument = dokument_create(
        principal=clerk, vorgang=source, titel="Brief", dokumentdatum=date(2026, 1, 5),
        richtung="eingang", dokumenttyp="schreiben", content=io.BytesIO(b"%PDF-1.7 brief"),
        dateiname="brief.pdf", media_type="application/pdf",
    )  # fmt: skip
    dokument_move(principal=clerk, dokument=dokument, target=other)
    assert Dokument.objects.get(pk=dokument.pk).vorgang_id == other.pk
    moved = vorgang_move(principal=clerk, vorgang=source, target=akten.vertr_32_1)
    assert moved.akte_id == akten.vertr_32_1.pk


def test_versions_and_archival_rendition(akten: AkteWorld) -> None:
    clerk = as_(akten.w.clerk)
    vorgang = vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="V")
    dokument = dokument_create(
        principal=clerk, vorgang=vorgang, titel="Antrag", dokumentdatum=date(2026, 1, 5),
        richtung="eingang", dokumenttyp="antrag", content=io.BytesIO(b"v1"),
        dateiname="../../etc/antrag.docx", media_type="application/msword",
    )  # fmt: skip
    v2 = dokumentversion_add(
        principal=clerk, dokument=dokument, content=io.BytesIO(b"v2"),
        dateiname="antrag.docx", media_type="application/msword", kommentar="korrigiert",
    )  # fmt: skip
    pdfa = dokumentversion_add(
        principal=clerk, dokument=dokument, content=io.BytesIO(b"%PDF-A"),
        dateiname="antrag.pdf", media_type="application/pdf", kommentar="",
        rendition=Rendition.ARCHIV,
    )  # fmt: skip
    versions = Dokumentversion.objects.filter(dokument=dokument).order_by("nummer", "rendition")
    assert [(v.nummer, v.rendition, v.ist_aktuell) for v in versions] == [
        (1, "original", False),
        (2, "archiv", True),
        (2, "original", True),
    ]
    assert versions[0].dateiname == "antrag.docx"  # path components are dropped
    assert (v2.nummer, pdfa.nummer) == (2, 2)
    with pytest.raises(ServiceError, match="why"):
        dokumentversion_add(
            principal=clerk, dokument=dokument, content=io.BytesIO(b"v3"),
            dateiname="a.docx", media_type="application/msword", kommentar=" ",
        )  # fmt: skip


@override_settings(AMTSFLUSS_MAX_UPLOAD_BYTES=1000)
def test_oversize_version_is_refused_and_nothing_is_written(akten: AkteWorld) -> None:
    clerk = as_(akten.w.clerk)
    vorgang = vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="V")
    blobs_before = Blob.objects.count()
    with pytest.raises(ServiceError) as refused:
        dokument_create(
            principal=clerk, vorgang=vorgang, titel="groß", dokumentdatum=date(2026, 1, 5),
            richtung="eingang", dokumenttyp="schreiben", content=io.BytesIO(b"x" * 1001),
            dateiname="gross.pdf", media_type="application/pdf",
        )  # fmt: skip
    assert refused.value.code == "too_large"
    assert (
        "1000" in refused.value.message
        or "KB" in refused.value.message
        or "Byte" in refused.value.message
    )
    assert not Dokument.objects.filter(vorgang=vorgang).exists()
    assert Blob.objects.count() == blobs_before


def test_akte_only_at_leaf_and_only_in_own_unit(akten: AkteWorld) -> None:
    w = akten.w
    with pytest.raises(ServiceError, match="lowest level"):
        check_akte_create(
            principal=as_(w.clerk),
            position=akten.positions["10.38"],
            titel="x",
            federfuehrende_oe=w.units["32.1"],
        )
    with pytest.raises(PermissionDenied):
        check_akte_create(
            principal=as_(w.other_clerk),
            position=akten.positions["10.38.50"],
            titel="x",
            federfuehrende_oe=w.units["32.1"],
        )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("../../etc/passwd", "passwd"), ("C:\\Users\\x\\brief.pdf", "brief.pdf"),
     (".htaccess", "htaccess"), ("a\x00b\nc.pdf", "abc.pdf"), ("", "dokument"),
     ("ä" * 200 + ".pdf", None)],
)  # fmt: skip
def test_clean_filename(raw: str, clean: str | None) -> None:
    result = clean_filename(raw)
    assert len(result.encode()) <= 255 and "/" not in result and "\\" not in result
    if clean is not None:
        assert result == clean
    else:
        assert result.endswith(".pdf")


def test_upload_into_a_closed_akte_stores_no_bytes(akten: AkteWorld) -> None:
    clerk = as_(akten.w.clerk)
    vorgang = vorgang_create(principal=clerk, akte=akten.offen_32_1, betreff="V")
    vorgang_update(principal=clerk, vorgang=vorgang, status=VorgangStatus.ERLEDIGT)
    akte_close(principal=clerk, akte=akten.offen_32_1)
    blobs_before = Blob.objects.count()
    with pytest.raises(ServiceError, match="closed"):
        dokument_create(
            principal=clerk, vorgang=vorgang, titel="spät", dokumentdatum=date(2026, 1, 5),
            richtung="eingang", dokumenttyp="schreiben", content=io.BytesIO(b"late"),
            dateiname="spaet.pdf", media_type="application/pdf",
        )  # fmt: skip
    assert Blob.objects.count() == blobs_before

"""``amtsfluss import``: folders in, one Vorgang per folder, a report; a second run imports
nothing new (idempotent by content hash)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from amtsfluss.akte.models import Dokument
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.core.permissions import Principal
from amtsfluss.posteingang.models import Eingang, EingangStatus, Sendung
from tests.posteingang import files
from tests.posteingang.conftest import Post

pytestmark = pytest.mark.django_db


def _archive(root: Path) -> Path:
    (root / "1998" / "gewerbe").mkdir(parents=True)
    (root / "1998" / "brief-1.pdf").write_bytes(files.text_pdf("Gewerbeanmeldung Bäckerei Korn"))
    (root / "1998" / "brief-2.pdf").write_bytes(files.text_pdf("Abmeldung der Gaststätte Linde"))
    (root / "1998" / "gewerbe" / "kopie.pdf").write_bytes(
        files.text_pdf("Gewerbeanmeldung Bäckerei Korn")  # the same content again
    )
    (root / "1998" / "gewerbe" / "slip.docx").write_bytes(files.zip_slip_docx())
    (root / "1998" / "gewerbe" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "1998" / "gewerbe" / "link.pdf").symlink_to("/etc/passwd")
    return root


def _import(*args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command("import", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_import_reports_and_is_idempotent(post: Post, tmp_path: Path) -> None:
    root = _archive(tmp_path / "archiv")

    first = _import(str(root), "--mandant", "a", "--oe", "32.1", "--auto")

    assert (first["imported"], first["duplicates"], first["refused"]) == (2, 1, 1), first
    [refusal] = first["files"]["refused"]  # type: ignore[index]
    assert refusal["path"].endswith("slip.docx") and "hinausführt" in refusal["reason"]
    assert first["files"]["duplicates"] == [str(root / "1998" / "gewerbe" / "kopie.pdf")]  # type: ignore[index]
    assert Sendung.objects.filter(kanal="import").count() == 2  # one per folder
    for sendung in Sendung.objects.all():
        post.process(sendung)
    filed = Eingang.objects.filter(status=EingangStatus.BEREIT)
    assert filed.count() == 2
    assert Dokument.objects.filter(vorgang__betreff="Import: 1998").count() == 2
    assert filed.first().herkunft["path"].startswith(str(root))  # type: ignore[union-attr]

    again = _import(str(root), "--mandant", "a", "--oe", "32.1")

    # what is in already is a duplicate; what was refused is checked and reported again
    assert (again["imported"], again["duplicates"], again["refused"]) == (0, 3, 1), again
    assert again["files"]["refused"][0]["path"].endswith("slip.docx")  # type: ignore[index]
    assert Eingang.objects.exclude(status=EingangStatus.ABGEWIESEN).count() == 2


def test_import_into_a_named_akte(post: Post, tmp_path: Path) -> None:
    akte = check_akte_create(
        principal=Principal.for_user(post.w.clerk),
        position=post.position,
        titel="Altakten Gewerbe",
        federfuehrende_oe=post.unit,
        vertraulichkeit="offen",
    )
    (tmp_path / "alt.pdf").write_bytes(files.text_pdf("Gewerbeerlaubnis aus dem Jahr 1987"))

    report = _import(str(tmp_path), "--mandant", "a", "--akte", akte.aktenzeichen)

    assert report["imported"] == 1
    [eingang] = post.process(Sendung.objects.get())
    assert eingang.dokument.vorgang.akte == akte  # type: ignore[union-attr]
    assert eingang.unit == post.unit


def test_import_needs_a_unit(post: Post, tmp_path: Path) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--oe"):
        _import(str(tmp_path), "--mandant", "a")

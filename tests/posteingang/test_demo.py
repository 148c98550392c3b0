"""The demo's Posteingang files unrouted post: an `import --auto` of the demo needs no set-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from amtsfluss.core.demo import create_demo
from amtsfluss.core.text_pdf import text_pdf
from amtsfluss.posteingang import pipeline
from amtsfluss.posteingang.models import Eingang, EingangStatus, PosteingangEinstellung

pytestmark = pytest.mark.django_db


def test_demo_post_is_filed_in_the_units_posteingang_akte(tmp_path: Path) -> None:
    mandant = create_demo(hosts=["testserver"])
    einstellung = PosteingangEinstellung.objects.get(mandant=mandant)
    assert einstellung.aktenplanposition.kennzeichen == "0.4.3"
    (tmp_path / "brief.pdf").write_bytes(text_pdf(["Antrag auf Akteneinsicht"]))
    call_command("import", str(tmp_path), "--oe", "32.1", "--auto", "--json")
    eingang = Eingang.objects.get(mandant=mandant)
    pipeline.process(eingang.pk)
    eingang.refresh_from_db()
    assert eingang.status == EingangStatus.BEREIT, eingang.grund
    assert eingang.dokument is not None
    assert eingang.dokument.vorgang.akte.titel.startswith("Posteingang")

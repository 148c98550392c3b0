"""The upload page (``/intern/posteingang/hochladen/``) without JavaScript, in German: several
files at once for one's own unit, each one judged on its own (hostile ones refused with their
reason while the rest goes on), the limits of size and count, targets one may work on only,
and the result page of the upload — for nobody but the unit."""

from __future__ import annotations

import re

import pytest
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from amtsfluss.core.models import AuditEvent, Blob
from amtsfluss.posteingang.models import Eingang, EingangStatus, Sendung
from amtsfluss.posteingang.uploads import too_many_message
from tests.conftest import client_for
from tests.posteingang import files
from tests.posteingang.conftest import Post
from tests.posteingang.web import (
    A_HOST,
    B_HOST,
    EXTENSION_PARAMS,
    LIMIT,
    REASONS,
    TOO_LARGE,
    UPLOAD_URL,
    german,
    hostile_batch,
    mandant_b_akte,
    open_akte,
    post_upload,
    upload_file,
)

pytestmark = pytest.mark.django_db


def _sendung_url(sendung: Sendung) -> str:
    return f"/intern/posteingang/sendungen/{sendung.pk}/"


def test_the_form_offers_only_the_units_one_works_in(post: Post) -> None:
    w = post.w
    page = client_for(w.clerk, A_HOST).get(UPLOAD_URL).content.decode()
    units = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', page)
    assert units == [(str(post.unit.pk), "32.1 Einheit 32.1")]
    assert f'<option value="{post.unit.pk}" selected>' in page  # the only one is chosen
    assert 'type="file" name="dateien"' in page and " multiple" in page
    assert page.count("kern-label__optional") == 2  # Betreff and target; files are required
    assert 'enctype="multipart/form-data"' in page
    assert 'href="/intern/posteingang/eingaenge/"' in page  # in the navigation
    head = client_for(w.head, A_HOST).get(UPLOAD_URL).content.decode()
    offered = {label for _pk, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)<', head)}
    assert offered == {"32 Einheit 32", "32.1 Einheit 32.1", "32.2 Einheit 32.2"}


def test_two_files_become_one_sendung_and_the_result_page_shows_them(post: Post) -> None:
    clerk = client_for(post.w.clerk, A_HOST)
    response = post_upload(
        clerk,
        upload_file("antrag.pdf", files.text_pdf("Antrag auf Sondernutzung")),
        upload_file("foto.png", files.scan_png("Lageplan")),
        unit=post.unit.pk,
        betreff="Sondernutzung Marktplatz",
    )
    sendung = Sendung.objects.get()
    assert response.status_code == 302 and response["Location"] == _sendung_url(sendung)
    assert sendung.kanal == "upload" and sendung.unit == post.unit
    assert sendung.betreff == "Sondernutzung Marktplatz" and sendung.received_by == post.w.clerk
    eingaenge = list(sendung.eingaenge.order_by("position"))
    assert [(e.dateiname, e.status) for e in eingaenge] == [
        ("antrag.pdf", EingangStatus.GEPRUEFT),
        ("foto.png", EingangStatus.GEPRUEFT),
    ]
    audited = AuditEvent.objects.filter(action="posteingang.receive", actor_id=post.w.clerk.pk)
    assert audited.exists()
    page = clerk.get(_sendung_url(sendung)).content.decode()
    assert "antrag.pdf" in page and "foto.png" in page
    assert page.count(german("geprüft")) == 2
    assert 'hx-trigger="every 5s"' in page  # refreshes itself while files are processed

    post.process(sendung)
    page = clerk.get(_sendung_url(sendung)).content.decode()
    assert 'hx-trigger="every 5s"' not in page
    dokument = Eingang.objects.get(dateiname="antrag.pdf").dokument
    assert dokument is not None
    assert f'href="/intern/vorgaenge/{dokument.vorgang_id}/#dokument-{dokument.pk}"' in page


def test_a_hostile_batch_refuses_each_bad_file_with_its_reason_and_takes_the_rest(
    post: Post, settings: Settings
) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = LIMIT
    clerk = client_for(post.w.clerk, A_HOST)
    batch = hostile_batch()
    response = post_upload(clerk, *(upload_file(n, d) for n, d in batch), unit=post.unit.pk)
    assert response.status_code == 302
    sendung = Sendung.objects.get()
    eingaenge = list(sendung.eingaenge.order_by("position"))
    assert [e.dateiname for e in eingaenge] == [name for name, _data in batch]  # order kept
    assert [e.status for e in eingaenge] == [EingangStatus.ABGEWIESEN] * 4 + [
        EingangStatus.GEPRUEFT
    ]
    riesig = eingaenge[0]
    assert riesig.original is None and riesig.size > LIMIT and riesig.sha256 == ""
    page = clerk.get(_sendung_url(sendung)).content.decode()
    limit = filesizeformat(LIMIT)
    with translation.override("de"):
        limit_de = filesizeformat(LIMIT)
    assert german(TOO_LARGE, limit_de) in page, limit
    assert german(REASONS["bescheid.docx"], **EXTENSION_PARAMS) in page.replace("&amp;", "&")
    assert german(REASONS["verschluesselt.pdf"]) in page
    assert german(REASONS["bombe.docx"]) in page
    assert page.count(german("abgewiesen")) >= 4
    # the good file goes on through the pipeline
    [*_refused, good] = post.process(sendung)
    assert good.status == EingangStatus.BEREIT and good.dokument is not None


def test_an_upload_of_only_an_oversized_file_is_recorded_as_refused(
    post: Post, settings: Settings
) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = LIMIT
    clerk = client_for(post.w.clerk, A_HOST)
    response = post_upload(clerk, upload_file(*hostile_batch()[0]), unit=post.unit.pk)
    assert response.status_code == 302
    eingang = Sendung.objects.get().eingaenge.get()
    assert eingang.status == EingangStatus.ABGEWIESEN and eingang.dateiname == "riesig.pdf"


def test_too_many_files_are_refused_as_a_whole(post: Post, settings: Settings) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_FILES = 3
    blobs = Blob.objects.count()
    uploads = [upload_file(f"brief{i}.txt", f"Brief Nummer {i}".encode()) for i in range(5)]
    response = post_upload(client_for(post.w.clerk, A_HOST), *uploads, unit=post.unit.pk)
    assert response.status_code == 400
    with translation.override("de"):
        message = too_many_message(5)
    assert message in response.content.decode()
    assert not Sendung.objects.exists() and Blob.objects.count() == blobs


def test_a_body_declared_far_too_large_is_not_read(post: Post, settings: Settings) -> None:
    settings.AMTSFLUSS_MAX_UPLOAD_BATCH_BYTES = LIMIT
    response = client_for(post.w.clerk, A_HOST).generic(
        "POST",
        UPLOAD_URL,
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(500 * 1024 * 1024),
    )
    assert response.status_code == 413
    with translation.override("de"):
        limit = filesizeformat(LIMIT)
    assert limit in response.content.decode()
    assert not Sendung.objects.exists()


def test_missing_files_and_foreign_units_are_refused(post: Post) -> None:
    w = post.w
    clerk = client_for(w.clerk, A_HOST)
    response = post_upload(clerk, unit=post.unit.pk)
    assert response.status_code == 400
    assert german("Please choose at least one file.") in response.content.decode()
    for unit in (w.units["32.2"], w.b_units["32"]):  # another unit, another Mandant's unit
        response = post_upload(clerk, upload_file("brief.txt", b"Guten Tag"), unit=unit.pk)
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.content.decode()
    assert not Sendung.objects.exists()


def test_a_target_akte_must_be_open_and_one_the_uploader_works_on(post: Post) -> None:
    w = post.w
    own = open_akte(post, w.clerk, "32.1")
    foreign = open_akte(post, w.other_clerk, "32.2")
    clerk = client_for(w.clerk, A_HOST)
    other_mandant = mandant_b_akte(post)  # its Aktenzeichen may even look like one of A's
    for target in (foreign, other_mandant):
        refused = post_upload(
            clerk,
            upload_file("brief.txt", b"Guten Tag"),
            unit=post.unit.pk,
            aktenzeichen=target.aktenzeichen,
        )
        assert refused.status_code == 400
        assert target.titel not in refused.content.decode()
    assert not Sendung.objects.exists()
    response = post_upload(
        clerk,
        upload_file("brief.txt", b"Guten Tag"),
        unit=post.unit.pk,
        aktenzeichen=f" {own.aktenzeichen} ",
    )
    assert response.status_code == 302
    assert Sendung.objects.get().ziel_akte == own


def test_a_target_vorgang_is_taken_from_the_link_if_one_may_file_into_it(post: Post) -> None:
    from amtsfluss.akte.services.vorgang import vorgang_create
    from amtsfluss.core.permissions import Principal

    w = post.w
    own = vorgang_create(
        principal=Principal.for_user(w.clerk),
        akte=open_akte(post, w.clerk, "32.1"),
        betreff="Ihr Antrag",
    )
    foreign = vorgang_create(
        principal=Principal.for_user(w.other_clerk),
        akte=open_akte(post, w.other_clerk, "32.2"),
        betreff="Verkehrsschau",
    )
    clerk = client_for(w.clerk, A_HOST)
    page = clerk.get(UPLOAD_URL, {"vorgang": own.pk}).content.decode()
    assert "Ihr Antrag" in page and f'name="vorgang" value="{own.pk}"' in page
    page = clerk.get(UPLOAD_URL, {"vorgang": foreign.pk}).content.decode()
    assert "Verkehrsschau" not in page and 'name="vorgang"' not in page
    assert clerk.get(UPLOAD_URL, {"vorgang": "9" * 40}).status_code == 200
    refused = post_upload(
        clerk, upload_file("brief.txt", b"Guten Tag"), unit=post.unit.pk, vorgang=foreign.pk
    )
    assert refused.status_code == 400 and not Sendung.objects.exists()
    response = post_upload(
        clerk, upload_file("brief.txt", b"Guten Tag"), unit=post.unit.pk, vorgang=own.pk
    )
    assert response.status_code == 302 and Sendung.objects.get().ziel_vorgang == own


def test_file_names_are_tamed_and_escaped(post: Post) -> None:
    clerk = client_for(post.w.clerk, A_HOST)
    post_upload(
        clerk,
        upload_file("../../etc/<i>Ärger\x07.txt", b"Beschwerde"),
        unit=post.unit.pk,
    )
    eingang = Eingang.objects.get()
    assert "/" not in eingang.dateiname and "\x07" not in eingang.dateiname
    page = clerk.get(_sendung_url(eingang.sendung)).content.decode()
    assert "<i>Ärger" not in page and "&lt;i&gt;Ärger" in page


def test_the_result_page_is_for_the_unit_only(post: Post) -> None:
    w = post.w
    post_upload(
        client_for(w.clerk, A_HOST), upload_file("brief.txt", b"Guten Tag"), unit=post.unit.pk
    )
    url = _sendung_url(Sendung.objects.get())
    assert client_for(w.head, A_HOST).get(url).status_code == 200  # Amtsleitung above
    assert client_for(w.other_clerk, A_HOST).get(url).status_code == 404
    assert client_for(w.admin, A_HOST).get(url).status_code == 404
    assert client_for(w.b_clerk, B_HOST).get(url).status_code == 404
    elsewhere = client_for(w.clerk, A_HOST).get(url, HTTP_HOST=B_HOST)
    assert elsewhere.status_code in (302, 404) and b"brief.txt" not in elsewhere.content
    anonymous = Client(HTTP_HOST=A_HOST).get(url)
    assert anonymous.status_code == 302 and "/anmelden/" in anonymous["Location"]


def test_csrf_and_methods(post: Post) -> None:
    clerk = client_for(post.w.clerk, A_HOST)
    clerk.handler.enforce_csrf_checks = True
    response = post_upload(clerk, upload_file("brief.txt", b"Guten Tag"), unit=post.unit.pk)
    assert response.status_code == 403 and not Sendung.objects.exists()
    for method in ("put", "delete", "patch"):
        assert getattr(clerk, method)(UPLOAD_URL).status_code == 405
    sendung = post.receive(("brief.txt", b"Guten Tag"))
    url = f"/intern/posteingang/sendungen/{sendung.pk}/"
    assert client_for(post.w.clerk, A_HOST).post(url).status_code == 405
    anonymous = Client(HTTP_HOST=A_HOST)
    response = post_upload(anonymous, upload_file("brief.txt", b"Guten Tag"), unit=post.unit.pk)
    assert response.status_code == 302 and Sendung.objects.count() == 1

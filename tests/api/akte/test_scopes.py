"""A read-scope key reads the E-Akte and changes nothing (as in ``tests/api/test_scopes.py``:
an existing object is not there *for changing* (404); creating is refused with 403)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from amtsfluss.akte.models import Akte, Beteiligung, Dokument, Dokumentversion, Vorgang
from tests.api.akte.conftest import AkteWorld, case_file, post_json, upload_fields
from tests.api.conftest import api_client


def test_read_key_reads_but_changes_nothing(akten: AkteWorld) -> None:
    w = akten.w
    case = case_file(akten, akten.offen_32_1)
    client = api_client(w.clerk, scopes=["read"])
    for url in (
        f"/api/v1/akten/{case.akte.pk}",
        f"/api/v1/vorgaenge/{case.vorgang.pk}",
        f"/api/v1/dokumente/{case.dokument.pk}",
        f"/api/v1/dokumentversionen/{case.version.pk}/download",
        "/api/v1/akten",
        "/api/v1/inbox",
    ):
        assert client.get(url).status_code == 200, url
    created = post_json(
        client,
        "/api/v1/akten",
        {
            "position_id": akten.positions["10.38.50"].pk,
            "titel": "x",
            "federfuehrende_oe_id": w.units["32.1"].pk,
        },
    )
    assert created.status_code == 403
    assert created.json()["detail"] == "This key may not change anything."
    for response in (
        post_json(client, f"/api/v1/akten/{case.akte.pk}/vorgaenge", {"betreff": "x"}),
        client.patch(
            f"/api/v1/vorgaenge/{case.vorgang.pk}",
            {"status": "erledigt"},
            content_type="application/json",
        ),
        client.post(f"/api/v1/vorgaenge/{case.vorgang.pk}/dokumente", upload_fields()),
        client.post(
            f"/api/v1/dokumente/{case.dokument.pk}/versionen",
            {"kommentar": "x", "file": SimpleUploadedFile("x.pdf", b"x")},
        ),
        client.delete(f"/api/v1/akten/{case.akte.pk}/beteiligungen/{case.beteiligung.pk}"),
        client.post(f"/api/v1/wiedervorlagen/{case.wiedervorlage.pk}/erledigt"),
    ):
        assert response.status_code == 404
    assert Akte.objects.count() == 4
    assert Vorgang.objects.get().status == "neu"
    assert (Dokument.objects.count(), Dokumentversion.objects.count()) == (1, 1)
    assert Beteiligung.objects.filter(pk=case.beteiligung.pk).exists()

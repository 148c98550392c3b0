"""The E-Rechnung API: the register, uploads (multipart and raw), the three approval steps,
rejection and routing, the Zahlungslauf and every file — and every object operation refused to
another unit and another Mandant (404, nothing changed, refusal audited)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Model
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree
from pytest_django import Settings

from amtsfluss.akte.models import Dokument, Vorgang
from amtsfluss.core.models import AuditEvent, Blob, User
from amtsfluss.rechnung.models import Pruefschritt, Rechnung, RechnungStatus, Zahlungslauf
from amtsfluss.rechnung.services.einstellungen import leitweg_set
from amtsfluss.rechnung.services.freigabe import (
    rechnung_anordnen,
    rechnung_rechnerisch_richtig,
    rechnung_sachlich_richtig,
)
from amtsfluss.rechnung.services.zahlungslauf import zahlungslauf_create
from tests.api.conftest import B_HOST, api_client, b_boss, new_key
from tests.conftest import client_for
from tests.rechnung.conftest import STANDARDS
from tests.rechnung.rechnung_world import RechnungWorld, as_, invoice, rechnung_world

__all__ = ["b_boss", "rechnung_world"]  # fixtures

SUITE = STANDARDS / "testsuite/src/test/business-cases/standard/02.03a-INVOICE_ubl.xml"
SUITE_ATTACHMENT = "01_15_Anhang_01.pdf"
PAIN = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'


def body(response: Any) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    return bytes(response.content)


def upload(client: Client, data: bytes, name: str = "rechnung.xml") -> Any:
    return client.post(
        "/api/v1/rechnungen", {"file": SimpleUploadedFile(name, data, "application/xml")}
    )


def raw(client: Client, data: bytes, name: str = "rechnung.xml", **extra: Any) -> Any:
    return client.generic(
        "POST",
        f"/api/v1/rechnungen/raw?filename={name}",
        data,
        content_type="application/xml",
        **extra,
    )


def post(client: Client, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(url, payload or {}, content_type="application/json")


# --- the register and uploads ------------------------------------------------------------------


def test_upload_both_ways_list_and_detail(rw: RechnungWorld) -> None:
    clerk = api_client(rw.w.clerk)
    created = upload(clerk, invoice("API-1"), "api-1.xml")
    assert created.status_code == 201, created.content
    entry = created.json()
    assert entry["status"] == "eingegangen" and entry["verdict"] == "accept"
    assert entry["zahlbetrag"] == "117.81" and entry["unit"]["code"] == "32.1"
    assert entry["eingangsnummer"] == Rechnung.objects.get(pk=entry["id"]).eingangsnummer
    assert Rechnung.objects.get(pk=entry["id"]).kanal == "api"

    second = raw(clerk, invoice("API-2"), "api-2.xml")
    assert second.status_code == 201, second.content
    assert second.json()["dateiname"] == "api-2.xml"

    listing = clerk.get("/api/v1/rechnungen", {"q": "API-", "sort": "eingang_alt", "limit": 1})
    assert listing.status_code == 200
    page = listing.json()
    assert page["count"] == 2 and [r["rechnungsnummer"] for r in page["items"]] == ["API-1"]

    detail = clerk.get(f"/api/v1/rechnungen/{entry['id']}").json()
    assert detail["rechnung"]["id"] == entry["id"]
    assert detail["aktionen"] == {
        "offener_schritt": "sachlich_richtig",
        "darf_bestaetigen": True,
        "vier_augen_gesperrt": False,
        "darf_zurueckweisen": True,
        "darf_zuordnen": False,
    }
    assert detail["schritte"] == [] and detail["lesbar"] is True


def test_hostile_uploads_get_clear_answers(rw: RechnungWorld, settings: Settings) -> None:
    clerk = api_client(rw.w.clerk)
    empty = upload(clerk, b"", "leer.xml")
    assert empty.status_code in (400, 422)  # ninja refuses an empty multipart file itself
    assert raw(clerk, b"").json()["code"] == "empty"
    refused = raw(clerk, DOCTYPE, "xxe.xml")
    assert refused.status_code == 201
    assert refused.json()["status"] == "abgewiesen"
    assert "DOCTYPE" in refused.json()["findings"][0]["message"]
    # unrouted, it is the Kasse's and Fachadministration's to see (and to tell the sender)
    assert clerk.get(f"/api/v1/rechnungen/{refused.json()['id']}").status_code == 404
    kasse = api_client(rw.kasse).get(f"/api/v1/rechnungen/{refused.json()['id']}").json()
    assert kasse["findings"] == refused.json()["findings"]
    broken = raw(clerk, b"%PDF-1.7\n1 0 obj <<>>\ntrailer", "kaputt.pdf")
    assert broken.status_code == 201 and broken.json()["status"] == "abgewiesen"
    assert raw(clerk, b"x", "bad%0Aname.xml").status_code == 422
    named = raw(clerk, invoice("N-1"), "..%2F..%2Fetc%2Fpasswd.xml")
    assert named.status_code == 201 and named.json()["dateiname"] == "passwd.xml"

    settings.AMTSFLUSS_MAX_UPLOAD_BYTES = 1_000_000
    before = Rechnung.objects.count()
    declared = raw(clerk, b"<x/>", CONTENT_LENGTH=str(2_000_000))
    assert declared.status_code == 413 and declared.json()["code"] == "too_large"
    big = raw(clerk, b"<" * 1_000_001)
    assert big.status_code == 413
    multipart = upload(clerk, b"<" * 1_000_001)
    assert multipart.status_code == 413
    assert Rechnung.objects.count() == before


# --- decisions ---------------------------------------------------------------------------------


def test_three_people_decide_and_the_kasse_pays(rw: RechnungWorld) -> None:
    rechnung = rw.receive(invoice("API-PAY", quantity="100", price="12.50"))
    url = f"/api/v1/rechnungen/{rechnung.pk}"
    done = post(api_client(rw.w.clerk), f"{url}/sachlich-richtig", {"bemerkung": "geliefert"})
    assert done.status_code == 200, done.content
    assert done.json()["schritte"][0]["user"]["username"] == "clerk"
    late = post(api_client(rw.clerk2), f"{url}/sachlich-richtig")
    assert (late.status_code, late.json()["code"]) == (400, "conflict")
    again = post(api_client(rw.w.clerk), f"{url}/rechnerisch-richtig")
    assert again.status_code == 403  # four eyes
    assert post(api_client(rw.pruefer), f"{url}/rechnerisch-richtig").status_code == 200
    ordered = post(api_client(rw.w.head), f"{url}/anordnung")
    assert ordered.status_code == 200
    steps = ordered.json()["schritte"]
    assert [s["user"]["username"] for s in steps] == ["clerk", "pruefer", "head"]
    assert steps[2]["befugnis_von"]["username"] == "head"

    kasse = api_client(rw.kasse)
    assert post(api_client(rw.w.clerk), "/api/v1/zahlungslaeufe",
                {"rechnung_ids": [rechnung.pk]}).status_code == 403  # fmt: skip
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    created = post(kasse, "/api/v1/zahlungslaeufe",
                   {"rechnung_ids": [rechnung.pk], "ausfuehrungsdatum": day})  # fmt: skip
    assert created.status_code == 201, created.content
    run = created.json()
    assert run["summe"] == str(Decimal("1487.50") - Decimal("29.75"))
    assert run["rechnungen"] == [{"id": rechnung.pk, "eingangsnummer": rechnung.eingangsnummer}]
    assert kasse.get("/api/v1/zahlungslaeufe").json()["count"] == 1
    assert kasse.get(f"/api/v1/zahlungslaeufe/{run['id']}").json()["nummer"] == run["nummer"]
    pain = kasse.get(f"/api/v1/zahlungslaeufe/{run['id']}/pain001")
    assert pain.status_code == 200 and pain["X-Content-Type-Options"] == "nosniff"
    root = etree.fromstring(body(pain))
    assert root.findtext(".//p:EndToEndId", namespaces=PAIN) == rechnung.eingangsnummer
    table = kasse.get(f"/api/v1/zahlungslaeufe/{run['id']}/csv")
    assert table["Content-Disposition"].startswith(f'attachment; filename="{run["nummer"]}.csv"')
    assert rechnung.eingangsnummer in body(table).decode("utf-8-sig")
    repeated = post(kasse, "/api/v1/zahlungslaeufe",
                    {"rechnung_ids": [rechnung.pk], "ausfuehrungsdatum": day})  # fmt: skip
    assert repeated.json()["id"] == run["id"]  # the same run, not a second payment
    assert Rechnung.objects.get(pk=rechnung.pk).status == RechnungStatus.ZUR_ZAHLUNG


def test_rejection_and_routing(rw: RechnungWorld) -> None:
    rechnung = rw.receive(invoice("API-REJ"))
    clerk = api_client(rw.w.clerk)
    url = f"/api/v1/rechnungen/{rechnung.pk}/zurueckweisung"
    assert post(clerk, url, {"begruendung": ""}).status_code == 422
    moved = post(clerk, url, {"begruendung": "zu teuer", "erwarteter_status": "angeordnet"})
    assert (moved.status_code, moved.json()["code"]) == (400, "conflict")
    done = post(clerk, url, {"begruendung": "zu teuer", "erwarteter_status": "eingegangen"})
    assert done.status_code == 200
    assert done.json()["rechnung"]["status"] == "zurueckgewiesen"
    assert done.json()["schritte"][0]["begruendung"] == "zu teuer"

    lost = rw.receive(invoice("API-K", leitweg="04011000-99999-99"))
    kasse = api_client(rw.kasse)
    route = f"/api/v1/rechnungen/{lost.pk}/route"
    assert post(kasse, route, {"unit_id": rw.w.b_units["32"].pk}).status_code == 400
    routed = post(kasse, route, {"unit_id": rw.units["32.2"].pk})
    assert routed.status_code == 200
    assert routed.json()["rechnung"]["unit"]["code"] == "32.2"


def test_read_scope_keys_decide_nothing(rw: RechnungWorld) -> None:
    rechnung = rw.receive(invoice("API-RO"))
    reader = api_client(rw.w.clerk, scopes=["read"])
    assert reader.get(f"/api/v1/rechnungen/{rechnung.pk}").status_code == 200
    # as everywhere: an existing object is not there *for changing* (404); creating is 403
    response = post(reader, f"/api/v1/rechnungen/{rechnung.pk}/sachlich-richtig")
    assert response.status_code == 404
    assert raw(reader, invoice("API-RO2")).status_code == 403
    assert not Pruefschritt.objects.exists() and Rechnung.objects.count() == 1


def test_downloads(rw: RechnungWorld) -> None:
    leitweg_set(principal=as_(rw.w.admin), leitweg_id="90000000-03083-72", unit=rw.units["32.1"])
    rechnung = rw.receive(Path(SUITE).read_bytes(), name="02.03a.xml")
    clerk = api_client(rw.w.clerk)
    url = f"/api/v1/rechnungen/{rechnung.pk}"
    anhaenge = clerk.get(url).json()["anhaenge"]
    assert [a["reference"] for a in anhaenge] == [SUITE_ATTACHMENT]
    original = clerk.get(f"{url}/original")
    assert body(original) == Path(SUITE).read_bytes()
    assert original["Content-Disposition"].startswith('attachment; filename="02.03a.xml"')
    pdf = clerk.get(f"{url}/pdf")
    assert pdf.status_code == 200 and body(pdf).startswith(b"%PDF-")
    attachment = clerk.get(f"{url}/attachment", {"reference": SUITE_ATTACHMENT})
    assert attachment.status_code == 200 and body(attachment).startswith(b"%PDF-")
    assert attachment["X-Content-Type-Options"] == "nosniff"
    assert attachment["Content-Disposition"].startswith("attachment;")
    missing = clerk.get(f"{url}/attachment", {"reference": "nope"})
    assert missing.status_code == 400
    refused = rw.receive(DOCTYPE, name="xxe.xml")
    assert clerk.get(f"/api/v1/rechnungen/{refused.pk}/pdf").status_code in (400, 404)


def test_list_costs_constant_queries(rw: RechnungWorld) -> None:
    kasse = api_client(rw.kasse)

    def count() -> int:
        kasse.get("/api/v1/rechnungen")
        with CaptureQueriesContext(connection) as captured:
            assert kasse.get("/api/v1/rechnungen").status_code == 200
        return len(captured)

    for i in range(2):
        rw.receive(invoice(f"QC-{i}"))
    small = count()
    for i in range(2, 12):
        rw.receive(
            invoice(f"QC-{i}", leitweg="04011000-99999-99" if i % 2 else "04011000-12345-03")
        )
    assert count() == small


# --- isolation ---------------------------------------------------------------------------------

OPS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/rechnungen/{r}", None),
    ("get", "/api/v1/rechnungen/{r}/original", None),
    ("get", "/api/v1/rechnungen/{r}/pdf", None),
    ("get", f"/api/v1/rechnungen/{{r}}/attachment?reference={SUITE_ATTACHMENT}", None),
    ("post", "/api/v1/rechnungen/{r}/sachlich-richtig", {}),
    ("post", "/api/v1/rechnungen/{r}/rechnerisch-richtig", {}),
    ("post", "/api/v1/rechnungen/{r}/anordnung", {}),
    ("post", "/api/v1/rechnungen/{r}/zurueckweisung", {"begruendung": "fremd"}),
    ("post", "/api/v1/rechnungen/{k}/route", {"unit_id": "{unit}"}),
    ("get", "/api/v1/zahlungslaeufe/{run}", None),
    ("get", "/api/v1/zahlungslaeufe/{run}/pain001", None),
    ("get", "/api/v1/zahlungslaeufe/{run}/csv", None),
]
STATE: list[type[Model]] = [Rechnung, Pruefschritt, Zahlungslauf, Vorgang, Dokument, Blob]


def _state() -> dict[str, list[dict[str, Any]]]:
    return {m.__name__: list(m._default_manager.order_by("pk").values()) for m in STATE}


@pytest.fixture
def objects(rw: RechnungWorld) -> dict[str, int]:
    leitweg_set(principal=as_(rw.w.admin), leitweg_id="90000000-03083-72", unit=rw.units["32.1"])
    target = rw.receive(Path(SUITE).read_bytes(), name="02.03a.xml")
    paid = rw.receive(invoice("ISO-PAID"))
    paid = rechnung_sachlich_richtig(principal=as_(rw.w.clerk), rechnung=paid)
    paid = rechnung_rechnerisch_richtig(principal=as_(rw.pruefer), rechnung=paid)
    paid = rechnung_anordnen(principal=as_(rw.w.head), rechnung=paid)
    run = zahlungslauf_create(principal=as_(rw.kasse), rechnungen=[paid])
    lost = rw.receive(invoice("ISO-K", leitweg="04011000-99999-99"))
    return {"r": target.pk, "k": lost.pk, "run": run.pk, "unit": rw.units["32.2"].pk}


@pytest.mark.parametrize("who", ["other_unit", "other_mandant_key", "other_mandant_session"])
@pytest.mark.parametrize(("method", "url", "payload"), OPS, ids=[f"{m} {u}" for m, u, _ in OPS])
def test_object_operations_are_404_for_others(
    rw: RechnungWorld,
    b_boss: User,
    objects: dict[str, int],
    who: str,
    method: str,
    url: str,
    payload: dict[str, Any] | None,
) -> None:
    asker, client = {
        "other_unit": lambda: (rw.w.other_clerk, api_client(rw.w.other_clerk)),
        "other_mandant_key": lambda: (b_boss, api_client(b_boss, host=B_HOST)),
        "other_mandant_session": lambda: (b_boss, client_for(b_boss, B_HOST)),
    }[who]()
    target = url.format(**objects)
    before = _state()
    denied = AuditEvent.objects.filter(outcome="denied", actor_id=asker.pk)
    denied_before = denied.count()
    if method == "get":
        response = client.get(target)
    else:
        filled = {k: int(v.format(**objects)) if k == "unit_id" else v
                  for k, v in (payload or {}).items()}  # fmt: skip
        response = (
            client.post(target, filled, content_type="application/json", HTTP_X_CSRFTOKEN="x")
            if who != "other_mandant_session"
            else _session_post(client, target, filled)
        )
    assert response.status_code == 404, (who, target, response.content[:300])
    assert Rechnung.objects.get(pk=objects["r"]).eingangsnummer.encode() not in response.content
    assert _state() == before
    assert denied.count() == denied_before + 1


def _session_post(client: Client, url: str, payload: dict[str, Any]) -> Any:
    """A browser session sends its CSRF token as the API asks (``X-CSRFToken``)."""
    client.get("/anmelden/")
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    return client.post(url, payload, content_type="application/json", HTTP_X_CSRFTOKEN=token)


def test_lists_hold_nothing_of_others(
    rw: RechnungWorld, b_boss: User, objects: dict[str, int]
) -> None:
    number = Rechnung.objects.get(pk=objects["r"]).eingangsnummer
    for client in (api_client(rw.w.other_clerk), api_client(b_boss, host=B_HOST)):
        rows = client.get("/api/v1/rechnungen", {"q": number}).json()
        assert rows["count"] == 0
        assert client.get("/api/v1/zahlungslaeufe").json()["count"] == 0


# --- the success answers match the OpenAPI document ----------------------------------------------


def test_successful_operations_conform_to_the_schema(rw: RechnungWorld) -> None:
    """Each E-Rechnung operation once on its success path, checked by schemathesis against the
    served document (status declared, body matches its schema)."""
    from tests.api.test_schemathesis import BASE_URL, CHECKS, in_test_transaction, schema

    leitweg_set(principal=as_(rw.w.admin), leitweg_id="90000000-03083-72", unit=rw.units["32.1"])
    suite = rw.receive(Path(SUITE).read_bytes(), name="02.03a.xml")
    target = rw.receive(invoice("SC-1"))
    lost = rw.receive(invoice("SC-K", leitweg="04011000-99999-99"))
    rejected = rw.receive(invoice("SC-R"))
    tokens = {
        who: new_key(user)[1]
        for who, user in {
            "clerk": rw.w.clerk,
            "pruefer": rw.pruefer,
            "head": rw.w.head,
            "kasse": rw.kasse,
        }.items()
    }

    def op(path: str, method: str = "GET", **kwargs: Any) -> Any:
        return schema[f"/api/v1{path}"][method].Case(**kwargs)

    def json_body(payload: dict[str, Any]) -> dict[str, Any]:
        return {"body": payload, "media_type": "application/json"}

    def run(who: str, case: Any, status: int) -> Any:
        with in_test_transaction():
            response = case.call_and_validate(
                base_url=BASE_URL, headers={"Authorization": f"Bearer {tokens[who]}"}, checks=CHECKS
            )
        assert response.status_code == status, (case.operation.label, response.text)
        return response

    pid = {"id": target.pk}
    run("clerk", op("/rechnungen", query={"q": "SC-", "sort": "faellig"}), 200)
    run("clerk", op("/rechnungen/{id}", path_parameters={"id": suite.pk}), 200)
    run("clerk", op("/rechnungen", "POST", body={"file": invoice("SC-2")},
                    media_type="multipart/form-data"), 201)  # fmt: skip
    run("clerk", op("/rechnungen/raw", "POST", query={"filename": "sc-3.xml"},
                    body=invoice("SC-3"), media_type="application/octet-stream"), 201)  # fmt: skip
    run("clerk", op("/rechnungen/{id}/original", path_parameters={"id": suite.pk}), 200)
    run("clerk", op("/rechnungen/{id}/pdf", path_parameters={"id": suite.pk}), 200)
    run("clerk", op("/rechnungen/{id}/attachment", path_parameters={"id": suite.pk},
                    query={"reference": SUITE_ATTACHMENT}), 200)  # fmt: skip
    run("clerk", op("/rechnungen/{id}/sachlich-richtig", "POST", path_parameters=pid,
                    **json_body({"bemerkung": "geliefert"})), 200)  # fmt: skip
    run("pruefer", op("/rechnungen/{id}/rechnerisch-richtig", "POST", path_parameters=pid,
                      **json_body({})), 200)  # fmt: skip
    run("head", op("/rechnungen/{id}/anordnung", "POST", path_parameters=pid, **json_body({})), 200)
    run("clerk", op("/rechnungen/{id}/zurueckweisung", "POST", path_parameters={"id": rejected.pk},
                    **json_body({"begruendung": "falsch"})), 200)  # fmt: skip
    run("kasse", op("/rechnungen/{id}/route", "POST", path_parameters={"id": lost.pk},
                    **json_body({"unit_id": rw.units["32.1"].pk})), 200)  # fmt: skip
    created = run("kasse", op("/zahlungslaeufe", "POST",
                              **json_body({"rechnung_ids": [target.pk]})), 201)  # fmt: skip
    rid = {"id": created.json()["id"]}
    run("kasse", op("/zahlungslaeufe"), 200)
    run("kasse", op("/zahlungslaeufe/{id}", path_parameters=rid), 200)
    run("kasse", op("/zahlungslaeufe/{id}/pain001", path_parameters=rid), 200)
    run("kasse", op("/zahlungslaeufe/{id}/csv", path_parameters=rid), 200)

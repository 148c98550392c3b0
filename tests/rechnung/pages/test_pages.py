"""The E-Rechnung pages: the register with its filters, the invoice page with what it shows and
offers, the decisions (conflict, rejection, routing), the files and the nav link."""

from __future__ import annotations

import io
from typing import Any

from django.http import StreamingHttpResponse
from pypdf import PdfReader

from amtsfluss.core.models import AuditEvent
from amtsfluss.rechnung.models import Pruefschritt, Rechnung, RechnungStatus
from amtsfluss.rechnung.services.freigabe import rechnung_zurueckweisen
from tests.rechnung.pages.conftest import SUITE_ATTACHMENT, Booked, as_, german, invoice


def body(response: Any) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    return bytes(response.content)


# --- the register ---------------------------------------------------------------------------


def test_register_lists_filters_and_sorts(booked: Booked) -> None:
    clerk = booked.client("clerk")
    page = clerk.get("/intern/rechnungen/").content.decode()
    for r in (booked.fresh, booked.with_attachment):
        assert f'href="/intern/rechnungen/{r.pk}/">{r.eingangsnummer}</a>' in page
    assert booked.klaerung.eingangsnummer not in page  # unrouted: Kasse, Fachadministration
    assert "117,81 EUR" in page  # 20 × 4,95 € + 19 % VAT, German formatting

    found = clerk.get("/intern/rechnungen/", {"q": "R-2026-0815"}).content.decode()
    assert booked.fresh.eingangsnummer in found
    assert booked.with_attachment.eingangsnummer not in found

    kasse = booked.client("kasse")
    klaerung = kasse.get("/intern/rechnungen/", {"klaerung": "on"}).content.decode()
    assert booked.klaerung.eingangsnummer in klaerung
    assert booked.fresh.eingangsnummer not in klaerung
    by_unit = kasse.get("/intern/rechnungen/", {"unit": booked.rw.units["32.1"].pk})
    assert booked.klaerung.eingangsnummer not in by_unit.content.decode()
    status = kasse.get("/intern/rechnungen/", {"status": "klaerung"}).content.decode()
    assert booked.klaerung.eingangsnummer in status and booked.fresh.eingangsnummer not in status

    oldest = kasse.get("/intern/rechnungen/", {"sortierung": "eingang_alt"}).content.decode()
    newest = kasse.get("/intern/rechnungen/").content.decode()
    first, last = booked.fresh.eingangsnummer, booked.klaerung.eingangsnummer
    assert oldest.index(first) < oldest.index(last)
    assert newest.index(last) < newest.index(first)
    assert 'aria-sort="ascending"' in oldest


def test_duplicates_are_flagged_and_filtered(booked: Booked) -> None:
    again = booked.rw.receive(invoice("R-2026-0815"), name="feder-0815-erneut.xml")
    assert again.status == RechnungStatus.DUBLETTE
    clerk = booked.client("clerk")
    only = clerk.get("/intern/rechnungen/", {"dubletten": "on"}).content.decode()
    assert again.eingangsnummer in only and booked.with_attachment.eingangsnummer not in only
    page = clerk.get(f"/intern/rechnungen/{again.pk}/").content.decode()
    assert f'href="/intern/rechnungen/{booked.fresh.pk}/">{booked.fresh.eingangsnummer}' in page
    original = clerk.get(f"/intern/rechnungen/{booked.fresh.pk}/").content.decode()
    assert f'href="/intern/rechnungen/{again.pk}/">{again.eingangsnummer}</a>' in original


def test_register_pages(booked: Booked) -> None:
    for i in range(51):
        booked.rw.receive(invoice(f"P-{i:03d}"), name=f"p{i}.xml")
    clerk = booked.client("clerk")
    first = clerk.get("/intern/rechnungen/").content.decode()
    assert first.count('<tr class="kern-table__row">') == 51  # header + 50 rows
    assert 'rel="next"' in first
    second = clerk.get("/intern/rechnungen/", {"seite": "2"}).content.decode()
    assert booked.fresh.eingangsnummer in second  # the oldest on the last page


def test_nav_link_for_staff_who_may_see_invoices(booked: Booked) -> None:
    link = 'href="/intern/rechnungen/"'
    assert link in booked.client("clerk").get("/intern/akten/").content.decode()
    assert link in booked.client("kasse").get("/intern/akten/").content.decode()
    assert link not in booked.client("dsb").get("/intern/akten/").content.decode()


# --- the invoice page -----------------------------------------------------------------------


def test_invoice_page_shows_entry_invoice_report_and_the_next_decision(booked: Booked) -> None:
    r = booked.with_attachment
    page = booked.client("clerk").get(f"/intern/rechnungen/{r.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert r.eingangsnummer in html and r.rechnungsnummer in html
    assert german("Validation report") in html
    assert f'href="/intern/vorgaenge/{r.vorgang_id}/"' in html  # the E-Akte
    assert f'href="/intern/rechnungen/{r.pk}/original"' in html
    assert f'href="/intern/rechnungen/{r.pk}/lesbare-fassung.pdf"' in html
    assert f"/intern/rechnungen/{r.pk}/anhang?referenz={SUITE_ATTACHMENT}" in html
    # the clerk works in 32.1: sachlich richtig; nothing else
    assert f'action="/intern/rechnungen/{r.pk}/sachlich-richtig/#bestaetigen"' in html
    assert "rechnerisch-richtig/" not in html and "anordnung/" not in html
    assert f'action="/intern/rechnungen/{r.pk}/zurueckweisen/#zurueckweisen"' in html
    assert "zuordnen/" not in html
    # Rechnungsprüfung sees the invoice, but the open step is not theirs
    other = booked.client("pruefer").get(f"/intern/rechnungen/{r.pk}/").content.decode()
    assert "sachlich-richtig/" not in other and "zurueckweisen/" not in other


def test_rejected_invoice_shows_its_steps_and_no_action(booked: Booked) -> None:
    r = booked.fresh
    rechnung_zurueckweisen(
        principal=as_(booked.rw.w.clerk), rechnung=r, begruendung="Lieferung unvollständig"
    )
    html = booked.client("clerk").get(f"/intern/rechnungen/{r.pk}/").content.decode()
    assert "Lieferung unvollständig" in html
    assert "zurückgewiesen" in html
    assert "#bestaetigen" not in html and "#zurueckweisen" not in html


def test_four_eyes_are_shown_before_anybody_clicks(booked: Booked) -> None:
    r = booked.fresh
    clerk = booked.client("clerk")
    clerk.post(
        f"/intern/rechnungen/{r.pk}/sachlich-richtig/",
        {"bestaetigen-status": "eingegangen"},
    )
    # the clerk's unit may also confirm rechnerisch richtig — but not the same person
    html = clerk.get(f"/intern/rechnungen/{r.pk}/").content.decode()
    assert "rechnerisch-richtig/#bestaetigen" not in html
    assert german("Four-eyes principle: you have already confirmed a step of this invoice; "
                  "another person decides the next one.") in html  # fmt: skip
    colleague = booked.client("clerk2").get(f"/intern/rechnungen/{r.pk}/").content.decode()
    assert "rechnerisch-richtig/#bestaetigen" in colleague


def test_someone_else_decided_first(booked: Booked) -> None:
    """Both saw ``eingegangen``; the second click is a clear conflict, not a second step."""
    r = booked.fresh
    first, second = booked.client("clerk"), booked.client("clerk2")
    seen = {"bestaetigen-status": "eingegangen", "bestaetigen-bemerkung": "geprüft"}
    assert first.post(f"/intern/rechnungen/{r.pk}/sachlich-richtig/", seen).status_code == 302
    late = second.post(f"/intern/rechnungen/{r.pk}/sachlich-richtig/", seen)
    assert late.status_code == 409
    html = late.content.decode()
    assert (
        german("This step has already been decided; the invoice is now “%s”.")
        % ("sachlich richtig")
        in html
    )
    assert 'role="alert"' in html
    rejected = second.post(
        f"/intern/rechnungen/{r.pk}/zurueckweisen/",
        {"zurueckweisen-status": "eingegangen", "zurueckweisen-begruendung": "zu teuer"},
    )
    assert rejected.status_code == 409
    assert list(
        Pruefschritt.objects.filter(rechnung=r).values_list("user__username", flat=True)
    ) == ["clerk"]
    assert Rechnung.objects.get(pk=r.pk).status == RechnungStatus.SACHLICH_RICHTIG


def test_rejection_needs_a_reason(booked: Booked) -> None:
    r = booked.fresh
    clerk = booked.client("clerk")
    response = clerk.post(
        f"/intern/rechnungen/{r.pk}/zurueckweisen/",
        {"zurueckweisen-status": "eingegangen", "zurueckweisen-begruendung": "  "},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert german("Please give the reason for the rejection.") in html
    assert '<details class="kern-accordion" id="zurueckweisen" open>' in html
    assert Rechnung.objects.get(pk=r.pk).status == RechnungStatus.EINGEGANGEN
    done = clerk.post(
        f"/intern/rechnungen/{r.pk}/zurueckweisen/",
        {"zurueckweisen-status": "eingegangen", "zurueckweisen-begruendung": "Falscher Preis"},
    )
    assert done.status_code == 302
    assert Rechnung.objects.get(pk=r.pk).status == RechnungStatus.ZURUECKGEWIESEN


def test_a_decision_nobody_offered_is_refused(booked: Booked) -> None:
    """Rechnungsprüfung posts sachlich richtig by hand: refused with the reason, no step."""
    r = booked.fresh
    response = booked.client("pruefer").post(
        f"/intern/rechnungen/{r.pk}/sachlich-richtig/", {"bestaetigen-status": "eingegangen"}
    )
    assert response.status_code == 403
    assert (
        german("Only staff of the responsible unit confirm an invoice as sachlich richtig.")
        in response.content.decode()
    )
    assert not Pruefschritt.objects.filter(rechnung=r).exists()


def test_kasse_routes_an_invoice_in_klaerung(booked: Booked) -> None:
    r = booked.klaerung
    kasse = booked.client("kasse")
    html = kasse.get(f"/intern/rechnungen/{r.pk}/").content.decode()
    assert f'action="/intern/rechnungen/{r.pk}/zuordnen/#zuordnen"' in html
    response = kasse.post(
        f"/intern/rechnungen/{r.pk}/zuordnen/", {"zuordnen-unit": booked.rw.units["32.2"].pk}
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.unit == booked.rw.units["32.2"] and r.status == RechnungStatus.EINGEGANGEN
    assert r.vorgang is not None
    again = kasse.post(
        f"/intern/rechnungen/{r.pk}/zuordnen/", {"zuordnen-unit": booked.rw.units["32.1"].pk}
    )
    assert again.status_code == 409  # routed meanwhile
    assert Rechnung.objects.get(pk=r.pk).unit == booked.rw.units["32.2"]


# --- files ----------------------------------------------------------------------------------


def test_original_readable_pdf_and_attachment_downloads(booked: Booked) -> None:
    r = booked.with_attachment
    clerk = booked.client("clerk")
    original = clerk.get(f"/intern/rechnungen/{r.pk}/original")
    assert original.status_code == 200
    assert body(original).startswith(b"<?xml")
    assert original["Content-Type"] == "application/xml"
    assert original["Content-Disposition"].startswith('attachment; filename="02.03a-INVOICE_ubl')
    assert original["X-Content-Type-Options"] == "nosniff"

    pdf = clerk.get(f"/intern/rechnungen/{r.pk}/lesbare-fassung.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith(f'attachment; filename="{r.eingangsnummer}.pdf"')
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body(pdf))).pages)
    assert r.rechnungsnummer in text

    attachment = clerk.get(f"/intern/rechnungen/{r.pk}/anhang", {"referenz": SUITE_ATTACHMENT})
    assert attachment.status_code == 200
    assert body(attachment).startswith(b"%PDF-")
    assert attachment["Content-Disposition"].startswith(
        f'attachment; filename="{SUITE_ATTACHMENT}"'
    )
    assert attachment["X-Content-Type-Options"] == "nosniff"
    missing = clerk.get(f"/intern/rechnungen/{r.pk}/anhang", {"referenz": "../../etc/passwd"})
    assert missing.status_code == 404
    assert german("The file was not delivered") in missing.content.decode()
    kinds = list(
        AuditEvent.objects.filter(action="rechnung.download", object_id=str(r.pk))
        .order_by("seq")
        .values_list("details__datei", flat=True)
    )
    assert kinds == ["original", "lesbare_fassung", f"anhang:{SUITE_ATTACHMENT}"]

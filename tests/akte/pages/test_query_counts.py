"""Every page costs the same number of queries for 2 rows as for 20: no per-row query, no
per-row permission check."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsfluss.akte.models import Person
from amtsfluss.akte.services.akte import beteiligter_add, beteiligung_grant, check_akte_create
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.akte.services.dokument import dokument_create, dokumentversion_add
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.core.models import Role
from amtsfluss.core.services.organisation import membership_grant
from amtsfluss.core.services.users import staff_user_create
from tests.akte.conftest import AkteWorld, as_
from tests.akte.pages.conftest import PDF, Case


def queries(client: Client, url: str) -> int:
    client.get(url)  # the first request of a session warms caches (content types, session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _vorgaenge(akten: AkteWorld, case: Case, start: int, n: int) -> None:
    """Vorgänge in the inbox (half assigned, half the unit's), each with a due Wiedervorlage."""
    clerk = as_(akten.w.clerk)
    for i in range(start, start + n):
        vorgang = vorgang_create(
            principal=clerk,
            akte=case.akte,
            betreff=f"Vorgang {i}",
            bearbeiter=akten.w.clerk if i % 2 else None,
            frist=timezone.localdate() + timedelta(days=i - 2),
        )
        dokument_create(
            principal=clerk,
            vorgang=vorgang,
            titel=f"Dok {i}",
            dokumentdatum=date(2026, 1, 1),
            richtung="eingang",
            dokumenttyp="schreiben",
            content=io.BytesIO(b"%d" % i),
            dateiname=f"d{i}.pdf",
            media_type="application/pdf",
        )
        wiedervorlage_create(
            principal=clerk, vorgang=vorgang, faellig_am=timezone.localdate(), notiz=f"WV {i}"
        )


def _cover(akten: AkteWorld, case: Case, start: int, n: int) -> None:
    """Everything else on the file cover: persons, grants, reminders, history."""
    _vorgaenge(akten, case, start, n)
    clerk = as_(akten.w.clerk)
    for i in range(start, start + n):
        person = Person.objects.create(mandant=akten.w.a, art="natuerlich", name=f"Person {i}")
        beteiligter_add(principal=clerk, akte=case.akte, person=person, rolle="Betroffene")
        colleague = staff_user_create(
            mandant=akten.w.a, username=f"kollegin{i}", password=None, by=None
        )
        membership_grant(
            user=colleague, unit=akten.w.units["32.1"], role=Role.SACHBEARBEITUNG, by=None
        )
        beteiligung_grant(principal=clerk, akte=case.akte, user=colleague)
        wiedervorlage_create(
            principal=clerk, akte=case.akte, faellig_am=timezone.localdate(), fuer_user=colleague
        )


def _dokumente(akten: AkteWorld, case: Case, start: int, n: int) -> None:
    """Dokumente of the Vorgang, each with two versions, and Vorgänge to move them to."""
    clerk = as_(akten.w.clerk)
    for i in range(start, start + n):
        dokument = dokument_create(
            principal=clerk,
            vorgang=case.vorgang,
            titel=f"Anlage {i}",
            dokumentdatum=date(2026, 2, 1),
            richtung="eingang",
            dokumenttyp="nachweis",
            content=io.BytesIO(PDF + b"%d" % i),
            dateiname=f"anlage{i}.pdf",
            media_type="application/pdf",
        )
        dokumentversion_add(
            principal=clerk,
            dokument=dokument,
            content=io.BytesIO(PDF + b"v%d" % i),
            dateiname=f"anlage{i}-v2.pdf",
            media_type="application/pdf",
            kommentar="neu",
        )
        vorgang_create(principal=clerk, akte=case.akte, betreff=f"Weiterer {i}")
        wiedervorlage_create(principal=clerk, vorgang=case.vorgang, faellig_am=timezone.localdate())


def _akten(akten: AkteWorld, case: Case, start: int, n: int) -> None:
    """Akten in the list and positions in the Aktenplan."""
    clerk = as_(akten.w.clerk)
    for i in range(start, start + n):
        position = position_create(
            mandant=akten.w.a,
            kennzeichen=f"10.38.{70 + i}",
            titel=f"Position {i}",
            aufbewahrung_jahre=5,
            federfuehrende_oe=akten.w.units["32.1"],
            by=None,
        )
        check_akte_create(
            principal=clerk,
            position=position,
            titel=f"Akte {i}",
            federfuehrende_oe=akten.w.units["32.1"],
        )


PAGES: list[tuple[str, Callable[[Case], str], Callable[[AkteWorld, Case, int, int], None]]] = [
    ("posteingang", lambda case: "/intern/posteingang/", _vorgaenge),
    ("posteingang unit", lambda case: "/intern/posteingang/?liste=unit", _vorgaenge),
    ("akte", lambda case: f"/intern/akten/{case.akte.pk}/", _cover),
    ("vorgang", lambda case: f"/intern/vorgaenge/{case.vorgang.pk}/", _dokumente),
    ("akten", lambda case: "/intern/akten/", _akten),
    ("aktenplan", lambda case: "/intern/aktenplan/", _akten),
]


@pytest.mark.parametrize(("name", "url", "grow"), PAGES, ids=[page[0] for page in PAGES])
def test_page_costs_constant_queries(
    akten: AkteWorld,
    case: Case,
    clerk: Client,
    name: str,
    url: Callable[[Case], str],
    grow: Callable[[AkteWorld, Case, int, int], None],
) -> None:
    grow(akten, case, 0, 2)
    small = queries(clerk, url(case))
    grow(akten, case, 2, 18)
    large = queries(clerk, url(case))
    assert small == large, f"{name}: {small} queries for 2 rows, {large} for 20"


def test_confidential_akte_page_costs_constant_queries(akten: AkteWorld, clerk: Client) -> None:
    """A confidential Akte writes an audit event per read and its history grows with them."""
    from tests.akte.pages.conftest import fill

    case = fill(akten, akten.vertr_32_1)
    url = f"/intern/akten/{case.akte.pk}/"
    _cover(akten, case, 0, 2)
    small = queries(clerk, url)
    _cover(akten, case, 2, 18)
    assert queries(clerk, url) == small

"""Every E-Akte list costs the same number of queries for 3 rows as for 30, and so does the
file cover for 3 or 30 Beteiligte and grants (no N+1, no per-row permission check)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsfluss.akte.models import Person, Vorgang
from amtsfluss.akte.services.akte import beteiligter_add, beteiligung_grant, check_akte_create
from amtsfluss.akte.services.aktenplan import position_create
from amtsfluss.akte.services.dokument import dokument_create, dokumentversion_add
from amtsfluss.akte.services.vorgang import vorgang_create
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.core import audit
from amtsfluss.core.services.users import staff_user_create
from tests.api.akte.conftest import AkteWorld, as_
from tests.api.conftest import api_client


@dataclass
class Ctx:
    akten: AkteWorld
    vorgang: Vorgang

    @property
    def ids(self) -> dict[str, int]:
        return {"akte": self.akten.offen_32_1.pk, "vorgang": self.vorgang.pk}


Grow = Callable[[Ctx, range], None]


def _positions(ctx: Ctx, numbers: range) -> None:
    for n in numbers:
        position_create(
            mandant=ctx.akten.w.a, kennzeichen=f"10.38.{100 + n}", titel=f"P {n}", by=None
        )


def _akten(ctx: Ctx, numbers: range) -> None:
    w = ctx.akten.w
    for n in numbers:
        check_akte_create(
            principal=as_(w.clerk),
            position=ctx.akten.positions["10.38.50"],
            titel=f"Akte {n}",
            federfuehrende_oe=w.units["32.1"],
        )


def _vorgaenge(ctx: Ctx, numbers: range) -> None:
    w = ctx.akten.w
    for n in numbers:
        vorgang_create(
            principal=as_(w.clerk),
            akte=ctx.akten.offen_32_1,
            betreff=f"V {n}",
            bearbeiter=w.clerk if n % 2 else None,
        )


def _dokumente(ctx: Ctx, numbers: range) -> None:
    clerk = as_(ctx.akten.w.clerk)
    for n in numbers:
        dokument = dokument_create(
            principal=clerk, vorgang=ctx.vorgang, titel=f"D {n}", dokumentdatum=date(2026, 1, 1),
            richtung="eingang", dokumenttyp="schreiben", content=io.BytesIO(f"{n}".encode()),
            dateiname=f"d{n}.pdf", media_type="application/pdf",
        )  # fmt: skip
        dokumentversion_add(
            principal=clerk, dokument=dokument, content=io.BytesIO(f"{n}b".encode()),
            dateiname=f"d{n}.pdf", media_type="application/pdf", kommentar="neu",
        )  # fmt: skip


def _wiedervorlagen(ctx: Ctx, numbers: range) -> None:
    w = ctx.akten.w
    for n in numbers:
        wiedervorlage_create(
            principal=as_(w.clerk),
            vorgang=ctx.vorgang if n % 2 else None,
            akte=None if n % 2 else ctx.akten.offen_32_1,
            faellig_am=timezone.localdate(),
            fuer_oe=w.units["32.1"] if n % 3 == 0 else None,
        )


def _events(ctx: Ctx, numbers: range) -> None:
    for n in numbers:
        audit.record(
            mandant=ctx.akten.w.a,
            actor=ctx.akten.w.clerk,
            action="test.event",
            object_type="akte.akte",
            object_id=str(ctx.akten.offen_32_1.pk),
            details={"n": n},
        )


# (url, how the rows grow)
CASES: list[tuple[str, Grow]] = [
    ("/api/v1/aktenplan", _positions),
    ("/api/v1/akten", _akten),
    ("/api/v1/vorgaenge", _vorgaenge),
    ("/api/v1/inbox", _vorgaenge),
    ("/api/v1/vorgaenge/{vorgang}/dokumente", _dokumente),
    ("/api/v1/wiedervorlagen", _wiedervorlagen),
    ("/api/v1/wiedervorlagen?due=today", _wiedervorlagen),
    ("/api/v1/akten/{akte}/history", _events),
]


@pytest.fixture
def ctx(akten: AkteWorld) -> Ctx:
    vorgang = vorgang_create(principal=as_(akten.w.clerk), akte=akten.offen_32_1, betreff="Basis")
    return Ctx(akten=akten, vorgang=vorgang)


def _count(client: Client, url: str) -> tuple[int, int]:
    """(queries, rows in the answer) of one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}{'&' if '?' in url else '?'}limit=200")
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["items"])


@pytest.mark.parametrize("url, grow", CASES, ids=[case[0] for case in CASES])
def test_list_costs_constant_queries(ctx: Ctx, url: str, grow: Grow) -> None:
    client = api_client(ctx.akten.w.clerk)
    url = url.format(**ctx.ids)
    grow(ctx, range(3))
    _count(client, url)  # warm up: last_used_at is written once
    few, small = _count(client, url)
    grow(ctx, range(3, 30))
    many, large = _count(client, url)
    assert large - small == 27  # 3 grown to 30: all of them are in the answer
    assert few == many, (few, many)


def test_file_cover_costs_constant_queries(ctx: Ctx) -> None:
    w = ctx.akten.w
    akte = ctx.akten.offen_32_1
    client = api_client(w.clerk)

    def grow(numbers: range) -> None:
        for n in numbers:
            person = Person.objects.create(mandant=w.a, art="natuerlich", name=f"P{n}")
            beteiligter_add(principal=as_(w.clerk), akte=akte, person=person, rolle="Zeuge")
            user = staff_user_create(mandant=w.a, username=f"u{n}", password=None, by=None)
            beteiligung_grant(principal=as_(w.clerk), akte=akte, user=user)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/api/v1/akten/{akte.pk}").json()
        return len(queries), len(body["beteiligte"]) + len(body["beteiligungen"])

    grow(range(3))
    count()
    few, small = count()
    grow(range(3, 30))
    many, large = count()
    assert large - small == 54
    assert few == many, (few, many)

"""Concurrency on PostgreSQL, real threads and connections: a Kassenzeichen is never drawn
twice; a statement imported twice at once, or a Forderung marked twice at once, books once."""

from __future__ import annotations

import pytest

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Principal
from amtsfluss.kasse.models import Forderung, Kontoumsatz, Zustand, Zustandswechsel
from amtsfluss.kasse.services.forderung import forderung_mark
from amtsfluss.kasse.services.kontoauszug import camt053_import
from tests.concurrency import race_on_postgres
from tests.kasse.camt_files import camt
from tests.kasse.conftest import KasseWorld

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_parallel_creation_draws_distinct_kassenzeichen(kw: KasseWorld) -> None:
    won, lost = race_on_postgres(*(lambda: kw.forderung("1.00") for _ in range(4)))
    assert lost == []
    assert len({forderung.kassenzeichen for forderung, _token in won}) == 4  # type: ignore[index]
    assert Forderung.objects.count() == 4


def test_same_statement_imported_twice_at_once_books_once(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung("20.00")
    data = camt("camt053_v08.xml", KZ1=forderung.kassenzeichen, KZ2="x")
    won, lost = race_on_postgres(
        lambda: camt053_import(mandant=kw.w.a, data=data),
        lambda: camt053_import(mandant=kw.w.a, data=data),
    )
    assert all(isinstance(exc, ServiceError) and exc.code == "conflict" for exc in lost)
    assert len(won) + len(lost) == 2
    assert Kontoumsatz.objects.count() == 1
    assert Zustandswechsel.objects.filter(forderung=forderung, nach=Zustand.BEZAHLT).count() == 1


def test_two_clicks_on_mark_paid_book_once(kw: KasseWorld) -> None:
    forderung, _ = kw.forderung("20.00")
    kasse = Principal.for_user(kw.kasse)
    won, lost = race_on_postgres(
        lambda: forderung_mark(principal=kasse, pk=forderung.pk, nach=Zustand.BEZAHLT),
        lambda: forderung_mark(principal=kasse, pk=forderung.pk, nach=Zustand.BEZAHLT),
    )
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], ServiceError) and lost[0].code == "conflict"
    assert Zustandswechsel.objects.filter(forderung=forderung, nach=Zustand.BEZAHLT).count() == 1

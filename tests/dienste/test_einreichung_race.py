"""Double submission under real concurrency on PostgreSQL: threads, connections, row locks."""

from __future__ import annotations

import pytest
from django.test import Client

from amtsfluss.akte.models import Akte, Vorgang
from amtsfluss.core.models import Mandant
from amtsfluss.dienste.models import Antrag, Entwurf, Leistung
from amtsfluss.dienste.services.antrag import Einreichung, antrag_submit
from tests.concurrency import race_on_postgres
from tests.dienste.test_antrag import A
from tests.dienste.test_einreichung import filled

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_the_same_draft_submitted_twice_at_once_is_one_antrag(demo: dict[str, Leistung]) -> None:
    token = filled(Client(HTTP_HOST=A))
    mandant = Mandant.objects.get(slug="a")
    won, failed = race_on_postgres(
        lambda: antrag_submit(mandant=mandant, token=token),
        lambda: antrag_submit(mandant=mandant, token=token),
    )
    done = [result for result in won if isinstance(result, Einreichung)]
    assert failed == [] and len(done) == 2
    assert sorted(result.neu for result in done) == [False, True]
    assert done[0].antrag.pk == done[1].antrag.pk and done[0].token == done[1].token
    assert Antrag.objects.count() == 1 and Vorgang.objects.count() == 1
    assert Entwurf.objects.count() == 0


def test_two_drafts_at_once_share_one_akte(demo: dict[str, Leistung]) -> None:
    first, second = filled(Client(HTTP_HOST=A)), filled(Client(HTTP_HOST=A))
    mandant = Mandant.objects.get(slug="a")
    won, failed = race_on_postgres(
        lambda: antrag_submit(mandant=mandant, token=first),
        lambda: antrag_submit(mandant=mandant, token=second),
    )
    done = [result for result in won if isinstance(result, Einreichung)]
    assert failed == [] and len(done) == 2 and all(result.neu for result in done)
    assert Antrag.objects.count() == 2 and Akte.objects.count() == 1
    assert len({result.antrag.geschaeftszeichen for result in done}) == 2

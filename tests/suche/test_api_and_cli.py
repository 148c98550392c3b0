"""``GET /api/v1/suche`` and ``amtsfluss search`` / ``reindex`` with real users."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.api.conftest import api_client
from tests.suche.conftest import Corpus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_api_answers_with_the_callers_permissions(corpus: Corpus) -> None:
    w = corpus.akten.w
    answer = api_client(w.other_clerk, "a.test").get("/api/v1/suche", {"q": "Gebäude"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [item["dokument_id"] for item in body["items"]] == [corpus.verkehr.pk]
    assert body["count"] == 1 and "<mark>" in body["items"][0]["snippet"]
    b_answer = api_client(w.b_clerk, "b.test").get("/api/v1/suche", {"q": "Gebäude"})
    assert [item["dokument_id"] for item in b_answer.json()["items"]] == [corpus.mandant_b.pk]


def test_api_refuses_unsearchable_text_with_400_or_422(corpus: Corpus) -> None:
    client = api_client(corpus.akten.w.clerk, "a.test")
    assert client.get("/api/v1/suche", {"q": "x" * 10_000}).status_code == 422
    too_many = " ".join(["Wort"] * 40)
    refused = client.get("/api/v1/suche", {"q": too_many})
    assert refused.status_code == 400 and "zu viele Wörter" in refused.json()["detail"]  # de
    assert client.get("/api/v1/suche", {"q": 'titel:"x AND'}).status_code == 200


def test_search_command_uses_exactly_that_users_permissions(corpus: Corpus) -> None:
    out = io.StringIO()
    call_command("search", "Gebäude", "--as", "other_clerk", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert [hit["dokument_id"] for hit in payload["hits"]] == [corpus.verkehr.pk]
    assert payload["hits"][0]["aktenzeichen"] == corpus.akten.offen_32_2.aktenzeichen
    text = io.StringIO()
    call_command("search", "Bauan*", "--as", "clerk", "--mandant", "a", stdout=text)
    assert "1 hits" in text.getvalue() and "Eingang Bauanträge" in text.getvalue()
    with pytest.raises(CommandError):
        call_command("search", "x", "--as", "clerk", "--mandant", "b", stdout=io.StringIO())


def test_reindex_command(corpus: Corpus) -> None:
    out = io.StringIO()
    call_command("reindex", "--mandant", "a", "--restart", "--no-progress", stdout=out)
    assert "a: 6 Dokumente indexed" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("reindex", "--mandant", "nope", stdout=io.StringIO())

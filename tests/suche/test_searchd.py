"""``amtsfluss searchd`` and the served backend: the token, hostile requests, a search machine
that does not answer, and the real command under granian.

The served backend's search behaviour is proven by every test of this folder that takes
``backend`` (it runs for "served" against searchd on a thread)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command

from amtsfluss.core.errors import Unavailable
from amtsfluss.core.models import Mandant
from amtsfluss.core.permissions import Principal
from amtsfluss.suche.backends import wire
from amtsfluss.suche.backends.base import EngineQuery, Filters
from amtsfluss.suche.backends.served import ServedBackend
from amtsfluss.suche.entries import IndexEntry
from amtsfluss.suche.indexing import process_pending
from amtsfluss.suche.models import Indexauftrag
from amtsfluss.suche.query import parse
from amtsfluss.suche.selectors import search
from tests.api.conftest import api_client
from tests.conftest import client_for
from tests.ports import free_port
from tests.suche.conftest import Corpus, add_dokument
from tests.suche.searchd_server import TOKEN

MANDANT = Mandant(pk=7, slug="musterstadt")


def entry(dokument_id: int, body: str, *, keys: tuple[str, ...] = ("u:1",)) -> IndexEntry:
    return IndexEntry(
        dokument_id=dokument_id,
        akte_id=1,
        unit_id=1,
        positions=("10",),
        datum=date(2026, 3, 1),
        dokumenttyp="schreiben",
        akte_status="offen",
        titel="Brief",
        body=body,
        keys=keys,
    )


def query(text: str, keys: frozenset[str] = frozenset({"u:1"})) -> EngineQuery:
    return EngineQuery(parsed=parse(text), filters=Filters(), keys=keys, hidden_akten=())


@pytest.fixture
def served(settings: Any, tmp_path: Path, searchd_url: str) -> str:
    settings.SEARCH_BACKEND = "served"
    settings.SEARCH_DIR = str(tmp_path / "suche")
    settings.SEARCH_URL = searchd_url
    settings.SEARCH_TOKEN = TOKEN
    return searchd_url


def post(url: str, path: str, body: bytes, **headers: str) -> httpx.Response:
    return httpx.post(
        url + path,
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}", **headers},
        timeout=10,
    )


def test_round_trip_keeps_the_permission_filter_in_the_query(served: str) -> None:
    backend = ServedBackend()
    assert backend.replace(MANDANT, [entry(1, "Baugenehmigung"), entry(2, "Baugenehmigung")])
    assert backend.replace(MANDANT, [entry(3, "Baugenehmigung", keys=("u:2",))])
    found = backend.search(MANDANT, query("Baugenehmigung"))
    assert sorted(pk for pk, _score in found.hits) == [1, 2]
    assert found.total == 2
    assert found.facets["dokumenttyp"] == {"schreiben": 2}
    assert backend.search(MANDANT, query("Baugenehmigung", frozenset())).total == 0
    backend.clear(MANDANT)
    assert backend.search(MANDANT, query("Baugenehmigung")).total == 0


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": ""}],
)
def test_without_the_token_only_the_health_check_answers(
    served: str, headers: dict[str, str]
) -> None:
    message = json.dumps(wire.query_message(MANDANT, query("Baugenehmigung"))).encode()
    answer = httpx.post(served + "/search", content=message, headers=headers, timeout=10)
    assert answer.status_code == 401
    assert httpx.get(served + "/healthz", timeout=10).json() == {"ok": True}


def test_a_server_without_token_refuses_everyone(served: str, settings: Any) -> None:
    settings.SEARCH_TOKEN = ""
    message = json.dumps({"mandant": wire.mandant_ref(MANDANT)}).encode()
    for sent in ({}, {"Authorization": "Bearer"}, {"Authorization": f"Bearer {TOKEN}"}):
        answer = httpx.post(served + "/clear", content=message, headers=sent, timeout=10)
        assert answer.status_code == 401


def _valid_search() -> dict[str, Any]:
    return wire.query_message(MANDANT, query("Baugenehmigung"))


def _valid_replace() -> dict[str, Any]:
    return {
        "mandant": wire.mandant_ref(MANDANT),
        "entries": [wire.entry_message(entry(9, "Baugenehmigung"))],
        "akten": [],
        "dokumente": [],
        "wait": True,
    }


def _search(**changes: Any) -> dict[str, Any]:
    return {**_valid_search(), **changes}


def _replace(**changes: Any) -> dict[str, Any]:
    return {**_valid_replace(), **changes}


_FILTERS = _valid_search()["filters"]
_PARSED = _valid_search()["parsed"]
_ENTRY = wire.entry_message(entry(9, "x"))

HOSTILE: list[tuple[str, str, Any]] = [
    ("search", "/search", b"not json"),
    ("array", "/search", b"[1, 2]"),
    ("utf-16", "/search", '{"a": 1}'.encode("utf-16")),
    ("slug leaves the directory", "/search", _search(mandant={"id": 7, "slug": "../x"})),
    ("slug absolute", "/replace", _replace(mandant={"id": 7, "slug": "/etc"})),
    ("slug not text", "/search", _search(mandant={"id": 7, "slug": 5})),
    ("id not int", "/search", _search(mandant={"id": True, "slug": "a"})),
    ("limit huge", "/search", _search(limit=10**9)),
    ("offset negative", "/search", _search(offset=-1)),
    ("order unknown", "/search", _search(order="random")),
    ("keys not a list", "/search", _search(keys="u:1")),
    ("keys not strings", "/search", _search(keys=[1])),
    ("date not a date", "/search", _search(filters={**_FILTERS, "date_from": "gestern"})),
    ("phrase not strings", "/search", _search(parsed={**_PARSED, "phrases": [[1]]})),
    ("entries not objects", "/replace", _replace(entries=["x"])),
    ("entry without date", "/replace", _replace(entries=[{**_ENTRY, "datum": None}])),
    ("too many entries", "/replace", _replace(entries=[{}] * 20_001)),
    ("wait not bool", "/replace", _replace(wait="yes")),
    ("akten not ints", "/replace", _replace(akten=["1"])),
]


@pytest.mark.parametrize(("name", "path", "body"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_requests_are_refused_and_change_nothing(
    served: str, tmp_path: Path, name: str, path: str, body: Any
) -> None:
    ServedBackend().replace(MANDANT, [entry(1, "Baugenehmigung")], wait=True)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = post(served, path, raw)
    assert answer.status_code == 400, answer.text
    assert "detail" in answer.json()
    assert sorted(p.name for p in (tmp_path / "suche").iterdir()) == ["musterstadt"]
    assert [pk for pk, _ in ServedBackend().search(MANDANT, query("Baugenehmigung")).hits] == [1]


def _raw_status(url: str, request: bytes) -> int:
    """Send bytes no HTTP client would (a lying Content-Length); the status line's code."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        return int(connection.recv(200).split(b" ", 2)[1])


def test_transport_abuse_is_refused(served: str) -> None:
    assert post(served, "/search", b"").status_code == 411
    auth = f"Authorization: Bearer {TOKEN}\r\n".encode()
    huge = b"POST /replace HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: %d\r\n\r\n{}"
    assert _raw_status(served, huge % 2**40) == 413
    assert (
        _raw_status(
            served,
            b"POST /search HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: zwei\r\n\r\n{}",
        )
        == 400
    )
    assert post(served, "/nowhere", b"{}").status_code == 404
    assert (
        httpx.get(served + "/search", headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        == 405
    )


@pytest.mark.django_db
def test_a_search_machine_that_does_not_answer_is_said_so(
    backend: str, corpus: Corpus, settings: Any
) -> None:
    if backend != "served":
        pytest.skip("only the served backend has a search machine")
    settings.SEARCH_URL = f"http://127.0.0.1:{free_port()}"
    clerk = corpus.akten.w.clerk
    with pytest.raises(Unavailable):
        search(principal=Principal.for_user(clerk), query="Gebäude")
    answer = api_client(clerk, "a.test").get("/api/v1/suche", {"q": "Gebäude"})
    assert answer.status_code == 503
    assert answer.json()["code"] == "unavailable"
    page = client_for(clerk, host="a.test").get("/intern/suche/", {"q": "Gebäude"})
    assert page.status_code == 200
    assert "nicht verfügbar" in page.content.decode()


@pytest.mark.django_db
def test_changes_wait_in_the_journal_while_the_search_machine_is_down(
    backend: str, corpus: Corpus, settings: Any, searchd_url: str
) -> None:
    if backend != "served":
        pytest.skip("only the served backend has a search machine")
    settings.SEARCH_URL = f"http://127.0.0.1:{free_port()}"
    mandant = corpus.akten.w.a
    neu = add_dokument(corpus.akten.offen_32_1, "Nachtrag", "Ein Lageplan liegt bei.")
    with pytest.raises(Unavailable):
        process_pending(mandant)
    assert Indexauftrag.objects.filter(akte_id=neu.vorgang.akte_id).exists()
    settings.SEARCH_URL = searchd_url  # the search machine is back: the journal is worked off
    process_pending(mandant)
    assert not Indexauftrag.objects.filter(mandant_id=mandant.pk).exists()
    found = search(principal=Principal.for_user(corpus.akten.w.clerk), query="Lageplan")
    assert [hit.dokument_id for hit in found.hits] == [neu.pk]


def test_the_command_needs_a_token(settings: Any) -> None:
    settings.SEARCH_TOKEN = "short"
    with pytest.raises(CommandError, match="AMTSFLUSS_SEARCH_TOKEN"):
        call_command("searchd")


def test_the_command_serves_the_index_under_granian(tmp_path: Path, settings: Any) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AMTSFLUSS_")},
        "AMTSFLUSS_SETTINGS": "embedded",
        "AMTSFLUSS_DATA_DIR": str(tmp_path),
        "AMTSFLUSS_SEARCH_TOKEN": TOKEN,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "amtsfluss.cli", "searchd", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "amtsfluss searchd did not come up"
                time.sleep(0.2)
        settings.SEARCH_URL, settings.SEARCH_TOKEN = url, TOKEN
        backend = ServedBackend()
        assert backend.replace(MANDANT, [entry(1, "Straßenreinigung")], wait=True)
        assert [pk for pk, _ in backend.search(MANDANT, query("Strassenreinigung")).hits] == [1]
        assert (tmp_path / "suche" / "musterstadt" / "meta.json").exists()
        assert httpx.post(url + "/search", content=b"{}", timeout=5).status_code == 401
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)

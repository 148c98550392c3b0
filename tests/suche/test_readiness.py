"""``/readyz`` checks the search engine of every backend: the served backend's search machine
answers its probe, the embedded index folder can be written, PostgreSQL has ``german``. A
failing search is reported (``degraded``) but keeps the web machine in the load balancer."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from amtsfluss.suche.backends.served import SEARCH_TIMEOUT
from tests.core.test_health import beat
from tests.ports import free_port
from tests.suche.searchd_server import TOKEN

pytestmark = pytest.mark.django_db


def readyz() -> Any:
    return Client(HTTP_HOST="localhost").get("/readyz")


def test_readyz_checks_the_search_of_each_backend(backend: str) -> None:
    beat()
    answer = readyz()
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["checks"]["search"] == "ok"


@pytest.mark.parametrize("path", ["", "/not-searchd"])
def test_readyz_reports_a_search_machine_that_does_not_answer_its_probe(
    settings: Any, searchd_url: str, path: str
) -> None:
    beat()
    settings.SEARCH_BACKEND = "served"
    settings.SEARCH_TOKEN = TOKEN
    # nothing listens on a fresh port; an address that is not searchd's probe answers 401
    settings.SEARCH_URL = f"http://127.0.0.1:{free_port()}" if not path else searchd_url + path
    answer = readyz()
    assert answer.status_code == 200  # the rest of the product still works on this machine
    assert answer.json()["status"] == "degraded"
    checks = answer.json()["checks"]
    assert checks["search"] == "error: Unavailable"  # no address to anonymous callers
    assert (checks["database"], checks["storage"], checks["worker"]) == ("ok", "ok", "ok")


def test_readyz_does_not_wait_long_for_a_search_machine_that_never_answers(
    settings: Any,
) -> None:
    beat()
    with socket.socket() as silent:  # accepts connections (the backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        settings.SEARCH_BACKEND = "served"
        settings.SEARCH_TOKEN = TOKEN
        settings.SEARCH_URL = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        answer = readyz()
        waited = time.monotonic() - started
    assert (answer.status_code, answer.json()["status"]) == (200, "degraded")
    assert answer.json()["checks"]["search"] == "error: Unavailable"
    assert SEARCH_TIMEOUT.read is not None and waited < SEARCH_TIMEOUT.read  # the probe's own


def test_readyz_reports_an_index_folder_that_cannot_be_made(settings: Any, tmp_path: Path) -> None:
    beat()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the index folder's parent should be")
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_DIR = str(blocker / "suche")
    answer = readyz()
    assert (answer.status_code, answer.json()["status"]) == (200, "degraded")
    assert answer.json()["checks"]["search"] == "error: Unavailable"
    settings.SEARCH_DIR = str(tmp_path / "suche")
    assert readyz().json()["status"] == "ok"  # and well again once the folder can be made


def test_a_failing_search_does_not_hide_a_failing_required_check(settings: Any) -> None:
    settings.SEARCH_BACKEND = "served"
    settings.SEARCH_TOKEN = TOKEN
    settings.SEARCH_URL = f"http://127.0.0.1:{free_port()}"
    answer = readyz()  # no worker heartbeat either
    assert (answer.status_code, answer.json()["status"]) == (503, "unavailable")
    assert answer.json()["checks"]["worker"].startswith("error:")

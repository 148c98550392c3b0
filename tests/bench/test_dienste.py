"""The simulated citizen of the ``dienste`` benchmark, against the real WSGI application: its
walk is a valid application (CSRF, every step, the server's proof of work) that files an Antrag,
and a walk that breaks off is reported as an error, not counted as a submission."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest
from bench.dienste_buerger import STATUS_PATH, Solution, person, solve_pow, walk
from django.http import HttpResponse
from django.test.client import ClientHandler

from amtsfluss.dienste.models import Antrag, Entwurf, Leistung
from amtsfluss.dienste.selectors.antrag import antrag_by_token
from amtsfluss.web.schutz import pow
from tests.dienste.conftest import demo, katalog  # noqa: F401 — the demo catalogue fixtures

pytestmark = pytest.mark.django_db

HOST = "a.test"  # Mandant A of the test world, where ``demo`` imports the catalogue


def _application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The project's request handling as WSGI, with CSRF checks, in the test's transaction
    (Django's test handler: it does not close the test's database connection after a request)."""
    response = ClientHandler(enforce_csrf_checks=True)(environ)
    assert isinstance(response, HttpResponse)
    cookies = [("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()]
    start_response(
        f"{response.status_code} {response.reason_phrase}", [*response.items(), *cookies]
    )
    return [response.content]


def _client() -> httpx.Client:
    transport = httpx.WSGITransport(app=_application)
    return httpx.Client(transport=transport, base_url=f"http://{HOST}", follow_redirects=False)


def test_the_client_solves_a_challenge_as_the_server_checks_it() -> None:
    token = "a-challenge:with-a-colon"
    solution = solve_pow(token, 12)
    assert pow.solves(token, solution.nonce, 12)
    assert solution.hashes == int(solution.nonce) + 1  # the first nonce that solves it
    assert not any(pow.solves(token, str(n), 12) for n in range(int(solution.nonce)))


def test_a_walk_files_an_antrag_with_the_entries_and_the_servers_proof_of_work(
    demo: dict[str, Leistung],  # noqa: F811
) -> None:
    solved: list[tuple[str, int, Solution]] = []

    def solver(token: str, difficulty: int) -> Solution:
        solution = solve_pow(token, difficulty)
        solved.append((token, difficulty, solution))
        return solution

    entries = person(7)
    with _client() as client:
        result = walk(client, entries, solver)
    assert result.error == ""
    assert [name for name, _ in result.requests] == [
        "GET start", "POST start",
        "GET step 1", "POST step 1", "GET step 2", "POST step 2", "GET step 3", "POST step 3",
        "GET summary", "POST send", "GET status",
    ]  # fmt: skip
    [(token, difficulty, solution)] = solved
    assert difficulty == result.difficulty > 0  # what the summary page asked for
    assert pow.solves(token, solution.nonce, difficulty)
    match = STATUS_PATH.match(result.status_path)
    assert match is not None
    antrag = antrag_by_token(mandant=demo["99102013104000"].mandant, token=match.group(1))
    assert antrag == Antrag.objects.get()
    assert Entwurf.objects.count() == 0
    assert antrag.werte["nachname"] == entries.step2["nachname"]
    assert antrag.werte["urkunden"][0]["personen"] == entries.step1["urkunden-0-personen"]
    assert str(antrag.gebuehr) == f"{12 * int(entries.step1['urkunden-0-anzahl'])}.00"


def test_a_wrong_proof_of_work_is_an_error_and_files_nothing(
    demo: dict[str, Leistung],  # noqa: F811
) -> None:
    def wrong(token: str, difficulty: int) -> Solution:
        nonce = next(str(n) for n in range(10**6) if not pow.solves(token, str(n), difficulty))
        return Solution(nonce, 1, 0.0)

    with _client() as client:
        result = walk(client, person(8), wrong)
    assert result.error == "POST send: 200 (expected 302)"  # the summary again, with the reason
    assert result.status_path == ""
    assert Antrag.objects.count() == 0

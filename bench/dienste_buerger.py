"""A simulated citizen of the ``dienste`` benchmark: the real HTTP flow of *Personenstandsurkunde
bestellen*, as a browser without a person's pauses walks it.

``walk()`` starts a draft (GET, POST with the CSRF token), posts each of the three steps as the
step page's multipart form does (``aktion=weiter``), reads the summary (CSRF token and the
proof-of-work challenge the server set), solves the challenge with hashlib — the clock of the
walk stops meanwhile, the solving is reported on its own — sends the application and opens the
status page the answer leads to. Every answer must have the status a browser expects; the first
one that does not ends the walk as an error.

No import of the product: the client knows only HTML and HTTP, so it runs against a server
(``httpx.Client(base_url=...)``) and, in the smoke test, against the WSGI application
(``httpx.WSGITransport``).
"""

from __future__ import annotations

import hashlib
import html
import random
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

URKUNDE = "99102013104000"  # LeiKa key of "Personenstandsurkunde bestellen" (demo catalogue)
CHALLENGE_FIELD = "schutz_pow_challenge"
NONCE_FIELD = "schutz_pow_nonce"
STATUS_PATH = re.compile(r"^/dienste/status/([A-Za-z0-9_-]{20,})/$")
DRAFT_PATH = re.compile(r"^/dienste/entwurf/([A-Za-z0-9_-]{20,})/1/$")

_CSRF = re.compile(r"<input[^>]*name=\"csrfmiddlewaretoken\"[^>]*value=\"([^\"]+)\"")
_CHALLENGE = re.compile(rf"name=\"{CHALLENGE_FIELD}\" value=\"([^\"]+)\"")
_DIFFICULTY = re.compile(r"data-pow-difficulty=\"(\d+)\"")
_FILE_INPUT = re.compile(r"<input[^>]*type=\"file\"[^>]*>")
_NAME = re.compile(r"name=\"([^\"]+)\"")

FIRST_NAMES = ("Erika", "Hans", "Aylin", "Jonas", "Marie", "Lukas", "Fatma", "Paul", "Sofia")
LAST_NAMES = ("Mustermann", "Schmidt", "Yılmaz", "Becker", "Wagner", "Hoffmann", "Schäfer")
STREETS = ("Heidestraße", "Lindenweg", "Am Markt", "Schulstraße", "Gartenweg", "Bahnhofstraße")
CITIES = (("51147", "Köln"), ("68159", "Mannheim"), ("04109", "Leipzig"), ("24103", "Kiel"))
KINDS = ("geburt", "ehe", "lebenspartnerschaft", "sterbe")


class WalkError(Exception):
    """An answer a browser would not expect (status, missing form field, wrong redirect)."""


@dataclass(frozen=True)
class Solution:
    nonce: str
    hashes: int  #: SHA-256 computed until the nonce was found
    cpu_seconds: float  #: CPU time of the solving process for it


@dataclass
class Walk:
    """One application walked through, successful or not."""

    #: (request, seconds) in order, e.g. ("POST step 2", 0.041)
    requests: list[tuple[str, float]] = field(default_factory=list)
    error: str = ""  #: the first unexpected answer ("" when all went as expected)
    solve_seconds: float = 0.0  #: wall time of the proof of work (not in ``seconds``)
    solution: Solution | None = None
    difficulty: int = 0
    status_path: str = ""  #: where the send led: /dienste/status/<token>/
    sent_at: float = 0.0  #: ``time.perf_counter()`` when the send's answer arrived

    @property
    def seconds(self) -> float:
        """The walk's time at the server: its requests, without the proof of work."""
        return sum(seconds for _name, seconds in self.requests)

    @property
    def send_seconds(self) -> float | None:
        return next((s for name, s in self.requests if name == "POST send"), None)


def solve_pow(token: str, difficulty: int) -> Solution:
    """The first decimal nonce with SHA-256("<token>:<nonce>") below 2^(256 − difficulty), as
    the browser's script looks for it."""
    started = time.process_time()
    prefix = hashlib.sha256(f"{token}:".encode())
    bound = 1 << (256 - difficulty)
    nonce = 0
    while True:
        digest = prefix.copy()
        digest.update(str(nonce).encode())
        if int.from_bytes(digest.digest(), "big") < bound:
            return Solution(str(nonce), nonce + 1, time.process_time() - started)
        nonce += 1


Solver = Callable[[str, int], Solution]


@dataclass(frozen=True)
class Person:
    """One application's entries: a certificate order and the applicant (fixed seed)."""

    step1: dict[str, str]
    step2: dict[str, str]
    step3: dict[str, str]


def person(seed: int) -> Person:
    chance = random.Random(seed)
    first, last = chance.choice(FIRST_NAMES), chance.choice(LAST_NAMES)
    born = date(1940, 1, 1) + timedelta(days=chance.randrange(365 * 65))
    event = born if chance.random() < 0.5 else born + timedelta(days=chance.randrange(9000, 18000))
    postcode, city = chance.choice(CITIES)
    step1 = {
        "urkunden-0-art": chance.choice(KINDS),
        "urkunden-0-anzahl": str(chance.randint(1, 3)),
        "urkunden-0-personen": f"{first} {last}",
        "urkunden-0-geburtsname": "",
        "urkunden-0-datum": f"{min(event, date(2025, 12, 31)):%d.%m.%Y}",
        "urkunden-0-registernummer": f"G {chance.randint(1, 2999)}/{born.year}",
    }
    step2 = {
        "vorname": first,
        "nachname": last,
        "geburtsdatum": f"{born:%d.%m.%Y}",
        "anschrift-strasse": f"{chance.choice(STREETS)} {chance.randint(1, 120)}",
        "anschrift-plz": postcode,
        "anschrift-ort": city,
        "email": f"{first.lower()}.{seed}@example.org",
        "telefon": f"0{chance.randint(200, 999)} {chance.randint(100000, 999999)}",
        "berechtigung": chance.choice(("selbst", "familie")),
        "begruendung": "",
    }
    step3 = {
        "versand": chance.choice(("post", "abholung")),
        "verwendungszweck": chance.choice(("", "rente", "ausland", "sonstiges")),
    }
    return Person(step1, step2, step3)


def multipart(fields: dict[str, str], files: list[str]) -> tuple[bytes, str]:
    """The body a browser sends for a ``multipart/form-data`` form (empty file inputs too)."""
    boundary = f"----amtsfluss-bench-{secrets.token_hex(8)}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n".encode()
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class _Citizen:
    def __init__(self, client: httpx.Client, result: Walk) -> None:
        self.client = client
        self.result = result

    def request(
        self, name: str, method: str, path: str, expected: int, **kwargs: object
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            answer = self.client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.result.requests.append((name, time.perf_counter() - started))
            raise WalkError(f"{name}: {type(exc).__name__}") from exc
        self.result.requests.append((name, time.perf_counter() - started))
        if answer.status_code != expected:
            raise WalkError(f"{name}: {answer.status_code} (expected {expected})")
        return answer

    def page(self, name: str, path: str) -> str:
        return self.request(name, "GET", path, 200).text

    def post(
        self, name: str, path: str, fields: dict[str, str], page: str, files: Sequence[str] = ()
    ) -> str:
        """POST a form of ``page`` with its CSRF token; return where the redirect leads."""
        token = _csrf(page, name)
        body, content_type = multipart({"csrfmiddlewaretoken": token, **fields}, list(files))
        headers = {"Content-Type": content_type, "Referer": str(self.client.base_url.join(path))}
        answer = self.request(name, "POST", path, 302, content=body, headers=headers)
        return str(answer.headers.get("Location", ""))


def _csrf(page: str, name: str) -> str:
    match = _CSRF.search(page)
    if match is None:
        raise WalkError(f"{name}: the page has no CSRF token")
    return html.unescape(match.group(1))


def _files(page: str) -> list[str]:
    names = (_NAME.search(tag) for tag in _FILE_INPUT.findall(page))
    return [html.unescape(match.group(1)) for match in names if match]


def _require_fields(page: str, fields: dict[str, str], name: str) -> None:
    missing = [key for key in fields if f'name="{key}"' not in page]
    if missing:
        raise WalkError(f"{name}: the form has no field {', '.join(missing)}")


def walk(client: httpx.Client, entries: Person, solver: Solver, leika: str = URKUNDE) -> Walk:
    """Apply once, as a new browser session (the client's cookies are cleared first)."""
    client.cookies.clear()
    result = Walk()
    citizen = _Citizen(client, result)
    try:
        _walk(citizen, entries, solver, leika)
    except WalkError as exc:
        result.error = str(exc)
    return result


def _walk(citizen: _Citizen, entries: Person, solver: Solver, leika: str) -> None:
    start = f"/dienste/{leika}/antrag/"
    page = citizen.page("GET start", start)
    step = citizen.post("POST start", start, {}, page)
    if not (match := DRAFT_PATH.match(step)):
        raise WalkError(f"POST start: redirected to {step!r}, not to a draft's first step")
    base = f"/dienste/entwurf/{match.group(1)}"
    steps = [entries.step1, entries.step2, entries.step3]
    for number, fields in enumerate(steps, start=1):
        name = f"step {number}"
        page = citizen.page(f"GET {name}", f"{base}/{number}/")
        _require_fields(page, fields, f"GET {name}")
        follow = f"{base}/{number + 1}/" if number < len(steps) else f"{base}/zusammenfassung/"
        data = {**fields, "aktion": "weiter"}
        location = citizen.post(f"POST {name}", f"{base}/{number}/", data, page, _files(page))
        if location != follow:
            raise WalkError(f"POST {name}: redirected to {location!r}, not {follow!r}")
    summary = citizen.page("GET summary", f"{base}/zusammenfassung/")
    challenge, difficulty = _CHALLENGE.search(summary), _DIFFICULTY.search(summary)
    if challenge is None or difficulty is None:
        raise WalkError("GET summary: no proof-of-work challenge (the application is incomplete?)")
    token = html.unescape(challenge.group(1))
    citizen.result.difficulty = int(difficulty.group(1))
    started = time.perf_counter()
    solution = solver(token, citizen.result.difficulty)
    citizen.result.solve_seconds = time.perf_counter() - started
    citizen.result.solution = solution
    pow_fields = {CHALLENGE_FIELD: token, NONCE_FIELD: solution.nonce}
    status = citizen.post("POST send", f"{base}/einreichen/", pow_fields, summary)
    citizen.result.sent_at = time.perf_counter()
    if not STATUS_PATH.match(status):
        raise WalkError(f"POST send: redirected to {status!r}, not to a status page")
    citizen.result.status_path = status
    citizen.page("GET status", status)

"""Search: a clerk's full-text query at 100,000 and 1,000,000 Dokumente, ours next to the engine.

Issue "Digitaler Posteingang und Volltextsuche": for a clerk restricted to one unit, at 100,000
and 1,000,000 documents, on both backends, p50/p95 — target p95 ≤ 50 ms at 1,000,000, our API's
time ÷ the bare engine query on the same data ≤ 1.5, growth 100,000 → 1,000,000 ≤ 3×.

Per backend — tantivy on SQLite (the embedded default), PostgreSQL full text on PostgreSQL —
one fresh instance (migrate, demo) that grows through the sizes of ``--search-documents``:

1. 50 units (``90.01`` … ``90.50``) and two clerks (Sachbearbeitung of ``90.01``; of
   ``90.01``–``90.03``: the issue's "3 of 50 units");
2. per size, the corpus grows to N Dokumente: the rows by ``akte.scale.create_scale_data``
   (bulk inserts), the Akten then spread evenly over the 50 units by one ``UPDATE``, a German
   text per Dokument (letters, notices, invoices, notes: fixed seed, a Zipf-distributed
   vocabulary) bulk-inserted into ``suche_dokumenttext``, and indexed through the backend's bulk
   path (``entries_for`` + ``Backend.replace`` in batches) — then ``ANALYZE``;
3. in-process (a driver in ``amtsfluss shell``), side by side, per clerk and query: our
   selector ``search()`` (a fresh ``Principal`` per call, as a request has), the bare engine
   doing the same work (tantivy: the same query object on a searcher of its own — top 20, count
   and facet aggregation; PostgreSQL: the statements our backend sent, run through a bare
   psycopg cursor) and the bare engine's top 20 alone (tantivy without count: block-max WAND;
   PostgreSQL: the hits statement only);
4. ``amtsfluss serve --no-worker`` and one connection (one clerk: the latency of a query) on
   ``GET /api/v1/suche`` for every clerk and query.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.common import (
    AMTSFLUSS,
    REPO_DIR,
    RESULTS_DIR,
    BenchError,
    Column,
    Config,
    Database,
    Instance,
    LoadTarget,
    Report,
    Server,
    Table,
    fail,
    free_port,
    generator_description,
    instance,
    instance_env,
    measure,
    percentile,
    postgres_unreachable,
    postgres_url,
    ratio,
    redact,
    resolve_generator,
    run_load,
    serve,
    stop_process_group,
    wait_healthy,
    warn,
)
from bench.ingest import SENTENCES, STREETS, SUBJECTS
from bench.platform import SESSION_COOKIE

DEFAULT_SIZES = (100_000, 1_000_000)
#: backend → (the database column's label, runs on PostgreSQL); served = the tantivy index
#: behind ``amtsfluss searchd`` (a process of its own, index folder of its own), asked over HTTP
SETUPS = {
    "tantivy": ("SQLite", False),
    "postgres": ("PostgreSQL", True),
    "served": ("PostgreSQL + searchd", True),
}
UNITS = 50
UNIT_PARENT = "90"
CLERKS = {"1 of 50 units": ("bench-suche-1", 1), "3 of 50 units": ("bench-suche-3", 3)}
TARGET_P95_MS = 50.0
TARGET_RATIO = 1.5
TARGET_GROWTH = 3.0
SEED = 4242
INDEX_BATCH = 10_000
TEXT_BATCH = 10_000
GROW_TIMEOUT = 6 * 3600
DRIVER_TIMEOUT = 2 * 3600
RESULT_MARK = "BENCH_SUCHE_RESULT "
CALLS, MIN_CALLS, CALL_BUDGET_S, WARMUP_CALLS = 200, 30, 20.0, 5

RARE_WORD = "Denkmalschutzbehörde"  # in one text of RARE_EVERY
RARE_EVERY = 1000
#: (name, query text, filters as API parameters); "von" is filled in per run
QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    ("common word", "Unterlagen", {}),
    ("rare word", RARE_WORD, {}),
    ("phrase", '"aktuellen Bearbeitungsstand"', {}),
    ("prefix", "Gebühr*", {}),
    ("common + filter", "Unterlagen", {"dokumenttyp": ["bescheid", "schreiben"], "von": None}),
]
PATHS = ("API (HTTP, 1 conn.)", "selector search()", "engine: same work", "engine: top 20")

COLUMNS = [
    Column("database", "database"),
    Column("backend", "backend"),
    Column("documents", "Dokumente", ",d"),
    Column("clerk", "clerk"),
    Column("query", "query"),
    Column("hits", "hits", ",d"),
    Column("path", "measured"),
    Column("p50_ms", "p50 ms", ".2f"),
    Column("p95_ms", "p95 ms", ".2f"),
    Column("p99_ms", "p99 ms", ".2f"),
    Column("calls", "calls", ",d"),
    Column("meets_target", f"p95≤{TARGET_P95_MS:.0f}"),
]
SETUP_COLUMNS = [
    Column("database", "database"),
    Column("backend", "backend"),
    Column("documents", "Dokumente", ",d"),
    Column("added", "added", ",d"),
    Column("rows_s", "rows s", ",.0f"),
    Column("texts_s", "texts s", ",.0f"),
    Column("index_s", "index s", ",.0f"),
    Column("analyze_s", "ANALYZE s", ",.1f"),
    Column("per_s", "Dok./s", ",.0f"),
    Column("database_mib", "DB MiB", ",.0f"),
    Column("index_mib", "index MiB", ",.0f"),
    Column("text_chars", "text chars/Dok.", ",.0f"),
]

# --- the corpus text --------------------------------------------------------------------------
_STAEMME = (
    "Bau", "Haus", "Stadt", "Wasser", "Straßen", "Gewerbe", "Grund", "Verkehrs", "Schul",
    "Steuer", "Park", "Wald", "Feuerwehr", "Melde", "Sozial", "Jugend", "Umwelt", "Markt",
    "Kinder", "Abfall", "Friedhofs", "Hunde", "Sonder", "Wohn", "Garten",
)  # fmt: skip
_MITTE = ("", "amts", "platz", "bezirks", "ordnungs", "versorgungs", "anlagen", "nutzungs")
_ENDEN = (
    "antrag", "bescheid", "ordnung", "plan", "stelle", "verfahren", "nachweis", "prüfung",
    "verwaltung", "satzung", "vertrag", "auskunft", "zuschuss", "verfügung", "fläche",
)  # fmt: skip
_SILBEN = (
    "ka", "ber", "lin", "mo", "ste", "ra", "hu", "gen", "del", "fa", "ri", "scho", "wei",
    "ne", "tal", "bur", "gel", "mar", "sie", "ko", "lan", "dor", "ter", "bi", "sa",
)  # fmt: skip
_BESCHEIDE = (
    "Auf Ihren Antrag ergeht folgender Bescheid.",
    "Die Genehmigung wird unter den folgenden Nebenbestimmungen erteilt.",
    "Die Gebühr wird auf Grundlage der Verwaltungsgebührensatzung festgesetzt.",
    "Gegen diesen Bescheid kann innerhalb eines Monats Widerspruch erhoben werden.",
    "Die eingereichten Unterlagen wurden geprüft.",
    "Der Gebührenbescheid ist sofort vollziehbar.",
)
_RECHNUNGEN = (
    "Wir erlauben uns, folgende Leistungen in Rechnung zu stellen.",
    "Bitte überweisen Sie den Betrag innerhalb von vierzehn Tagen.",
    "Die Gebühren setzen sich wie folgt zusammen.",
    "Leistungszeitraum und Kassenzeichen sind bei der Zahlung anzugeben.",
    "Die Umsatzsteuer ist im Gesamtbetrag enthalten.",
)
_VERMERKE = (
    "Telefonat mit der Antragstellerin geführt.",
    "Die Unterlagen sind vollständig.",
    "Rücksprache mit der Fachabteilung ist erfolgt.",
    "Wiedervorlage in vier Wochen.",
)


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """German-looking words (compounds, then syllable words) with Zipf cumulative weights."""
    words = [f"{a}{b}{c}" for a in _STAEMME for b in _MITTE for c in _ENDEN]
    words = [w[0] + w[1:].lower() for w in words]
    seen = set(words)
    while len(words) < 30_000:
        word = "".join(rng.choice(_SILBEN) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    rng.shuffle(words)
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    return words, cumulative


class TextMaker:
    """One German text per Dokument, by its Dokumenttyp; deterministic for a seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words, self.cumulative = vocabulary(random.Random(SEED))

    def filler(self, count: int) -> str:
        rng, top = self.rng, self.cumulative[-1]
        picks = (bisect.bisect(self.cumulative, rng.random() * top) for _ in range(count))
        return " ".join(self.words[min(i, len(self.words) - 1)] for i in picks)

    def text(self, dokumenttyp: str) -> str:
        rng = self.rng
        if dokumenttyp == "bescheid":
            head = ["Bescheid", f"Aktenzeichen {rng.randint(10, 99)}.{rng.randint(1, 40)}"]
            body = rng.sample(_BESCHEIDE, 4)
        elif dokumenttyp == "rechnung":
            head = ["Rechnung", f"Kassenzeichen {rng.randint(10**9, 10**10 - 1)}"]
            body = [*rng.sample(_RECHNUNGEN, 3), f"Gesamtbetrag {rng.randint(5, 900)},00 EUR"]
        elif dokumenttyp == "vermerk":
            head = ["Aktenvermerk"]
            body = rng.sample(_VERMERKE, 2)
        else:  # letters: Antrag, Schreiben, E-Mail, Nachweis
            head = [
                f"{rng.choice(STREETS)} {rng.randint(1, 99)}, Musterstadt",
                f"Betreff: {rng.choice(SUBJECTS)}",
                "Sehr geehrte Damen und Herren,",
            ]
            body = [*rng.sample(SENTENCES, 4), "Mit freundlichen Grüßen"]
        if rng.random() < 1 / RARE_EVERY:
            body.append(f"Die {RARE_WORD} wurde beteiligt.")
        return "\n".join([*head, *body, self.filler(rng.randint(20, 40))])


# --- options ----------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser | Any) -> None:
    parser.add_argument(
        "--search-documents",
        default=None,
        metavar="N[,M]",
        help="suche: corpus sizes, grown in one instance (100000,1000000)",
    )
    parser.add_argument(
        "--search-backends",
        default=",".join(SETUPS),
        help=f"suche: which setups, comma-separated ({','.join(SETUPS)})",
    )


def sizes_wanted(config: Config) -> list[int]:
    value = config.options.get("search_documents")
    if not value:
        return list(DEFAULT_SIZES)
    try:
        sizes = sorted({int(part.replace("_", "")) for part in str(value).split(",") if part})
    except ValueError:
        raise BenchError(
            f"--search-documents {value!r}: give numbers, e.g. 100000,1000000"
        ) from None
    if not sizes or sizes[0] < 1000:
        raise BenchError("--search-documents: at least 1000 Dokumente")
    return sizes


# --- the benchmark (parent process) -----------------------------------------------------------
def run(config: Config) -> Report:
    sizes = sizes_wanted(config)
    report = Report("suche", COLUMNS)
    report.data.update(sizes=sizes, generator=generator_description(resolve_generator(config)))
    setup = Table("Corpus build (grown in one instance; rows, texts, index)", SETUP_COLUMNS)
    report.tables.append(setup)
    wanted = [name.strip() for name in str(config.options.get("search_backends") or "").split(",")]
    unknown = set(wanted) - set(SETUPS) - {""}
    if unknown:
        raise BenchError(f"--search-backends: unknown {sorted(unknown)}; choose from {SETUPS}")
    url = postgres_url()
    unreachable = postgres_unreachable(url)
    for backend in [name for name in SETUPS if name in wanted or wanted == [""]]:
        label, on_postgres = SETUPS[backend]
        if on_postgres and unreachable:
            warn(
                report,
                f"PostgreSQL is not reachable at {redact(url)} ({unreachable}): {label} SKIPPED",
            )
            continue
        database = Database(label, url) if on_postgres else Database(label)
        try:
            _run_database(database, backend, sizes, config, report, setup)
        except BenchError as exc:
            fail(report, f"{database.name}: {exc}")
    _add_ratios(report, sizes)
    report.notes += [
        f"corpus: `akte.scale` rows (5 Dokumente per Vorgang, 5 Vorgänge per Akte, 5 % "
        f"confidential), Akten spread evenly over {UNITS} units; one German text per Dokument "
        f"(seed {SEED}); '{RARE_WORD}' in one text of {RARE_EVERY}",
        "clerks: Sachbearbeitung of one unit (90.01) and of three (90.01–90.03); every query "
        "returns the top 20 with the total and the facet counts (unit, Dokumenttyp, year), as "
        "the API does",
        "selector = amtsfluss.suche.selectors.search() with a fresh Principal per call (reader "
        "keys, hidden Akten, engine, hit rows, texts and snippets); engine: same work = the "
        "same engine query with count and facets (tantivy: our query object on a searcher of "
        "the bench's own; PostgreSQL: the statements our backend sent, on a bare psycopg "
        "cursor); engine: top 20 = without count and facets (tantivy: block-max WAND)",
        "API = GET /api/v1/suche through granian with one connection (one clerk alone), wrk "
        "latency; in-process rows: up to 200 calls (at least 30, no more after 20 s)",
    ]
    return report


def _run_database(
    database: Database,
    backend: str,
    sizes: list[int],
    config: Config,
    report: Report,
    setup: Table,
) -> None:
    print(
        f"-- {database.name} ({backend}): migrate, demo, collectstatic in a fresh data dir",
        flush=True,
    )
    with ExitStack() as stack:
        search_env = stack.enter_context(search_machine(backend))
        env: dict[str, Any] = {"AMTSFLUSS_SEARCH_BACKEND": backend, **search_env}
        inst = stack.enter_context(instance(database, **env))
        name = database.name
        _driver(inst, {"mode": "setup"})
        for step, size in enumerate(sizes):
            print(f"   {name}: growing the corpus to {size:,} Dokumente …", flush=True)
            grown = _driver(inst, {"mode": "grow", "to": size, "seed": SEED + step})
            print(f"   {name}: {json.dumps(grown)}", flush=True)
            setup.rows.append({"database": name, "backend": backend, **grown})
            print(f"   {name}: in-process measurements at {size:,} …", flush=True)
            measured = _driver(inst, {"mode": "measure"})
            _write_profile(name, size, measured["profile"])
            base = {"database": name, "backend": backend, "documents": size}
            report.rows += [_with_target({**base, **row}) for row in measured["rows"]]
            report.data.setdefault("plans", {}).setdefault(name, {})[size] = measured["plans"]
            with serve(inst) as server:
                sessions = _driver(inst, {"mode": "sessions"})
                _measure_http(base, server, sessions, measured["api_params"], config, report)


@contextmanager
def search_machine(backend: str) -> Iterator[dict[str, str]]:
    """For the served backend: ``amtsfluss searchd`` on a free port, with a data folder of its
    own (as on a search machine of its own); yields what the instance's environment needs to
    ask it — and its index folder, where the bare engine reads the same index."""
    if backend != "served":
        yield {}
        return
    folder = Path(tempfile.mkdtemp(prefix="amtsfluss-searchd-"))
    token = secrets.token_urlsafe(32)
    port = free_port()
    search = {"AMTSFLUSS_SEARCH_TOKEN": token, "AMTSFLUSS_SEARCH_DIR": str(folder / "suche")}
    env = instance_env(folder, Database("SQLite"), **search)
    try:
        with (folder / "searchd.log").open("wb") as log:
            process = subprocess.Popen(
                [*AMTSFLUSS, "searchd", "--port", str(port)],
                env=env,
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(f"http://127.0.0.1:{port}", process, folder / "searchd.log")
        try:
            wait_healthy(server, 60)
            yield {**search, "AMTSFLUSS_SEARCH_URL": server.base_url}
        finally:
            stop_process_group(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _measure_http(
    base: dict[str, Any],
    server: Any,
    sessions: dict[str, str],
    api_params: dict[str, dict[str, Any]],
    config: Config,
    report: Report,
) -> None:
    one = replace(config, connections=1)
    hits = {
        (row["clerk"], row["query"]): row["hits"]
        for row in report.rows
        if row["documents"] == base["documents"] and row["database"] == base["database"]
    }
    warmed = False
    for clerk, session in sessions.items():
        headers = {"Cookie": f"{SESSION_COOKIE}={session}"}
        for query, params in api_params.items():
            url = f"{server.base_url}/api/v1/suche?{urlencode(params, doseq=True)}"
            target = LoadTarget(f"{clerk}: {query}", url, headers)
            answer = httpx.get(url, headers=headers, timeout=60)
            if answer.status_code != 200:
                fail(report, f"{base['database']}: GET {url} answered {answer.status_code}")
                continue
            if answer.json()["count"] != hits.get((clerk, query)):
                fail(
                    report,
                    f"{base['database']}: the API found {answer.json()['count']} for {clerk}, "
                    f"{query}; the selector {hits.get((clerk, query))}",
                )
            if not warmed:  # both granian workers: each imports and opens the index once
                run_load(target, max(config.warmup, 3.0), replace(config, connections=4))
                warmed = True
            print(f"   API {clerk}, {query}: {config.duration:g} s, 1 connection", flush=True)
            row = measure(target, one, server)
            report.rows.append(
                _with_target(
                    {
                        **base,
                        "clerk": clerk,
                        "query": query,
                        "hits": answer.json()["count"],
                        "path": PATHS[0],
                        "p50_ms": row["p50_ms"],
                        "p95_ms": row["p95_ms"],
                        "p99_ms": row["p99_ms"],
                        "calls": row["requests"],
                        "errors": row["errors"],
                        "server_cpu_ms_per_request": row["server_cpu_ms_per_request"],
                        "other_cores": row["other_cores"],
                    }
                )
            )


def _write_profile(database: str, size: int, profile: str) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"suche-profile-{database.lower()}-{size}.txt"
    path.write_text(profile)
    print(f"   cProfile of the selector: {path}", flush=True)


def _with_target(row: dict[str, Any]) -> dict[str, Any]:
    p95 = row.get("p95_ms")
    ok = p95 is not None and p95 == p95 and p95 <= TARGET_P95_MS and not row.get("errors")
    return {**row, "meets_target": "yes" if ok else "NO"}


def _add_ratios(report: Report, sizes: list[int]) -> None:
    rows = {
        (r["database"], r["documents"], r["clerk"], r["query"], r["path"]): r for r in report.rows
    }
    largest, smallest = sizes[-1], sizes[0]
    for (database, size, clerk, query, path), row in rows.items():
        scope = f"{database}, {size:,}, {clerk}, {query}"
        same = rows.get((database, size, clerk, query, PATHS[2]))
        top = rows.get((database, size, clerk, query, PATHS[3]))
        if path == PATHS[1] and same:
            report.ratios += [
                {
                    "scope": scope,
                    "ratio": f"{p} selector ÷ engine same work",
                    "value": ratio(row[f"{p}_ms"], same[f"{p}_ms"]),
                }
                for p in ("p50", "p95")
            ]
        if path == PATHS[0] and same and top:
            report.ratios += [
                {
                    "scope": scope,
                    "ratio": "p50 API ÷ engine same work",
                    "value": ratio(row["p50_ms"], same["p50_ms"]),
                },
                {
                    "scope": scope,
                    "ratio": "p50 API ÷ engine top 20",
                    "value": ratio(row["p50_ms"], top["p50_ms"]),
                },
            ]
        if size == largest and largest != smallest:
            small = rows.get((database, smallest, clerk, query, path))
            if small:
                report.ratios.append(
                    {
                        "scope": f"{database}, {clerk}, {query}, {path}",
                        "ratio": f"p95 growth {smallest:,} → {largest:,}",
                        "value": ratio(row["p95_ms"], small["p95_ms"]),
                    }
                )
    for database in dict.fromkeys(r["database"] for r in report.rows):
        at = [
            r
            for r in report.rows
            if r["database"] == database and r["documents"] == largest and r["path"] == PATHS[0]
        ]
        if at:
            worst = max(at, key=lambda r: r["p95_ms"] if r["p95_ms"] == r["p95_ms"] else 0)
            met = "met" if all(r["meets_target"] == "yes" for r in at) else "NOT met"
            report.notes.append(
                f"{database}: API p95 at {largest:,} Dokumente, worst {worst['p95_ms']:.1f} ms "
                f"({worst['clerk']}, {worst['query']}) — target ≤ {TARGET_P95_MS:.0f} ms {met}"
            )
    report.notes.append(
        f"targets: API ÷ bare engine ≤ {TARGET_RATIO}, growth {smallest:,} → {largest:,} ≤ "
        f"{TARGET_GROWTH}× (the issue's sizes are 100,000 → 1,000,000)"
    )


def _driver(inst: Instance, params: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`in_process` in ``amtsfluss shell`` (the instance's settings and database)."""
    code = (
        f"import sys; sys.path.insert(0, {str(REPO_DIR)!r}); "
        f"from bench.suche import in_process; in_process({json.dumps(params)!r})"
    )
    timeout = GROW_TIMEOUT if params["mode"] == "grow" else DRIVER_TIMEOUT
    output = inst.run("shell", "-v", "0", "-c", code, timeout=timeout)
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_MARK):
            return dict(json.loads(line.removeprefix(RESULT_MARK)))
    raise BenchError(f"the in-process driver printed no result:\n{output[-3000:]}")


# --- the driver (inside ``amtsfluss shell``) --------------------------------------------------
def in_process(params_json: str) -> None:
    params = json.loads(params_json)
    driver = _Driver()
    mode = params["mode"]
    if mode == "setup":
        result: dict[str, Any] = driver.setup()
    elif mode == "grow":
        result = driver.grow(int(params["to"]), int(params["seed"]))
    elif mode == "sessions":
        result = driver.sessions()
    else:
        result = driver.measure()
    sys.stdout.write(RESULT_MARK + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


#: the bare engine doing our work, its top 20 alone, and the plan (for the JSON)
_Bare = tuple[Callable[[], object], Callable[[], object], Any]


class _Driver:
    def __init__(self) -> None:
        from django.db import connection

        from amtsfluss.core.demo import DEMO_SLUG
        from amtsfluss.core.models import Mandant
        from amtsfluss.suche.backends import backend_name

        self.connection = connection
        self.mandant = Mandant.objects.get(slug=DEMO_SLUG)
        self.postgres = connection.vendor == "postgresql"
        #: PostgreSQL full text; tantivy and served both keep a tantivy index in SEARCH_DIR
        self.full_text_in_database = backend_name() == "postgres"

    def _units(self) -> list[int]:
        from amtsfluss.core.models import Organisationseinheit

        codes = [f"{UNIT_PARENT}.{n:02d}" for n in range(1, UNITS + 1)]
        found = dict(
            Organisationseinheit.objects.filter(mandant=self.mandant, code__in=codes).values_list(
                "code", "pk"
            )
        )
        return [found[code] for code in codes]

    def setup(self) -> dict[str, Any]:
        from amtsfluss.core.models import Organisationseinheit, Role, UnitKind
        from amtsfluss.core.services.organisation import membership_grant, unit_create
        from amtsfluss.core.services.users import staff_user_create

        parent = unit_create(
            mandant=self.mandant,
            code=UNIT_PARENT,
            name="Benchmark-Fachbereich",
            kind=UnitKind.FACHBEREICH,
            by=None,
        )
        for n in range(1, UNITS + 1):
            unit_create(
                mandant=self.mandant,
                code=f"{UNIT_PARENT}.{n:02d}",
                name=f"Sachgebiet {n}",
                kind=UnitKind.SACHGEBIET,
                parent=parent,
                by=None,
            )
        units = Organisationseinheit.objects.in_bulk(self._units())
        for username, count in CLERKS.values():
            user = staff_user_create(
                mandant=self.mandant, username=username, password=None, by=None
            )
            for unit_id in self._units()[:count]:
                membership_grant(user=user, unit=units[unit_id], role=Role.SACHBEARBEITUNG, by=None)
        return {"units": len(units)}

    # --- growing the corpus -------------------------------------------------------------

    def grow(self, to: int, seed: int) -> dict[str, Any]:
        from django.db.models import Max

        from amtsfluss.akte.models import Akte, Dokument
        from amtsfluss.akte.scale import create_scale_data

        have = self._bench_documents()
        added = to - have
        if added <= 0:
            raise RuntimeError(f"the corpus has {have:,} Dokumente already")
        last_akte = Akte.objects.aggregate(m=Max("pk"))["m"] or 0
        last_dokument = Dokument.objects.aggregate(m=Max("pk"))["m"] or 0
        started = time.perf_counter()
        create_scale_data(mandant=self.mandant, dokumente=added, seed=seed)
        self._spread(last_akte)
        rows_s = time.perf_counter() - started
        started = time.perf_counter()
        chars = self._texts(last_dokument, seed)
        texts_s = time.perf_counter() - started
        started = time.perf_counter()
        self._index(last_dokument)
        index_s = time.perf_counter() - started
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if self.postgres else "ANALYZE")
        analyze_s = time.perf_counter() - started
        return {
            "documents": self._bench_documents(),
            "added": added,
            "rows_s": rows_s,
            "texts_s": texts_s,
            "index_s": index_s,
            "analyze_s": analyze_s,
            "per_s": added / (rows_s + texts_s + index_s + analyze_s),
            "database_mib": self._database_bytes() / 2**20,
            "index_mib": self._index_bytes() / 2**20,
            "text_chars": chars / added,
        }

    def _bench_documents(self) -> int:
        from amtsfluss.akte.models import Dokument

        return Dokument.objects.filter(
            vorgang__akte__federfuehrende_oe_id__in=self._units()
        ).count()

    def _spread(self, after_akte: int) -> None:
        """The new Akten (and their Vorgänge) evenly over the 50 units, by id."""
        units = self._units()
        cases = " ".join(f"WHEN {n} THEN {pk}" for n, pk in enumerate(units))
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE akte_akte SET federfuehrende_oe_id = CASE MOD(id, {len(units)}) {cases} "  # noqa: S608 (ids and counts of ours)
                "END WHERE id > %s AND mandant_id = %s",
                [after_akte, self.mandant.pk],
            )
            cursor.execute(
                "UPDATE akte_vorgang SET bearbeitende_oe_id = (SELECT a.federfuehrende_oe_id "
                "FROM akte_akte a WHERE a.id = akte_vorgang.akte_id) WHERE akte_id > %s",
                [after_akte],
            )

    def _texts(self, after_dokument: int, seed: int) -> int:
        """A text for the current version of every new Dokument, inserted in batches."""
        from django.db import transaction
        from django.utils import timezone

        maker = TextMaker(seed)
        now = timezone.now()
        chars = 0
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT v.id, d.dokumenttyp FROM akte_dokumentversion v JOIN akte_dokument d "
                "ON d.id = v.dokument_id WHERE d.id > %s AND v.ist_aktuell ORDER BY d.id",
                [after_dokument],
            )
            versions = cursor.fetchall()
        for first in range(0, len(versions), TEXT_BATCH):
            rows = []
            for version_id, typ in versions[first : first + TEXT_BATCH]:
                text = maker.text(typ)
                chars += len(text)
                rows.append((self.mandant.pk, version_id, text, "ocr", "deu", now))
            with transaction.atomic(), self.connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO suche_dokumenttext (mandant_id, dokumentversion_id, text, "
                    "source, language, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                    rows,
                )
        return chars

    def _index(self, after_dokument: int) -> None:
        """The backend's bulk path: entries built from the database, replaced in batches."""
        from amtsfluss.akte.models import Dokument
        from amtsfluss.suche.backends import get_backend
        from amtsfluss.suche.entries import entries_for

        backend = get_backend()
        ids = list(
            Dokument.objects.filter(mandant=self.mandant, pk__gt=after_dokument)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for first in range(0, len(ids), INDEX_BATCH):
            backend.replace(self.mandant, entries_for(ids[first : first + INDEX_BATCH]), wait=True)

    def _database_bytes(self) -> int:
        import os

        if self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_database_size(current_database())")
                return int(cursor.fetchone()[0])
        return os.path.getsize(self.connection.settings_dict["NAME"])

    def _index_bytes(self) -> int:
        if self.full_text_in_database:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_total_relation_size('suche_eintrag')")
                return int(cursor.fetchone()[0])
        from amtsfluss.suche.backends.tantivy_index import index_dir

        return sum(p.stat().st_size for p in index_dir(self.mandant).rglob("*") if p.is_file())

    # --- measuring ----------------------------------------------------------------------

    def measure(self) -> dict[str, Any]:
        from amtsfluss.core.models import User

        rows: list[dict[str, Any]] = []
        plans: dict[str, Any] = {}
        for clerk, (username, _count) in CLERKS.items():
            user = User.objects.select_related("mandant").get(username=username)
            for query, text, api in self._queries():
                found, timings, plan = self._measure_query(user, text, api)
                plans[f"{clerk}: {query}"] = plan
                for path, timing in timings.items():
                    rows.append(
                        {"clerk": clerk, "query": query, "hits": found, "path": path, **timing}
                    )
                print(f"{clerk}, {query}: {found} hits", flush=True)
        return {
            "rows": rows,
            "plans": plans,
            "profile": self._profile(),
            "api_params": {query: {"q": text, **api} for query, text, api in self._queries()},
        }

    def _profile(self) -> str:
        """cProfile of 20 selector calls: the one-unit clerk's common-word query."""
        import cProfile
        import io
        import pstats

        from amtsfluss.core.models import User
        from amtsfluss.core.permissions import Principal
        from amtsfluss.suche.selectors import search

        user = User.objects.select_related("mandant").get(username=CLERKS["1 of 50 units"][0])
        text = QUERIES[0][1]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            search(principal=Principal.for_user(user), query=text)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(60)
        stats.sort_stats("tottime").print_stats(30)
        return f"20 calls of search() for {text!r} as {user.username}\n{out.getvalue()}"

    def _queries(self) -> list[tuple[str, str, dict[str, Any]]]:
        from django.utils import timezone

        von = date(timezone.localdate().year - 2, 1, 1).isoformat()
        return [
            (name, text, {k: von if k == "von" else v for k, v in api.items()})
            for name, text, api in QUERIES
        ]

    def sessions(self) -> dict[str, str]:
        """A fresh session per clerk (as a login leaves it), for the HTTP measurements."""
        from django.test import Client

        from amtsfluss.core.models import User
        from amtsfluss.core.services.auth import SESSION_LOGIN_AT, SESSION_SEEN_AT

        found = {}
        for clerk, (username, _count) in CLERKS.items():
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(User.objects.get(username=username))
            session = client.session
            session[SESSION_LOGIN_AT] = session[SESSION_SEEN_AT] = time.time()
            session.save()
            found[clerk] = str(session.session_key)
        return found

    def _measure_query(
        self, user: Any, text: str, api: dict[str, Any]
    ) -> tuple[int, dict[str, dict[str, Any]], Any]:
        from amtsfluss.core.permissions import Principal
        from amtsfluss.suche.backends.base import EngineQuery, Filters
        from amtsfluss.suche.indexing import hidden_akten
        from amtsfluss.suche.keys import principal_keys
        from amtsfluss.suche.query import parse
        from amtsfluss.suche.selectors import search

        filters = Filters(
            date_from=date.fromisoformat(api["von"]) if api.get("von") else None,
            dokumenttypen=tuple(api.get("dokumenttyp", ())),
        )

        def ours() -> Any:
            return search(principal=Principal.for_user(user), query=text, filters=filters)

        found = ours().total
        principal = Principal.for_user(user)
        engine_query = EngineQuery(
            parsed=parse(text),
            filters=filters,
            keys=principal_keys(principal),
            hidden_akten=hidden_akten(self.mandant),
        )
        timings = {PATHS[1]: _timed(ours)}
        if self.full_text_in_database:
            same, top, plan = self._bare_postgres(ours)
        else:
            same, top, plan = self._bare_tantivy(engine_query)
        timings[PATHS[2]] = _timed(same)
        timings[PATHS[3]] = _timed(top)
        return found, timings, plan

    def _bare_tantivy(self, engine_query: Any) -> _Bare:
        import tantivy

        from amtsfluss.suche.backends.base import FACETS
        from amtsfluss.suche.backends.tantivy_index import SCHEMA, compile_query, index_dir
        from amtsfluss.suche.text import ANALYZER_NAME, build_analyzer

        index = tantivy.Index(SCHEMA, path=str(index_dir(self.mandant)), reuse=True)
        index.register_tokenizer(ANALYZER_NAME, build_analyzer())
        searcher = index.searcher()
        compiled = compile_query(engine_query)
        aggregations = {name: {"terms": {"field": name, "size": 1000}} for name in FACETS}

        def same() -> object:
            found = searcher.search(compiled, limit=20, count=True)
            ids = searcher.fast_field_values("dokument", [address for _, address in found.hits])
            return ids, getattr(found, "count", None), searcher.aggregate(compiled, aggregations)

        def top() -> object:
            found = searcher.search(compiled, limit=20, count=False)
            return searcher.fast_field_values("dokument", [address for _, address in found.hits])

        return same, top, str(compiled)[:2000]

    def _bare_postgres(self, ours: Callable[[], object]) -> _Bare:
        statements: list[tuple[str, Any]] = []

        def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if "suche_eintrag" in sql:
                statements.append((sql, params))
            return execute(sql, params, many, context)

        with self.connection.execute_wrapper(capture):
            ours()
        if len(statements) != 2:
            raise RuntimeError(f"expected 2 statements on suche_eintrag, saw {len(statements)}")
        raw = self.connection.connection  # the bare psycopg connection

        def run(chosen: list[tuple[str, Any]]) -> object:
            with raw.cursor() as cursor:
                for sql, params in chosen:
                    cursor.execute(sql, params)
                    cursor.fetchall()
            return None

        plan = []
        with raw.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan.append("\n".join(row[0] for row in cursor.fetchall()))
        return (lambda: run(statements)), (lambda: run(statements[:1])), plan


def _timed(call: Callable[[], object]) -> dict[str, Any]:
    """p50/p95/p99/min in ms over up to CALLS calls (at least MIN_CALLS, CALL_BUDGET_S)."""
    for _ in range(WARMUP_CALLS):
        call()
    times: list[float] = []
    deadline = time.perf_counter() + CALL_BUDGET_S
    while len(times) < CALLS and (len(times) < MIN_CALLS or time.perf_counter() < deadline):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "p99_ms": percentile(times, 99),
        "min_ms": min(times),
        "calls": len(times),
    }

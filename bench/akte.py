"""E-Akte: 'Mein Posteingang' and the Akte page of a clerk at 1,000,000 Dokumente.

Issue "E-Akte": with 1,000,000 Dokumente in 200,000 Vorgänge, on SQLite and on PostgreSQL, the
p95 of the inbox page and of the Akte page for a clerk whose unit sees a tenth of it; target
≤ 100 ms on 2 cores.

Per database, in a fresh instance (migrate, demo, collectstatic):

1. query counts of the four targets at demo size (the test Client, in-process);
2. the corpus: ``amtsfluss demo --scale N`` (timed: "corpus build"), then ``ANALYZE``
   (PostgreSQL: ``VACUUM ANALYZE``);
3. in-process, side by side (a driver in ``amtsfluss shell`` with the instance's settings): the
   pages through Django's test Client, the selectors (``inbox_page``, ``access_akte``,
   ``akte_cover``), their bare SQL run raw, ``EXPLAIN`` of that SQL, the query count per request
   again at size N, a breakdown of a page request (SQL, SQL compilation, permission query
   building, templates, API serialisation) and a cProfile of each page;
4. ``amtsfluss serve --no-worker`` (granian) and wrk on each target, with ``--connections``
   connections and with one.

A target that answers 404 is recorded as "not available" (pages still being built); the others
are measured anyway.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from functools import wraps
from typing import Any

import httpx

from bench.common import (
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
    cpu_seconds_between,
    cpu_seconds_by_pid,
    fail,
    generator_description,
    instance,
    measure,
    percentile,
    pids_named,
    postgres_unreachable,
    postgres_url,
    ratio,
    redact,
    resolve_generator,
    serve,
    usable_cpus,
    warn,
    wrk_path,
)

# the demo clerk and the login fallback are the platform benchmark's
from bench.platform import SESSION_COOKIE, STAFF_USER, _staff_session

DEFAULT_DOCUMENTS = 1_000_000  # the size: 200,000 Vorgänge in 40,000 Akten
DOCUMENTS_ENV = "AMTSFLUSS_BENCH_DOCUMENTS"  # or --documents N
FOCUS_UNIT = "32.1"  # the clerk's unit; holds every tenth Akte (akte/scale.py)
TARGET_P95_MS = 100.0
SCALE_TIMEOUT = 6 * 3600  # the corpus build: ~5 min per million Dokumente on SQLite
DRIVER_TIMEOUT = 2 * 3600

# in-process measurements
CALLS = 200  #: calls per measurement …
MIN_CALLS = 30  #: … at least this many …
CALL_BUDGET_S = 40.0  #: … and no more once this time is spent (slow pages at 1M)
WARMUP_CALLS = 5
BREAKDOWN_CALLS = 30
PROFILE_CALLS = 20
RESULT_MARK = "BENCH_AKTE_RESULT "
BIG_TABLES = ("akte_akte", "akte_vorgang", "akte_dokument", "akte_dokumentversion")

#: (key, path; "{akte}" is the Akte's id). Other engineers build the pages and the API.
TARGETS: list[tuple[str, str]] = [
    ("/intern/posteingang/", "/intern/posteingang/"),
    ("/intern/akten/<id>/", "/intern/akten/{akte}/"),
    ("/api/v1/inbox", "/api/v1/inbox"),
    ("/api/v1/akten/<id>", "/api/v1/akten/{akte}"),
]
#: target → (selector row, raw SQL row) it is compared with, side by side
CHAIN = {
    "/intern/posteingang/": ("inbox_page()", "raw SQL: inbox list + count"),
    "/api/v1/inbox": ("inbox_page()", "raw SQL: inbox list + count"),
    "/intern/akten/<id>/": ("access_akte() + akte_cover()", "raw SQL: access_akte + akte_cover"),
    "/api/v1/akten/<id>": ("access_akte()", "raw SQL: access_akte"),
}

HTTP_COLUMNS = [
    Column("database", "database"),
    Column("target", "target"),
    Column("connections", "conns", "d"),
    Column("status", "status"),
    Column("rps", "req/s", ",.1f"),
    Column("p50_ms", "p50 ms", ".1f"),
    Column("p95_ms", "p95 ms", ".1f"),
    Column("p99_ms", "p99 ms", ".1f"),
    Column("meets_target", f"p95≤{TARGET_P95_MS:.0f}"),
    Column("errors", "errors", "d"),
    Column("requests", "requests", ",d"),
    Column("server_cpu_ms_per_request", "CPU ms/req", ".2f"),
    Column("server_cores", "cores: server", ".2f"),
    Column("generator_cores", "loadgen", ".2f"),
    Column("database_cores", "PG", ".2f"),
    Column("other_cores", "other", ".2f"),
    Column("machine_busy_pct", "busy %", ".0f"),
    Column("load_1min", "load", ".2f"),
]
SETUP_COLUMNS = [
    Column("database", "database"),
    Column("dokumente", "Dokumente", ",d"),
    Column("vorgaenge", "Vorgänge", ",d"),
    Column("akten", "Akten", ",d"),
    Column("unit_akten", f"Akten {FOCUS_UNIT}", ",d"),
    Column("unit_vorgaenge", f"Vorgänge {FOCUS_UNIT}", ",d"),
    Column("inbox_total", "inbox rows", ",d"),
    Column("corpus_build_s", "corpus build s", ",.0f"),
    Column("dokumente_per_s", "Dok./s", ",.0f"),
    Column("analyze_s", "ANALYZE s", ",.1f"),
    Column("database_mib", "DB MiB", ",.0f"),
    Column("akte_id", "Akte id"),
]
IN_PROCESS_COLUMNS = [
    Column("database", "database"),
    Column("kind", "kind"),
    Column("what", "what"),
    Column("calls", "calls", "d"),
    Column("p50_ms", "p50 ms", ".2f"),
    Column("p95_ms", "p95 ms", ".2f"),
    Column("p99_ms", "p99 ms", ".2f"),
    Column("min_ms", "min ms", ".2f"),
    Column("cpu_ms", "CPU ms/call", ".2f"),
    Column("db_cpu_ms", "PG CPU ms/call", ".2f"),
    Column("queries", "queries", "d"),
    Column("load_1min", "load", ".2f"),
]
CHAIN_COLUMNS = [
    Column("database", "database"),
    Column("target", "target"),
    Column("http_p50_1", "HTTP p50 1 conn", ".1f"),
    Column("http_p95_n", "HTTP p95 N conns", ".1f"),
    Column("http_cpu", "HTTP CPU ms/req", ".1f"),
    Column("page_p50", "in-proc page p50", ".1f"),
    Column("selector", "selector"),
    Column("selector_p50", "selector p50", ".1f"),
    Column("raw_p50", "raw SQL p50", ".2f"),
    Column("http_over_selector", "HTTP÷selector", ".2f"),
    Column("page_over_selector", "page÷selector", ".2f"),
    Column("selector_over_raw", "selector÷raw", ".2f"),
]
BREAKDOWN_COLUMNS = [
    Column("database", "database"),
    Column("target", "target"),
    Column("calls", "calls", "d"),
    Column("total_ms", "total ms", ".1f"),
    Column("sql_ms", "SQL ms", ".1f"),
    Column("queries", "queries", ".0f"),
    Column("compile_ms", "compile ms", ".1f"),
    Column("permission_ms", "permitted() ms", ".1f"),
    Column("template_ms", "templates ms", ".1f"),
    Column("serialize_ms", "API out ms", ".1f"),
    Column("other_ms", "other ms", ".1f"),
]
QUERY_COUNT_COLUMNS = [
    Column("database", "database"),
    Column("target", "target"),
    Column("demo_size", "at demo size", "d"),
    Column("at_n", "at N", "d"),
    Column("corpus_akte", "at N, corpus Akte", "d"),
    Column("constant", "constant"),
]
PLAN_COLUMNS = [
    Column("database", "database"),
    Column("query", "query"),
    Column("ms", "EXPLAIN ANALYZE ms", ".1f"),
    Column("read", "rows read from big tables (PG: × loops)"),
    Column("verdict", "full scans over a big table"),
]


def add_arguments(parser: argparse.ArgumentParser | Any) -> None:
    """Options of this benchmark, for ``python -m bench`` (see the README)."""
    parser.add_argument(
        "--documents",
        type=int,
        default=None,
        metavar="N",
        help=f"akte: Dokumente in the corpus ({DEFAULT_DOCUMENTS:,}; 100000 for a quick run)",
    )


def documents_wanted(config: Config) -> int:
    """``--documents``, else ``$AMTSFLUSS_BENCH_DOCUMENTS``, else the issue's 1,000,000."""
    value = config.options.get("documents") or os.environ.get(DOCUMENTS_ENV) or DEFAULT_DOCUMENTS
    try:
        documents = int(value)
    except ValueError:
        raise BenchError(f"{DOCUMENTS_ENV}={value!r} is not a number") from None
    if documents < 1000:
        raise BenchError("use at least 1000 Dokumente (the Akte page needs a full Akte)")
    return documents


# --- the benchmark (parent process) ------------------------------------------------------------
def run(config: Config) -> Report:
    documents = documents_wanted(config)
    report = Report("akte", HTTP_COLUMNS)
    report.data["documents"] = documents
    generator = resolve_generator(config)
    report.data["generator"] = generator_description(generator)
    if generator == "python":
        why = "--generator python" if wrk_path() else "wrk is not installed (apt-get install wrk)"
        warn(report, f"{why}: the Python load generator may be the bottleneck")
    tables = {
        "setup": Table("Corpus and setup", SETUP_COLUMNS),
        "queries": Table(
            "Queries per request (test Client, in-process; the Akte targets: a demo Akte of "
            "the unit at both sizes, then the corpus Akte)",
            QUERY_COUNT_COLUMNS,
        ),
        "in_process": Table(
            f"In-process, side by side (one thread, no HTTP; p50/p95 over up to {CALLS} calls)",
            IN_PROCESS_COLUMNS,
        ),
        "chain": Table("Page ÷ selector ÷ raw SQL (p50, same run)", CHAIN_COLUMNS),
        "breakdown": Table(
            f"Where a request's time goes (in-process, mean of {BREAKDOWN_CALLS} requests)",
            BREAKDOWN_COLUMNS,
        ),
        "plans": Table("Query plans (EXPLAIN; full text in the JSON)", PLAN_COLUMNS),
    }
    report.tables = list(tables.values())

    databases = [Database("SQLite")]
    url = postgres_url()
    report.data["postgres_url"] = redact(url)
    if reason := postgres_unreachable(url):
        warn(report, f"PostgreSQL is not reachable at {redact(url)} ({reason}): its run is SKIPPED")
        report.data["skipped"] = [{"database": "PostgreSQL", "reason": reason}]
    else:
        databases.append(Database("PostgreSQL", url))

    print(f"   corpus: {documents:,} Dokumente per database", flush=True)
    for database in databases:
        try:
            _run_database(database, config, report, tables, documents)
        except BenchError as exc:
            fail(report, f"{database.name}: {exc}")

    tables["chain"].rows = _chain_rows(report)
    _add_ratios(report)
    report.notes += [
        f"load generator: {report.data['generator']}",
        f"corpus: `amtsfluss demo --scale {documents}` (fixed seed); the clerk "
        f"`{STAFF_USER}` (Sachbearbeitung of unit {FOCUS_UNIT}, which holds every tenth Akte)",
        f"HTTP rows: {config.connections} connections = load (latency includes queueing in "
        "granian's 2 workers × 4 threads); 1 connection = one clerk alone",
        "CPU ms/req = the server's CPU time per request; PG = all postgres processes; other = "
        f"the rest of this machine (noise); busy % = share of all {usable_cpus()} cores; "
        "load = 1-minute load average when the row started",
        "in-process: selectors called with a fresh Principal each time (as a request does), "
        "raw SQL = the statements the selector sent, run again through a bare cursor",
    ]
    return report


def _run_database(
    database: Database,
    config: Config,
    report: Report,
    tables: dict[str, Table],
    documents: int,
) -> None:
    name = database.name
    print(f"-- {name}: migrate, demo, collectstatic in a fresh data dir", flush=True)
    with instance(database) as inst:
        before = _driver(inst, {"mode": "queries"})
        print(
            f"   {name}: demo --scale {documents} (corpus build; about 5 min per million on "
            "SQLite) …",
            flush=True,
        )
        started = time.perf_counter()
        output = inst.run("demo", "--scale", str(documents), timeout=SCALE_TIMEOUT)
        build_s = time.perf_counter() - started
        print(f"   {name}: corpus built in {build_s:,.0f} s: {output.strip()}", flush=True)
        analyze = json.loads(_last_line(inst.run("shell", "-v", "0", "-c", ANALYZE_CODE)))
        print(f"   {name}: {analyze['statement']} in {analyze['seconds']:.1f} s", flush=True)
        print(
            f"   {name}: in-process measurements (selectors, raw SQL, pages, plans) …", flush=True
        )
        after = _driver(
            inst,
            {
                "mode": "full",
                "after_akte_pk": before["facts"]["max_akte_pk"],
                "demo_akte": before["akte_id"],
            },
        )
        facts = after["facts"]
        report.data.setdefault("databases", {})[name] = {
            "facts": facts,
            "analyze": analyze,
            "corpus_build_output": output.strip(),
            "query_counts_demo_size": before["query_counts"],
            "query_counts_demo_akte": after["query_counts_demo_akte"],
            "query_counts": after["query_counts"],
            "plans": after["plans"],
            "profiles": after["profiles"],
            "settings": after["settings"],
        }
        _write_profiles(name, after["profiles"])
        tables["setup"].rows.append(
            {
                "database": name,
                **{key: facts[key] for key in ("dokumente", "vorgaenge", "akten")},
                "unit_akten": facts["unit_akten"],
                "unit_vorgaenge": facts["unit_vorgaenge"],
                "inbox_total": facts["inbox_total"],
                "corpus_build_s": build_s,
                "dokumente_per_s": documents / build_s,
                "analyze_s": analyze["seconds"],
                "database_mib": facts["database_bytes"] / 2**20,
                "akte_id": f"{after['akte_id']} ({facts['akte_vorgaenge']} Vorg., "
                f"{facts['akte_dokumente']} Dok.)",
            }
        )
        for key, path in TARGETS:
            small, large = before["query_counts"][key], after["query_counts_demo_akte"][key]
            corpus = after["query_counts"][key] if "{akte}" in path else None
            tables["queries"].rows.append(
                {
                    "database": name,
                    "target": key,
                    "demo_size": small["queries"] if small["status"] == 200 else None,
                    "at_n": large["queries"] if large["status"] == 200 else None,
                    "corpus_akte": corpus["queries"]
                    if corpus and corpus["status"] == 200
                    else None,
                    "constant": _constant(small, large, corpus),
                }
            )
        tables["in_process"].rows += [{"database": name, **row} for row in after["rows"]]
        tables["breakdown"].rows += [{"database": name, **row} for row in after["breakdown"]]
        tables["plans"].rows += [
            {
                "database": name,
                "query": plan["query"],
                "ms": plan["ms"],
                "read": plan["read"],
                "verdict": plan["verdict"],
            }
            for plan in after["plans"]
        ]
        with serve(inst) as server:
            print(f"   {name}: server up at {server.base_url} (granian, 2 WSGI workers)")
            session = _staff_session(inst, server, report)
            _measure_http(name, database, config, report, server, session, after["akte_id"])


def _constant(small: dict[str, Any], large: dict[str, Any], corpus: dict[str, Any] | None) -> str:
    """Whether the query count stays put when the data grows (same URL, demo size → N) and
    when the Akte holds more (demo Akte → corpus Akte with 5 Vorgänge and 25 Dokumente)."""
    statuses = [x["status"] for x in (small, large, corpus) if x is not None]
    if any(status != 200 for status in statuses):
        return f"not available (HTTP {next(s for s in statuses if s != 200)})"
    if small["queries"] != large["queries"]:
        return f"NO: {small['queries']} → {large['queries']} as the data grew"
    if corpus is None or corpus["queries"] == large["queries"]:
        return "yes"
    if corpus["queries"] > large["queries"]:
        return "NO: more queries for a fuller Akte"
    return "yes (the corpus Akte has fewer kinds of related rows)"


def _measure_http(
    name: str,
    database: Database,
    config: Config,
    report: Report,
    server: Server,
    session: str,
    akte_id: int,
) -> None:
    headers = {"Cookie": f"{SESSION_COOKIE}={session}"}
    watch = {"database": "postgres"} if database.url else None
    for key, path in TARGETS:
        target = LoadTarget(key, f"{server.base_url}{path.format(akte=akte_id)}", headers)
        status = _status(target)
        if status != 200:
            text = "not available (404)" if status == 404 else f"HTTP {status}"
            if status != 404:
                fail(report, f"{name}: GET {target.url} answered {status}:\n{server.log_tail()}")
            for connections in dict.fromkeys((config.connections, 1)):
                report.rows.append(
                    {"database": name, "target": key, "connections": connections, "status": text}
                )
            print(f"   {key}: {text}", flush=True)
            continue
        for connections in dict.fromkeys((config.connections, 1)):
            print(
                f"   {key}: {config.warmup:g} s warm-up, {config.duration:g} s with "
                f"{connections} connection(s)",
                flush=True,
            )
            load = os.getloadavg()[0]
            row = measure(target, replace(config, connections=connections), server, watch)
            after = _status(target)  # still answering (the session still valid)?
            report.rows.append(
                {
                    "database": name,
                    "target": key,
                    "connections": connections,
                    "status": _load_status(row, after, config),
                    **row,
                    "meets_target": "yes"
                    if row["requests"] and not row["errors"] and row["p95_ms"] <= TARGET_P95_MS
                    else "NO",
                    "load_1min": load,
                }
            )
            if after != 200:
                fail(report, f"{name}: {key} answered {after} after the load")


def _load_status(row: dict[str, Any], after: int, config: Config) -> str:
    if not row["requests"]:
        return f"no answer in {config.duration:g} s"
    if row["errors"]:
        return f"{row['errors']} errors"
    return "ok" if after == 200 else f"HTTP {after} after"


def _status(target: LoadTarget) -> int:
    answer = httpx.get(target.url, headers=target.headers, timeout=30, follow_redirects=False)
    return answer.status_code


def _driver(inst: Instance, params: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`in_process` in ``amtsfluss shell`` (the instance's settings and database)."""
    code = (
        f"import sys; sys.path.insert(0, {str(REPO_DIR)!r}); "
        f"from bench.akte import in_process; in_process({json.dumps(params)!r})"
    )
    output = inst.run("shell", "-v", "0", "-c", code, timeout=DRIVER_TIMEOUT)
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_MARK):
            return dict(json.loads(line.removeprefix(RESULT_MARK)))
    raise BenchError(f"the in-process driver printed no result:\n{output[-3000:]}")


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


ANALYZE_CODE = """
import json, time
from django.db import connection
statement = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
started = time.perf_counter()
with connection.cursor() as cursor:
    cursor.execute(statement)
print(json.dumps({"statement": statement, "seconds": time.perf_counter() - started}))
"""


def _write_profiles(database: str, profiles: dict[str, str]) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"akte-profile-{database.lower()}.txt"
    path.write_text(
        "\n\n".join(f"===== {database} {target} =====\n{text}" for target, text in profiles.items())
    )
    print(f"   cProfile of the pages: {path}", flush=True)


def _chain_rows(report: Report) -> list[dict[str, Any]]:
    """Per database and target: HTTP, in-process page, selector and raw SQL, side by side."""
    in_process = next(t for t in report.tables if t.columns is IN_PROCESS_COLUMNS).rows
    rows = []
    for database in dict.fromkeys(row["database"] for row in report.rows):
        timings = {row["what"]: row for row in in_process if row["database"] == database}
        for key, _path in TARGETS:
            http = {
                row["connections"]: row
                for row in report.rows
                if row["database"] == database and row["target"] == key
            }
            one = http.get(1, {})
            loaded = next((row for c, row in http.items() if c != 1), one)
            selector_name, raw_name = CHAIN[key]
            page = timings.get(f"page {key}", {}).get("p50_ms")
            selector = timings.get(selector_name, {}).get("p50_ms")
            raw = timings.get(raw_name, {}).get("p50_ms")
            rows.append(
                {
                    "database": database,
                    "target": key,
                    "http_p50_1": one.get("p50_ms"),
                    "http_p95_n": loaded.get("p95_ms"),
                    "http_cpu": loaded.get("server_cpu_ms_per_request"),
                    "page_p50": page,
                    "selector": selector_name,
                    "selector_p50": selector,
                    "raw_p50": raw,
                    "http_over_selector": _ratio(one.get("p50_ms"), selector),
                    "page_over_selector": _ratio(page, selector),
                    "selector_over_raw": _ratio(selector, raw),
                }
            )
    return rows


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None:
        return None
    return ratio(numerator, denominator)


def _add_ratios(report: Report) -> None:
    chain = next(t for t in report.tables if t.columns is CHAIN_COLUMNS).rows
    for row in chain:
        for key, label in (
            ("http_over_selector", "HTTP p50 (1 conn) ÷ selector p50"),
            ("page_over_selector", "in-process page p50 ÷ selector p50"),
            ("selector_over_raw", "selector p50 ÷ raw SQL p50"),
        ):
            if row[key] is not None:
                report.ratios.append(
                    {
                        "scope": f"{row['database']} {row['target']}",
                        "ratio": f"{label} ({row['selector']})",
                        "value": row[key],
                    }
                )
    rows = {
        (row["database"], row["target"], row["connections"]): row
        for row in report.rows
        if row.get("status") == "ok"
    }
    for (database, target, connections), postgres in rows.items():
        sqlite = rows.get(("SQLite", target, connections))
        if database != "PostgreSQL" or sqlite is None:
            continue
        for key, label in (("p95_ms", "p95"), ("server_cpu_ms_per_request", "server CPU ms/req")):
            report.ratios.append(
                {
                    "scope": f"{target} ({connections} conns)",
                    "ratio": f"{label} PostgreSQL ÷ SQLite",
                    "value": ratio(postgres[key], sqlite[key]),
                }
            )


# --- the in-process driver (runs inside `amtsfluss shell`) -------------------------------------
def in_process(params_json: str) -> None:
    """Entry point of the driver: measure, then print one result line for the parent."""
    params = json.loads(params_json)
    driver = _Driver()
    result = driver.query_mode() if params["mode"] == "queries" else driver.full_mode(params)
    sys.stdout.write(RESULT_MARK + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


class _Driver:
    def __init__(self) -> None:
        from django.db import connection

        from amtsfluss.core.demo import DEMO_SLUG
        from amtsfluss.core.models import User

        self.connection = connection
        self.user = User.objects.select_related("mandant").get(
            username=STAFF_USER, mandant__slug=DEMO_SLUG
        )
        self.postgres = connection.vendor == "postgresql"

    # --- modes ------------------------------------------------------------------------------

    def query_mode(self) -> dict[str, Any]:
        """At demo size: an Akte of the clerk's unit and the query count of every target."""
        from django.db.models import Max

        from amtsfluss.akte.models import Akte

        akte = self._akten().filter(vorgaenge__isnull=False).order_by("pk").first()
        if akte is None:
            raise RuntimeError(f"the demo has no open Akte of unit {FOCUS_UNIT}")
        return {
            "akte_id": akte.pk,
            "facts": {"max_akte_pk": Akte.objects.aggregate(m=Max("pk"))["m"] or 0},
            "query_counts": self._query_counts(akte.pk),
        }

    def full_mode(self, params: dict[str, Any]) -> dict[str, Any]:
        akte_id = self._representative_akte(params["after_akte_pk"])
        client = self._client()
        query_counts = self._query_counts(akte_id)
        demo_akte_counts = self._query_counts(params["demo_akte"])
        pages = {
            key: path.format(akte=akte_id)
            for key, path in TARGETS
            if query_counts[key]["status"] == 200
        }
        statements = self._statements(akte_id)
        rows = self._selector_rows(akte_id, statements)
        for key, path in pages.items():
            row = self._timed(_getter(client, path))
            rows.append({"kind": "page", "what": f"page {key}", **row, **_q(query_counts[key])})
        return {
            "akte_id": akte_id,
            "facts": self._facts(akte_id),
            "settings": self._settings(),
            "query_counts": query_counts,
            "query_counts_demo_akte": demo_akte_counts,
            "rows": rows,
            "breakdown": [self._breakdown(client, key, path) for key, path in pages.items()],
            "profiles": {key: self._profile(client, path) for key, path in pages.items()},
            "plans": self._plans(statements),
        }

    # --- data -------------------------------------------------------------------------------

    def _akten(self) -> Any:
        from amtsfluss.akte.models import Akte, AktenStatus, Vertraulichkeit

        return Akte.objects.filter(
            mandant=self.user.mandant,
            federfuehrende_oe__code=FOCUS_UNIT,
            vertraulichkeit=Vertraulichkeit.OFFEN,
            status=AktenStatus.OFFEN,
        )

    def _representative_akte(self, after_pk: int) -> int:
        """An open Akte of the unit from the corpus with 5 Vorgänge and 25 Dokumente: the
        middle one by id (not the first or last, whose pages may sit in a warm cache)."""
        from amtsfluss.akte.models import Dokument, Vorgang

        ids: list[int] = list(
            self._akten().filter(pk__gt=after_pk).order_by("pk").values_list("pk", flat=True)
        )
        if not ids:
            raise RuntimeError(f"the corpus has no open Akte of unit {FOCUS_UNIT}")
        middle = len(ids) // 2
        nearest = sorted(range(len(ids)), key=lambda index: abs(index - middle))[:200]
        for pk in (ids[index] for index in nearest):
            if (
                Vorgang.objects.filter(akte_id=pk).count() == 5
                and Dokument.objects.filter(vorgang__akte_id=pk).count() == 25
            ):
                return pk
        return ids[middle]

    def _facts(self, akte_id: int) -> dict[str, Any]:
        from django.db.models import Max

        from amtsfluss.akte.models import Akte, Dokument, Dokumentversion, Vorgang
        from amtsfluss.akte.selectors.inbox import InboxView, inbox_page
        from amtsfluss.core.permissions import Principal

        principal = Principal.for_user(self.user)
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT pg_database_size(current_database()), version()")
                size, version = cursor.fetchone()
            else:
                cursor.execute("SELECT sqlite_version()")
                version = f"SQLite {cursor.fetchone()[0]}"
                size = os.path.getsize(self.connection.settings_dict["NAME"])
        return {
            "version": version,
            "database_bytes": size,
            "akten": Akte.objects.count(),
            "vorgaenge": Vorgang.objects.count(),
            "dokumente": Dokument.objects.count(),
            "dokumentversionen": Dokumentversion.objects.count(),
            "unit_akten": Akte.objects.filter(federfuehrende_oe__code=FOCUS_UNIT).count(),
            "unit_vorgaenge": Vorgang.objects.filter(bearbeitende_oe__code=FOCUS_UNIT).count(),
            "inbox_total": inbox_page(principal=principal, view=InboxView.ALL).total,
            "clerk_unit_ids": principal.unit_ids(),
            "clerk_acting_user_ids": principal.acting_user_ids(),
            "akte_vorgaenge": Vorgang.objects.filter(akte_id=akte_id).count(),
            "akte_dokumente": Dokument.objects.filter(vorgang__akte_id=akte_id).count(),
            "max_akte_pk": Akte.objects.aggregate(m=Max("pk"))["m"],
        }

    def _settings(self) -> dict[str, Any]:
        database = self.connection.settings_dict
        found: dict[str, Any] = {
            "vendor": self.connection.vendor,
            "conn_max_age": database.get("CONN_MAX_AGE"),
            "options": {k: str(v) for k, v in database.get("OPTIONS", {}).items()},
        }
        with self.connection.cursor() as cursor:
            if self.postgres:
                names = (
                    "shared_buffers",
                    "work_mem",
                    "effective_cache_size",
                    "random_page_cost",
                    "jit",
                    "max_parallel_workers_per_gather",
                )
                for name in names:
                    cursor.execute(f"SHOW {name}")
                    found[name] = cursor.fetchone()[0]
            else:
                for pragma in ("journal_mode", "synchronous", "cache_size", "mmap_size"):
                    cursor.execute(f"PRAGMA {pragma}")
                    found[pragma] = cursor.fetchone()[0]
        return found

    # --- requests ---------------------------------------------------------------------------

    def _client(self) -> Any:
        """The test Client, logged in as the clerk with ``force_login`` (host 127.0.0.1)."""
        from django.test import Client

        from amtsfluss.core.services.auth import SESSION_LOGIN_AT, SESSION_SEEN_AT

        # a page that fails (500) is a status to report, not the end of the run
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        client.force_login(self.user)
        session = client.session  # the session timeout middleware wants these set, as at login
        session[SESSION_LOGIN_AT] = session[SESSION_SEEN_AT] = time.time()
        session.save()
        return client

    def _query_counts(self, akte_id: int) -> dict[str, dict[str, Any]]:
        from django.test.utils import CaptureQueriesContext

        client = self._client()
        counts = {}
        for key, path in TARGETS:
            client.get(path.format(akte=akte_id))  # first request: caches, compiled templates
            with CaptureQueriesContext(self.connection) as captured:
                response = client.get(path.format(akte=akte_id))
            counts[key] = {
                "status": response.status_code,
                "queries": len(captured.captured_queries),
                "sql": [query["sql"][:400] for query in captured.captured_queries],
            }
        return counts

    # --- selectors and raw SQL --------------------------------------------------------------

    def _statements(self, akte_id: int) -> dict[str, list[str]]:
        """The SQL each selector sends (without the Principal's two fact queries)."""
        from django.test.utils import CaptureQueriesContext

        from amtsfluss.akte.access import access_akte
        from amtsfluss.akte.selectors.akte import akte_cover
        from amtsfluss.akte.selectors.inbox import InboxView, inbox_page
        from amtsfluss.core.permissions import Principal

        principal = Principal.for_user(self.user)
        principal.unit_ids()  # load the facts outside the capture
        found: dict[str, list[str]] = {}
        with CaptureQueriesContext(self.connection) as captured:
            inbox_page(principal=principal, view=InboxView.ALL)
        found["inbox"] = [q["sql"] for q in captured.captured_queries]
        with CaptureQueriesContext(self.connection) as captured:
            akte = access_akte(principal, akte_id)
        found["access_akte"] = [q["sql"] for q in captured.captured_queries]
        with CaptureQueriesContext(self.connection) as captured:
            akte_cover(principal=principal, akte=akte)
        found["akte_cover"] = [q["sql"] for q in captured.captured_queries]
        return found

    def _selector_rows(
        self, akte_id: int, statements: dict[str, list[str]]
    ) -> list[dict[str, Any]]:
        from amtsfluss.akte.access import access_akte
        from amtsfluss.akte.selectors.akte import akte_cover
        from amtsfluss.akte.selectors.inbox import InboxView, inbox_page, inbox_vorgaenge
        from amtsfluss.core.permissions import Principal

        user = self.user
        loaded = Principal.for_user(user)
        loaded.unit_ids()
        akte = access_akte(loaded, akte_id)

        def inbox() -> None:
            inbox_page(principal=Principal.for_user(user), view=InboxView.ALL)

        def inbox_build() -> None:
            rows = inbox_vorgaenge(principal=loaded, view=InboxView.ALL)[:50]
            rows.query.get_compiler(using=rows.db).as_sql()

        def access() -> None:
            access_akte(Principal.for_user(user), akte_id)

        def cover() -> None:
            akte_cover(principal=loaded, akte=akte)

        def access_and_cover() -> None:
            principal = Principal.for_user(user)
            akte_cover(principal=principal, akte=access_akte(principal, akte_id))

        inbox_sql = statements["inbox"]
        list_sql = [s for s in inbox_sql if not s.startswith("SELECT COUNT(")]
        count_sql = [s for s in inbox_sql if s.startswith("SELECT COUNT(")]
        access_sql, cover_sql = statements["access_akte"], statements["akte_cover"]
        plan: list[tuple[str, str, Callable[[], object], int | None]] = [
            ("selector", "inbox_page()", inbox, 2 + len(inbox_sql)),
            ("ORM only", "inbox list: build + compile SQL", inbox_build, 0),
            ("raw SQL", "raw SQL: inbox list", self._raw(list_sql), len(list_sql)),
            ("raw SQL", "raw SQL: inbox count", self._raw(count_sql), len(count_sql)),
            ("raw SQL", "raw SQL: inbox list + count", self._raw(inbox_sql), len(inbox_sql)),
            ("selector", "access_akte()", access, 2 + len(access_sql)),
            ("selector", "akte_cover()", cover, len(cover_sql)),
            (
                "selector",
                "access_akte() + akte_cover()",
                access_and_cover,
                2 + len(access_sql) + len(cover_sql),
            ),
            ("raw SQL", "raw SQL: access_akte", self._raw(access_sql), len(access_sql)),
            ("raw SQL", "raw SQL: akte_cover", self._raw(cover_sql), len(cover_sql)),
            (
                "raw SQL",
                "raw SQL: access_akte + akte_cover",
                self._raw(access_sql + cover_sql),
                len(access_sql) + len(cover_sql),
            ),
        ]
        rows = []
        for kind, what, function, queries in plan:
            rows.append({"kind": kind, "what": what, **self._timed(function), "queries": queries})
        return rows

    def _raw(self, statements: Sequence[str]) -> Callable[[], None]:
        """Run the captured statements as they were sent, through a bare DB-API cursor."""

        def run() -> None:
            self.connection.ensure_connection()
            cursor = self.connection.connection.cursor()
            try:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()
            finally:
                cursor.close()

        return run

    def _timed(self, function: Callable[[], object]) -> dict[str, Any]:
        for _ in range(WARMUP_CALLS):
            function()
        load = os.getloadavg()[0]
        cpu_start, db_start = time.process_time(), self._database_cpu()
        times: list[float] = []
        started = time.perf_counter()
        while len(times) < CALLS and (
            len(times) < MIN_CALLS or time.perf_counter() - started < CALL_BUDGET_S
        ):
            begin = time.perf_counter()
            function()
            times.append((time.perf_counter() - begin) * 1000)
        calls = len(times)
        return {
            "calls": calls,
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "p99_ms": percentile(times, 99),
            "min_ms": min(times),
            "mean_ms": sum(times) / calls,
            "cpu_ms": (time.process_time() - cpu_start) * 1000 / calls,
            "db_cpu_ms": cpu_seconds_between(db_start, self._database_cpu()) * 1000 / calls
            if self.postgres
            else None,
            "load_1min": load,
        }

    def _database_cpu(self) -> dict[int, float]:
        """CPU seconds of each PostgreSQL process (the server is not ours: all of them)."""
        return cpu_seconds_by_pid(pids_named("postgres")) if self.postgres else {}

    # --- where the time goes ----------------------------------------------------------------

    def _breakdown(self, client: Any, key: str, path: str) -> dict[str, Any]:
        phases = _Phases()
        with phases.installed():
            client.get(path)
            phases.reset()
            started = time.perf_counter()
            for _ in range(BREAKDOWN_CALLS):
                client.get(path)
            total = time.perf_counter() - started
        per_call = {
            name: seconds * 1000 / BREAKDOWN_CALLS for name, seconds in phases.totals.items()
        }
        known = sum(per_call.values())
        return {
            "target": key,
            "calls": BREAKDOWN_CALLS,
            "total_ms": total * 1000 / BREAKDOWN_CALLS,
            "sql_ms": per_call.get("sql", 0.0),
            "queries": phases.executes / BREAKDOWN_CALLS,
            "compile_ms": per_call.get("compile", 0.0),
            "permission_ms": per_call.get("permission", 0.0),
            "template_ms": per_call.get("template", 0.0),
            "serialize_ms": per_call.get("serialize", 0.0),
            "other_ms": total * 1000 / BREAKDOWN_CALLS - known,
        }

    def _profile(self, client: Any, path: str) -> str:
        import cProfile
        import io
        import pstats

        client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(PROFILE_CALLS):
            client.get(path)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        out.write(f"{PROFILE_CALLS} requests of {path}\n")
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        return out.getvalue()

    # --- plans ------------------------------------------------------------------------------

    def _plans(self, statements: dict[str, list[str]]) -> list[dict[str, Any]]:
        from django.apps import apps

        sizes = {
            model._meta.db_table: model._default_manager.count()
            for model in apps.get_app_config("akte").get_models()
            if model._meta.db_table in BIG_TABLES
        }
        chosen = [
            (f"inbox {'count' if s.startswith('SELECT COUNT(') else 'list'}", s)
            for s in statements["inbox"]
        ]
        chosen += [("access_akte", s) for s in statements["access_akte"]]
        chosen += [(f"akte_cover #{n + 1}", s) for n, s in enumerate(statements["akte_cover"])]
        plans = []
        for name, sql in chosen:
            explained = _unique_aliases(sql)
            text = self._explain(explained)
            executed = re.search(r"Execution Time: ([\d.]+) ms", text)
            plans.append(
                {
                    "query": name,
                    "ms": float(executed.group(1)) if executed else None,
                    **_read_plan(text, explained, sizes, postgres=self.postgres),
                    "plan": text,
                    "sql": sql,
                    "sql_explained": explained,
                    "table_rows": sizes,
                }
            )
        return plans

    def _explain(self, sql: str) -> str:
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                return "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _unused, detail in cursor.fetchall():
                depth[node] = depth.get(parent, -1) + 1
                lines.append(f"{'  ' * depth[node]}{detail}")
            return "\n".join(lines)


def _getter(client: Any, path: str) -> Callable[[], object]:
    return lambda: client.get(path)


def _q(counted: dict[str, Any]) -> dict[str, Any]:
    return {"queries": counted["queries"]}


_SQLITE_SCAN = re.compile(r"^\s*SCAN (\S+)(.*)$")
_PG_SCAN = re.compile(
    r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)"
    r"(?: Backward)?(?: using \S+)? on (\w+)(?: (\w+))?"
    r".*?\(actual time=[\d.]+\.\.[\d.]+ rows=(\d+)(?:\.\d+)? loops=(\d+)\)"
)
_PG_REMOVED = re.compile(r"^\s*Rows Removed by (?:Filter|Index Recheck): (\d+)")
_FROM_ALIAS = re.compile(r'(?:FROM|JOIN) "(\w+)" "([A-Z]\d+)"')


def _unique_aliases(sql: str) -> str:
    """The SQL with each subquery's table alias made unique and telling: Django calls the table
    of every sibling subquery ``U0``, SQLite's plan then says ``SCAN U0`` for any of them.
    ``"akte_vorgang" "U0"`` becomes ``"akte_vorgang" "U0__akte_vorgang__3"`` in its scope."""
    number = 0
    while match := _FROM_ALIAS.search(sql):
        table, alias = match.groups()
        start, end = _scope(sql, match.start())
        number += 1
        scope = sql[start:end].replace(f'"{alias}"', f'"{alias}__{table}__{number}"')
        sql = sql[:start] + scope + sql[end:]
    return sql


def _scope(sql: str, position: int) -> tuple[int, int]:
    """Start and end of the innermost parenthesis around ``position`` (quotes skipped)."""
    opened: list[int] = []
    best = (0, len(sql))
    quote = ""
    for index, char in enumerate(sql):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            opened.append(index)
        elif char == ")" and opened:
            begin = opened.pop()
            if begin < position < index and begin >= best[0]:
                best = (begin, index + 1)
    return best


def _table_of(name: str, aliases: dict[str, str]) -> str:
    return name.split("__")[1] if "__" in name else aliases.get(name, name)


def _read_plan(plan: str, sql: str, sizes: dict[str, int], *, postgres: bool) -> dict[str, Any]:
    """Full scans over a big table, and (PostgreSQL) the rows each big table gave, for people."""
    aliases = {alias: table for table, alias in _FROM_ALIAS.findall(sql)}
    scans: list[str] = []
    read: dict[str, int] = defaultdict(int)
    last: tuple[str, int] | None = None  # (table, loops) of the last scan node (PostgreSQL)
    for line in plan.splitlines():
        if postgres:
            if (removed := _PG_REMOVED.match(line)) and last is not None:
                read[last[0]] += int(removed.group(1)) * last[1]
                continue
            if "->" in line:  # a new plan node
                last = None
            match = _PG_SCAN.search(line)
            if not match:
                continue
            kind, table, _alias, rows, loops = match.groups()
            if table not in sizes:
                continue
            last = (table, int(loops))
            read[table] += int(rows) * int(loops)
            if kind == "Seq Scan":
                scans.append(f"Seq Scan on {table} ({sizes[table]:,} rows, loops={loops})")
        else:
            match = _SQLITE_SCAN.match(line)
            if not match:
                continue
            name, rest = match.groups()
            table = _table_of(name, aliases)
            if table in sizes:
                how = "index" if "INDEX" in rest else "table"
                scans.append(f"SCAN {name}{rest}: whole {how} of {table} ({sizes[table]:,} rows)")
    return {
        "full_scans": scans,
        "rows_read": dict(read),
        "verdict": "; ".join(scans) or "none",
        "read": ", ".join(f"{table} {rows:,}" for table, rows in read.items()) or None,
    }


class _Phases:
    """Exclusive time per phase of a request: SQL, SQL compilation, ``permitted()``, templates,
    API serialisation. A phase inside another counts for itself only (SQL run while a template
    renders is SQL). Installed by patching for the ``with`` block only."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.executes = 0
        self._stack: list[list[float]] = []  # [start, time spent in inner phases]

    def reset(self) -> None:
        self.totals.clear()
        self.executes = 0

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        stack, totals = self._stack, self.totals

        @wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [time.perf_counter(), 0.0]
            stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                stack.pop()
                elapsed = time.perf_counter() - frame[0]
                totals[name] += elapsed - frame[1]
                if stack:
                    stack[-1][1] += elapsed

        return timed

    @contextmanager
    def installed(self) -> Iterator[None]:
        from django.db.backends.utils import CursorWrapper
        from django.db.models.sql.compiler import SQLCompiler
        from django.template.backends.django import Template

        from amtsfluss.core.permissions import engine

        patches: list[tuple[Any, str, Any]] = []

        def patch(owner: Any, attribute: str, name: str) -> None:
            original = getattr(owner, attribute)
            patches.append((owner, attribute, owner.__dict__.get(attribute, _MISSING)))
            setattr(owner, attribute, self.wrap(name, original))

        def count_execute(function: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(function)
            def counted(*args: Any, **kwargs: Any) -> Any:
                self.executes += 1
                return function(*args, **kwargs)

            return counted

        for method in ("execute", "executemany"):
            patch(CursorWrapper, method, "sql")
            setattr(CursorWrapper, method, count_execute(getattr(CursorWrapper, method)))
        for method in ("fetchone", "fetchmany", "fetchall"):  # SQLite steps while fetching
            patches.append((CursorWrapper, method, _MISSING))
            setattr(CursorWrapper, method, self._fetch(method))
        patch(SQLCompiler, "execute_sql", "compile")
        patch(Template, "render", "template")
        with suppress(ImportError, AttributeError):
            from ninja.operation import Operation

            patch(Operation, "_result_to_response", "serialize")
        original = engine.permitted
        wrapped = self.wrap("permission", original)
        for module in list(sys.modules.values()):  # every module that imported permitted()
            for attribute, value in list(getattr(module, "__dict__", {}).items()):
                if value is original:
                    patches.append((module, attribute, original))
                    setattr(module, attribute, wrapped)
        try:
            yield
        finally:
            for owner, attribute, before in reversed(patches):
                if before is _MISSING:
                    with suppress(AttributeError):
                        delattr(owner, attribute)
                else:
                    setattr(owner, attribute, before)

    def _fetch(self, method: str) -> Callable[..., Any]:
        def fetch(cursor_wrapper: Any, *args: Any) -> Any:
            with cursor_wrapper.db.wrap_database_errors:
                return getattr(cursor_wrapper.cursor, method)(*args)

        return self.wrap("sql", fetch)


_MISSING = object()

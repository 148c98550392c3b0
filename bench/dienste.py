"""Online-Dienste: submissions per second and status pages per second (issue 5, *Benchmark*).

Per database (SQLite; PostgreSQL when reachable), a fresh instance with the demo and the demo
seal (as ``make run``), the rate limit of sending raised out of the way
(``AMTSFLUSS_ANTRAG_RATE``: all simulated citizens share one client address), then

1. **where a send's time goes**, in-process (``bench/dienste_breakdown.py``): a few applications
   walked against the WSGI application in ``amtsfluss shell``, the phases of each send timed;
2. ``amtsfluss serve`` as ``make run`` starts it — granian (2 WSGI processes × 4 threads) and
   one background worker (the receipt mail is queued on commit);
3. **submissions**: ``--dienste-citizens`` simulated citizens each walk the real HTTP flow of
   *Personenstandsurkunde bestellen* again and again (``bench/dienste_buerger.py``: start, three
   steps, summary, the server's proof of work solved with hashlib in a process pool — its time
   is not in the walk's — send, status page). After a warm-up, the sends that complete within
   ``--dienste-seconds`` count; then more walks until ``--dienste-antraege`` exist;
4. **status pages**: ``GET /dienste/status/<token>/`` over every status link of the run, with
   wrk (a Lua script takes the next path per request) or the Python generator.

CPU per group in each phase: web (granian and its processes), worker, PostgreSQL, the client
(this process and the proof-of-work pool; wrk), everything else.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    REPO_DIR,
    BenchError,
    Column,
    Config,
    CpuUsage,
    Database,
    Instance,
    Report,
    Server,
    Table,
    cpu_usage,
    fail,
    generator_description,
    instance,
    percentile,
    pids_named,
    postgres_unreachable,
    postgres_url,
    process_tree,
    ratio,
    redact,
    resolve_generator,
    serve,
    usable_cpus,
    wait_idle,
    warn,
    wrk_path,
)
from bench.dienste_breakdown import PHASES, RESULT_MARK
from bench.dienste_buerger import URKUNDE, Solution, Walk, person, solve_pow, walk
from bench.dienste_load import rotating_load

DEFAULT_CITIZENS = 8
DEFAULT_SECONDS = 30.0
DEFAULT_ANTRAEGE = 200
SUBMIT_WARMUP_S = 5.0  #: at least; a closed loop needs about one walk to reach its pace
WARMUP_LIMIT_S = 180.0  #: the warm-up ends at the latest after this long
TOPUP_LIMIT_S = 90.0  #: at most this long for more Anträge after the measured window
BREAKDOWN_CALLS = 5
POW_PROCESSES = 2
#: the rate limit of sending per client address, out of the way of one machine's citizens
ANTRAG_RATE = "1000000/h"
SEED = 5005
REQUEST_TIMEOUT_S = 60.0

COLUMNS = [
    Column("database", "database"),
    Column("phase", "phase"),
    Column("per_s", "per s", ",.1f"),
    Column("p50_ms", "p50 ms", ",.0f"),
    Column("p95_ms", "p95 ms", ",.0f"),
    Column("p99_ms", "p99 ms", ",.0f"),
    Column("walk_p50_ms", "walk p50", ",.0f"),
    Column("walk_p95_ms", "walk p95", ",.0f"),
    Column("errors", "errors", "d"),
    Column("count", "count", ",d"),
    Column("web_cpu_ms", "web CPU ms", ",.1f"),
    Column("web_cores", "cores: web", ".2f"),
    Column("worker_cores", "worker", ".2f"),
    Column("postgres_cores", "PG", ".2f"),
    Column("client_cores", "client", ".2f"),
    Column("other_cores", "other", ".2f"),
    Column("machine_busy_pct", "busy %", ".0f"),
]

BREAKDOWN_COLUMNS = [
    Column("database", "database"),
    Column("sends", "sends", "d"),
    Column("total_ms", "send ms", ",.0f"),
    *[Column(f"{name}_ms", name, ",.1f") for name in PHASES],
    Column("other_ms", "other", ",.1f"),
    Column("transaction_ms", "transaction", ",.0f"),
    Column("pdf_share_pct", "PDF %", ".0f"),
    Column("queries", "queries", ".0f"),
]

REQUEST_COLUMNS = [
    Column("database", "database"),
    Column("request", "request"),
    Column("count", "count", ",d"),
    Column("p50_ms", "p50 ms", ",.0f"),
    Column("p95_ms", "p95 ms", ",.0f"),
]

POW_COLUMNS = [
    Column("database", "database"),
    Column("difficulty", "bits", "d"),
    Column("solved", "solved", ",d"),
    Column("p50_ms", "p50 ms", ",.0f"),
    Column("p95_ms", "p95 ms", ",.0f"),
    Column("hashes_mean", "hashes (mean)", ",.0f"),
    Column("cpu_ms_mean", "CPU ms (mean)", ",.0f"),
]


def add_arguments(parser: argparse.ArgumentParser | Any) -> None:
    parser.add_argument(
        "--dienste-citizens",
        type=int,
        default=DEFAULT_CITIZENS,
        help=f"dienste: concurrent simulated citizens ({DEFAULT_CITIZENS})",
    )
    parser.add_argument(
        "--dienste-seconds",
        type=float,
        default=DEFAULT_SECONDS,
        help=f"dienste: measured seconds of submissions ({DEFAULT_SECONDS:g})",
    )
    parser.add_argument(
        "--dienste-antraege",
        type=int,
        default=DEFAULT_ANTRAEGE,
        help=f"dienste: Anträge at least for the status pages ({DEFAULT_ANTRAEGE})",
    )


@dataclass(frozen=True)
class Options:
    citizens: int
    seconds: float
    antraege: int

    @classmethod
    def of(cls, config: Config) -> Options:
        get = config.options.get
        return cls(
            citizens=max(1, int(get("dienste_citizens") or DEFAULT_CITIZENS)),
            seconds=float(get("dienste_seconds") or DEFAULT_SECONDS),
            antraege=int(get("dienste_antraege") or DEFAULT_ANTRAEGE),
        )


def run(config: Config) -> Report:
    report = Report("dienste", COLUMNS)
    options = Options.of(config)
    generator = resolve_generator(config)
    report.data["generator"] = generator_description(generator)
    report.data["options"] = vars(options) | {"antrag_rate": ANTRAG_RATE}
    if generator == "python":
        why = "--generator python" if wrk_path() else "wrk is not installed (apt-get install wrk)"
        warn(report, f"{why}: the status pages are loaded by the Python generator")
    breakdown = Table("Where a send's time goes (in-process, mean ms per send)", BREAKDOWN_COLUMNS)
    requests = Table("Requests of a walk (submission phase)", REQUEST_COLUMNS)
    solving = Table("Proof of work in the client (not in the walk's time)", POW_COLUMNS)
    report.tables += [breakdown, requests, solving]

    databases = [Database("SQLite")]
    url = postgres_url()
    report.data["postgres_url"] = redact(url)
    if reason := postgres_unreachable(url):
        warn(report, f"PostgreSQL is not reachable at {redact(url)} ({reason}): its run is SKIPPED")
        report.data["skipped"] = [{"database": "PostgreSQL", "reason": reason}]
    else:
        databases.append(Database("PostgreSQL", url))

    for database in databases:
        try:
            measured = _run_database(database, options, config)
        except BenchError as exc:
            fail(report, f"{database.name}: {exc}")
            continue
        report.rows += measured.rows
        breakdown.rows.append(measured.breakdown)
        requests.rows += measured.requests
        solving.rows.append(measured.solving)
        report.data.setdefault("databases", {})[database.name] = measured.data
        report.notes.append(_limit_note(database.name, measured))
        if measured.errors:
            fail(report, f"{database.name}: {measured.errors}")

    _add_ratios(report)
    report.notes += [
        f"{options.citizens} citizens, each walking start → 3 steps → summary → send → status "
        "page with a fresh session; per s (submissions) = sends answered within the measured "
        f"{options.seconds:g} s ÷ those seconds; p50/p95/p99 = the send request; walk = the "
        "walk's 11 requests together, without solving the proof of work",
        f"status pages: {config.connections} connections over every status link of the run, "
        f"{report.data['generator']}",
        "web CPU ms = CPU of the web processes per submission (every request of a walk) or per "
        "status page: the figure least disturbed by other programs",
        "cores (1.00 = one core): web = serve + granian, worker = `amtsfluss worker`, PG = all "
        "postgres processes, client = this process with the proof-of-work pool (submissions) or "
        f"the load generator (status pages), other = the rest of the machine (noise); "
        f"busy % of all {usable_cpus()} cores",
        f"AMTSFLUSS_ANTRAG_RATE={ANTRAG_RATE}: every citizen comes from 127.0.0.1, and the "
        "production rate (20/h per address) would stop the load after 20 submissions",
    ]
    return report


@dataclass
class Measured:
    rows: list[dict[str, Any]] = field(default_factory=list)
    breakdown: dict[str, Any] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    solving: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    errors: str = ""


def _run_database(database: Database, options: Options, config: Config) -> Measured:
    measured = Measured()
    print(f"-- {database.name}: migrate, demo, demo seal, collectstatic", flush=True)
    started = time.perf_counter()
    with instance(database, AMTSFLUSS_ANTRAG_RATE=ANTRAG_RATE) as inst:
        inst.run("siegel", "demo", "--mandant", "musterstadt")
        measured.data["setup_seconds"] = round(time.perf_counter() - started, 1)
        print(f"   in-process: {BREAKDOWN_CALLS} sends timed by phase", flush=True)
        inside = _breakdown(inst)
        measured.breakdown = {"database": database.name, **inside["mean"]}
        measured.data["breakdown"] = inside["rows"]
        status_paths = list(inside["status_paths"])
        with serve_with_worker(inst) as (server, groups), _pow_pool() as pool:
            print(f"   server up at {server.base_url} (granian + worker)", flush=True)
            if database.url:
                groups["postgres"] = lambda: pids_named("postgres")
            groups["client"] = lambda: [os.getpid(), *_pool_pids()]
            phase = _submissions(server, groups, options, config, pool)
            status_paths += phase.status_paths
            row, extra = _submission_row(database.name, phase)
            measured.rows.append(row)
            measured.requests += _request_rows(database.name, phase.walks)
            measured.solving = _solving_row(database.name, phase.walks)
            measured.data["submissions"] = extra
            groups.pop("client")
            measured.rows.append(_status_phase(database.name, server, groups, status_paths, config))
            measured.data["antraege"] = len(status_paths)
        errors = [row for row in measured.rows if row["errors"]]
        if errors:
            measured.errors = ", ".join(f"{r['phase']}: {r['errors']} errors" for r in errors)
    return measured


# --- the server as `make run` starts it ---------------------------------------------------------
Groups = dict[str, Any]


@contextmanager
def serve_with_worker(inst: Instance, timeout: float = 90) -> Iterator[tuple[Server, Groups]]:
    """``amtsfluss serve`` (granian and one worker, as ``make run``) on a free port; yields the
    server and its process groups ``web`` and ``worker`` for CPU measurements."""
    with serve(inst, startup_timeout=timeout, worker=True) as server:
        pid = server.process.pid
        worker = _child(pid, "worker")
        web = [child for child in _children(pid) if child != worker]
        groups: Groups = {
            "web": lambda: [pid, *(p for child in web for p in process_tree(child))],
            "worker": lambda: process_tree(worker) if worker else [],
        }
        yield server, groups


def _children(pid: int) -> list[int]:
    return [child for child in process_tree(pid) if _parent(child) == pid]


def _parent(pid: int) -> int:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(raw[raw.rfind(")") + 2 :].split()[1])


def _child(pid: int, word: str) -> int:
    """The child of ``pid`` whose command line has ``word`` (0 if none)."""
    for child in _children(pid):
        try:
            arguments = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if word.encode() in arguments:
            return child
    return 0


# --- in-process breakdown -----------------------------------------------------------------------
def _breakdown(inst: Instance) -> dict[str, Any]:
    params = {"host": "127.0.0.1", "calls": BREAKDOWN_CALLS, "seed": SEED * 1000}
    code = (
        f"import sys; sys.path.insert(0, {str(REPO_DIR)!r}); "
        "from bench.dienste_breakdown import in_process; "
        f"in_process({json.dumps(params)!r})"
    )
    output = inst.run("shell", "-v", "0", "-c", code, timeout=600)
    line = next((x for x in reversed(output.splitlines()) if x.startswith(RESULT_MARK)), None)
    if line is None:
        raise BenchError(f"the in-process driver printed no result:\n{output[-3000:]}")
    result = json.loads(line.removeprefix(RESULT_MARK))
    if result["errors"] or not result["rows"]:
        raise BenchError(f"in-process walks failed: {result['errors'][:3]}")
    rows = result["rows"]
    keys = [key for key in rows[0] if isinstance(rows[0][key], int | float)]
    mean = {key: sum(row[key] for row in rows) / len(rows) for key in keys}
    mean["sends"] = len(rows)
    mean["pdf_share_pct"] = 100 * ratio(
        mean["pdf_ms"] + mean["print templates_ms"], mean["total_ms"]
    )
    return {"rows": rows, "mean": mean, "status_paths": result["status_paths"]}


# --- submissions --------------------------------------------------------------------------------
@contextmanager
def _pow_pool() -> Iterator[ProcessPoolExecutor]:
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    with ProcessPoolExecutor(max_workers=POW_PROCESSES, mp_context=context) as pool:
        list(pool.map(solve_pow, ["warm-up"] * POW_PROCESSES, [4] * POW_PROCESSES))
        yield pool


def _pool_pids() -> list[int]:
    return [child.pid for child in multiprocessing.active_children() if child.pid]


@dataclass
class SubmissionPhase:
    walks: list[Walk]  #: the walks whose send was answered within the window (or that failed)
    window_s: float
    cpu: CpuUsage
    status_paths: list[str]
    all_walks: int
    topup_s: float
    warmup_s: float


def _submissions(
    server: Server,
    groups: Groups,
    options: Options,
    config: Config,
    pool: ProcessPoolExecutor,
) -> SubmissionPhase:
    warmup = max(config.warmup, SUBMIT_WARMUP_S)
    print(
        f"   submissions: {options.citizens} citizens, warm-up until each has sent once "
        f"(at least {warmup:g} s), {options.seconds:g} s measured",
        flush=True,
    )
    finished: list[tuple[float, Walk]] = []  # (time the walk ended, walk)
    lock = threading.Lock()
    started_once: set[int] = set()
    warm = threading.Event()  # every citizen has finished a walk: the loop has its pace
    start = time.perf_counter()
    window = [float("inf"), float("inf")]  # set when the warm-up is over

    def solver(token: str, difficulty: int) -> Solution:
        return pool.submit(solve_pow, token, difficulty).result()

    def enough() -> bool:
        now = time.perf_counter()
        if now < window[1]:
            return False
        if now >= window[1] + TOPUP_LIMIT_S:
            return True
        with lock:
            return sum(1 for _, w in finished if w.status_path) >= options.antraege

    def citizen(number: int) -> None:
        time.sleep(number * 0.3)  # not all at the same step
        limits = httpx.Limits(max_connections=1)
        with httpx.Client(
            base_url=server.base_url, timeout=REQUEST_TIMEOUT_S, limits=limits
        ) as client:
            walk_number = 0
            while not enough():
                seed = SEED + number * 100_000 + walk_number
                result = walk(client, person(seed), solver, URKUNDE)
                walk_number += 1
                with lock:
                    finished.append((time.perf_counter(), result))
                    started_once.add(number)
                    if len(started_once) == options.citizens:
                        warm.set()

    threads = [
        threading.Thread(target=citizen, args=(n,), daemon=True) for n in range(options.citizens)
    ]
    for thread in threads:
        thread.start()
    warm.wait(timeout=WARMUP_LIMIT_S)
    time.sleep(max(0.0, start + warmup - time.perf_counter()))
    warmup_s = time.perf_counter() - start
    window[0] = time.perf_counter()
    window[1] = window[0] + options.seconds
    with cpu_usage(groups) as cpu:
        time.sleep(max(0.0, window[1] - time.perf_counter()))
    for thread in threads:
        thread.join(timeout=TOPUP_LIMIT_S + 2 * REQUEST_TIMEOUT_S * 11)
    if any(thread.is_alive() for thread in threads):
        raise BenchError("citizens did not finish their walks")
    topup_s = max(0.0, time.perf_counter() - window[1])
    in_window = [
        w for ended, w in finished if window[0] <= (w.sent_at or ended) < window[1]
    ]  # a failed walk counts when it ended
    paths = [w.status_path for _, w in finished if w.status_path]
    print(
        f"   warm-up {warmup_s:.0f} s, {sum(1 for w in in_window if w.status_path)} sends in "
        f"the window, {len(paths)} Anträge in all ({topup_s:.0f} s after the window)",
        flush=True,
    )
    return SubmissionPhase(
        in_window, cpu.wall_seconds, cpu, paths, len(finished), topup_s, warmup_s
    )


def _submission_row(database: str, phase: SubmissionPhase) -> tuple[dict[str, Any], dict[str, Any]]:
    sent = [w for w in phase.walks if w.status_path]
    failed = [w for w in phase.walks if w.error]
    sends = [w.send_seconds * 1000 for w in sent if w.send_seconds is not None]
    walks = [w.seconds * 1000 for w in sent]
    cores = phase.cpu.cores
    web_cpu_s = cores.get("web", 0.0) * phase.cpu.wall_seconds
    row = {
        "database": database,
        "phase": "submissions",
        "per_s": ratio(len(sent), phase.window_s),
        "p50_ms": percentile(sends, 50),
        "p95_ms": percentile(sends, 95),
        "p99_ms": percentile(sends, 99),
        "walk_p50_ms": percentile(walks, 50),
        "walk_p95_ms": percentile(walks, 95),
        "errors": len(failed),
        "count": len(sent),
        "web_cpu_ms": ratio(web_cpu_s * 1000, len(sent)),
        **_core_columns(phase.cpu),
    }
    extra = {
        "warmup_seconds": round(phase.warmup_s, 1),
        "window_seconds": round(phase.window_s, 2),
        "walks_all": phase.all_walks,
        "seconds_after_window": round(phase.topup_s, 1),
        "error_messages": sorted({w.error for w in failed})[:10],
        "send_ms": {"p50": row["p50_ms"], "p95": row["p95_ms"], "p99": row["p99_ms"]},
    }
    return row, extra


def _core_columns(cpu: CpuUsage) -> dict[str, Any]:
    cores = cpu.cores
    watched = sum(cores.values())
    return {
        "web_cores": cores.get("web"),
        "worker_cores": cores.get("worker"),
        "postgres_cores": cores.get("postgres"),
        "client_cores": cores.get("client"),
        "other_cores": cpu.machine_busy * usable_cpus() - watched,
        "machine_busy_pct": cpu.machine_busy * 100,
    }


def _request_rows(database: str, walks: Sequence[Walk]) -> list[dict[str, Any]]:
    by_name: dict[str, list[float]] = {}
    for result in walks:
        if result.status_path:
            for name, seconds in result.requests:
                by_name.setdefault(name, []).append(seconds * 1000)
    return [
        {
            "database": database,
            "request": name,
            "count": len(values),
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
        }
        for name, values in by_name.items()
    ]


def _solving_row(database: str, walks: Sequence[Walk]) -> dict[str, Any]:
    solved = [w for w in walks if w.solution is not None]
    solutions = [w.solution for w in solved if w.solution is not None]
    return {
        "database": database,
        "difficulty": solved[0].difficulty if solved else 0,
        "solved": len(solved),
        "p50_ms": percentile([w.solve_seconds * 1000 for w in solved], 50),
        "p95_ms": percentile([w.solve_seconds * 1000 for w in solved], 95),
        "hashes_mean": ratio(sum(s.hashes for s in solutions), len(solutions)),
        "cpu_ms_mean": ratio(sum(s.cpu_seconds for s in solutions) * 1000, len(solutions)),
    }


# --- status pages -------------------------------------------------------------------------------
def _status_phase(
    database: str, server: Server, groups: Groups, paths: list[str], config: Config
) -> dict[str, Any]:
    for path in paths[:: max(1, len(paths) // 5)]:  # a few of them, once, as a browser would
        answer = httpx.get(f"{server.base_url}{path}", timeout=30)
        if answer.status_code != 200:
            raise BenchError(f"GET {path} answered {answer.status_code}:\n{server.log_tail()}")
    print(
        f"   status pages: {len(paths)} links, {config.warmup:g} s warm-up, "
        f"{config.duration:g} s with {config.connections} connections",
        flush=True,
    )
    rotating_load(server.base_url, paths, config.warmup, config)
    wait_idle(list(groups.values()))
    with cpu_usage(groups) as cpu:
        result = rotating_load(server.base_url, paths, config.duration, config)
    web_cpu_s = cpu.cores.get("web", 0.0) * cpu.wall_seconds
    columns = _core_columns(cpu)
    columns["client_cores"] = result.generator_cores
    columns["other_cores"] -= result.generator_cores
    return {
        "database": database,
        "phase": "status pages",
        "per_s": result.rps,
        "p50_ms": result.p50_ms,
        "p95_ms": result.p95_ms,
        "p99_ms": result.p99_ms,
        "walk_p50_ms": None,
        "walk_p95_ms": None,
        "errors": result.errors,
        "count": result.requests,
        "web_cpu_ms": ratio(web_cpu_s * 1000, result.requests),
        **columns,
    }


# --- what limits it -----------------------------------------------------------------------------
def _limit_note(database: str, measured: Measured) -> str:
    """A sentence on what limited the submissions, from the CPU and the in-process phases."""
    rows = {row["phase"]: row for row in measured.rows}
    submissions, status = rows.get("submissions"), rows.get("status pages")
    parts = []
    for row in (submissions, status):
        if row is None:
            continue
        server = sum(row.get(k) or 0.0 for k in ("web_cores", "worker_cores", "postgres_cores"))
        saturated = row["machine_busy_pct"] >= 90
        parts.append(
            f"{row['phase']}: the server used {server:.2f} of {usable_cpus()} cores (web "
            f"{row['web_cores'] or 0:.2f}, worker {row['worker_cores'] or 0:.2f}, PG "
            f"{row['postgres_cores'] or 0:.2f}), the client {row['client_cores'] or 0:.2f}, "
            f"others {row['other_cores']:.2f} — "
            + ("CPU-bound (the machine was full)" if saturated else "the cores were not full")
        )
    mean = measured.breakdown
    if mean:
        shares = {name: mean[f"{name}_ms"] for name in (*PHASES, "other")}
        top = sorted(shares.items(), key=lambda item: -item[1])[:3]
        parts.append(
            f"a send took {mean['total_ms']:.0f} ms in-process, "
            + ", ".join(
                f"{name} {ms:.0f} ms ({100 * ms / mean['total_ms']:.0f} %)" for name, ms in top
            )
            + f"; its transaction (row locks held) {mean['transaction_ms']:.0f} ms"
        )
        if submissions is not None:
            held = submissions["per_s"] * mean["transaction_ms"] / 1000
            lock = "the Leistung's row lock"
            if database == "SQLite":
                lock = "the database's write lock"
            parts.append(
                f"submissions/s × that transaction = {held:.2f}: the share of the window "
                f"{lock} was held at least (near 1, submissions of one Leistung would wait "
                "for each other whatever the cores)"
            )
    return f"{database}, what limits it: " + "; ".join(parts)


def _add_ratios(report: Report) -> None:
    rows = {(row["database"], row["phase"]): row for row in report.rows}
    names = dict.fromkeys(row["database"] for row in report.rows)
    for database in names:
        submissions = rows.get((database, "submissions"))
        status = rows.get((database, "status pages"))
        if submissions and status:
            report.ratios += [
                {
                    "scope": database,
                    "ratio": "status pages/s ÷ submissions/s",
                    "value": ratio(status["per_s"], submissions["per_s"]),
                },
                {
                    "scope": database,
                    "ratio": "web CPU per submission ÷ per status page",
                    "value": ratio(submissions["web_cpu_ms"], status["web_cpu_ms"]),
                },
            ]
    for phase in ("submissions", "status pages"):
        postgres, sqlite = rows.get(("PostgreSQL", phase)), rows.get(("SQLite", phase))
        if postgres and sqlite:
            for key, label in (("per_s", "per s"), ("p95_ms", "p95"), ("web_cpu_ms", "web CPU")):
                report.ratios.append(
                    {
                        "scope": phase,
                        "ratio": f"{label} PostgreSQL ÷ SQLite",
                        "value": ratio(postgres[key], sqlite[key]),
                    }
                )

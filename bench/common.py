"""Helpers every benchmark shares: instances, servers, load, statistics, output.

A benchmark module builds a :class:`Report`; ``python -m bench`` prints it and writes JSON.
The helpers here know nothing about any one benchmark.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

REPO_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/amtsfluss_bench"
AMTSFLUSS = [sys.executable, "-m", "amtsfluss.cli"]


class BenchError(RuntimeError):
    """A benchmark could not run (as opposed to: it ran and measured something slow)."""


# --- configuration and results ----------------------------------------------------------------
@dataclass
class Config:
    duration: float = 10.0  #: seconds of measured load per target
    warmup: float = 2.0  #: seconds of discarded load before each measurement
    connections: int = 16  #: concurrent keep-alive connections of the load generator
    generator: str = "auto"  #: "auto" (wrk if installed, else python), "wrk" or "python"
    threads: int = 1  #: wrk threads (one wrk thread drives 16 connections easily)
    #: options of single benchmarks (``--documents`` of ``akte``), by argparse ``dest``
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Column:
    key: str
    header: str
    fmt: str = ""  #: a format spec for numbers, e.g. ",.0f"; "" prints str(value)


@dataclass
class Table:
    """A further table of a report, printed under its title after the main table."""

    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Report:
    """What one benchmark measured: a table, ratios, notes; all of it goes into the JSON."""

    name: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: further tables (e.g. in-process measurements next to the HTTP ones)
    tables: list[Table] = field(default_factory=list)
    #: {"scope": ..., "ratio": ..., "value": float} — quoted side by side, from the same run
    ratios: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: things a reader must not miss (a database skipped, a login fallback); printed loudly
    warnings: list[str] = field(default_factory=list)
    #: parts that could not be measured; ``python -m bench`` then exits with status 1
    failures: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def warn(report: Report, message: str) -> None:
    """Record a warning and print it at once, so it is seen even if the run dies later."""
    report.warnings.append(message)
    print(f"\n!!! {message} !!!\n", flush=True)


def fail(report: Report, message: str) -> None:
    """Record that a part of the benchmark could not run; the others go on."""
    report.failures.append(message)
    print(f"\n!!! FAILED: {message}\n", flush=True)


# --- statistics -------------------------------------------------------------------------------
def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) with linear interpolation; ``values`` need not be sorted."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


# --- processes and CPU ------------------------------------------------------------------------
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (index 0 = state), or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def _all_pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def process_tree(root: int) -> list[int]:
    """``root`` and all its living descendants (Linux /proc; just ``[root]`` elsewhere)."""
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        fields = _proc_stat(pid)
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of the given processes (those still alive)."""
    return sum(cpu_seconds_by_pid(pids).values())


def cpu_seconds_by_pid(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU time of each of the given processes that is still alive."""
    found = {}
    for pid in pids:
        fields = _proc_stat(pid)
        if fields is not None:
            found[pid] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    return found


def cpu_seconds_between(start: dict[int, float], end: dict[int, float]) -> float:
    """CPU time used between two :func:`cpu_seconds_by_pid` readings.

    A process in both readings counts with its difference, one only in the second (started in
    between, e.g. a new PostgreSQL backend) with all its time, one only in the first (ended in
    between, e.g. an autovacuum worker) not at all — instead of subtracting its earlier time.
    """
    return sum(end[pid] - start.get(pid, 0.0) for pid in end if end[pid] >= start.get(pid, 0.0))


#: processes to watch: fixed ids, or a function that finds them (called at start and end, so
#: processes started in between count too)
PidSource = Sequence[int] | Callable[[], Sequence[int]]


def _pids(source: PidSource) -> Sequence[int]:
    return source() if callable(source) else source


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # without guest time, which is counted in user already
    return total - idle, total


def pids_named(name: str) -> list[int]:
    """Processes whose command name is ``name`` (e.g. "postgres": the server and its backends)."""
    found = []
    for pid in _all_pids():
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                found.append(pid)
        except OSError:
            continue
    return found


@dataclass
class CpuUsage:
    wall_seconds: float = 0.0
    #: per watched group: CPU seconds of its processes per wall second (1.0 = one whole core)
    cores: dict[str, float] = field(default_factory=dict)
    machine_busy: float = float("nan")  #: busy share of all cores, 0..1

    @property
    def other_cores(self) -> float:
        """Cores busy outside the watched groups: other programs on the machine (noise)."""
        return self.machine_busy * usable_cpus() - sum(self.cores.values())


@contextmanager
def cpu_usage(groups: dict[str, PidSource]) -> Iterator[CpuUsage]:
    """Measure the CPU that groups of processes, and the machine as a whole, use in the block.

    A group is a list of process ids (those alive at the start count) or a function finding
    them, e.g. ``lambda: pids_named("postgres")`` (then processes started in between count too).
    """
    usage = CpuUsage()
    starts = {name: cpu_seconds_by_pid(_pids(source)) for name, source in groups.items()}
    busy_start, total_start = _machine_ticks()
    start = time.perf_counter()
    try:
        yield usage
    finally:
        usage.wall_seconds = time.perf_counter() - start
        busy_end, total_end = _machine_ticks()
        for name, source in groups.items():
            used = cpu_seconds_between(starts[name], cpu_seconds_by_pid(_pids(source)))
            usage.cores[name] = used / usage.wall_seconds
        if total_end > total_start:
            usage.machine_busy = (busy_end - busy_start) / (total_end - total_start)


def _group_alive(pgid: int) -> bool:
    """Whether a non-zombie process of the process group is left."""
    pids = _all_pids()
    if not pids:  # no /proc: ask the kernel (zombies count as alive there)
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for pid in pids:
        fields = _proc_stat(pid)
        if fields is not None and int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def stop_process_group(process: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """SIGTERM the process group ``process`` leads, then SIGKILL whatever is left."""
    pgid = process.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process.poll()
            if not _group_alive(pgid):
                process.wait()
                return
            time.sleep(0.1)
    process.wait(timeout=5)


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- amtsfluss instances ----------------------------------------------------------------------
@dataclass
class Database:
    name: str  #: "SQLite", "PostgreSQL"
    url: str = ""  #: DATABASE_URL; "" for the embedded SQLite file in the data dir


def postgres_url() -> str:
    return os.environ.get("AMTSFLUSS_BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL)


def redact(url: str) -> str:
    """``url`` without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


def _maintenance_url(url: str) -> tuple[str, str]:
    """(URL of the ``postgres`` database on the same server, name of the database in ``url``)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def postgres_unreachable(url: str) -> str | None:
    """Why PostgreSQL at ``url`` cannot be used, or None when it answers."""
    import psycopg

    maintenance, _ = _maintenance_url(url)
    try:
        with psycopg.connect(maintenance, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0]}"


@contextmanager
def fresh_postgres_database(url: str) -> Iterator[None]:
    """Drop and create the database of ``url``; drop it again afterwards."""
    import psycopg
    from psycopg import sql

    maintenance, name = _maintenance_url(url)
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(drop)


@dataclass
class Instance:
    """One amtsfluss installation: a fresh data dir (and database), ready for commands."""

    database: Database
    data_dir: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 600) -> str:
        """Run ``amtsfluss <args>``; return its stdout, or raise with its output."""
        done = subprocess.run(
            [*AMTSFLUSS, *args],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(
                f"amtsfluss {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout[-2000:]}{done.stderr[-4000:]}"
            )
        return done.stdout


def instance_env(data_dir: Path, database: Database, **extra: str) -> dict[str, str]:
    """The environment for an instance: the embedded preset, nothing inherited from the shell.

    Inherited ``AMTSFLUSS_*`` and ``DATABASE_URL`` variables are dropped so a developer's
    settings (MFA, another data dir) cannot change what is measured.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AMTSFLUSS_")
        and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PORT"}
    }
    env.update(AMTSFLUSS_SETTINGS="embedded", AMTSFLUSS_DATA_DIR=str(data_dir))
    if database.url:
        env["DATABASE_URL"] = database.url
    env.update(extra)
    return env


@contextmanager
def instance(database: Database, *, demo: bool = True, **env: str) -> Iterator[Instance]:
    """A migrated instance in a temp dir (with the demo data and static files); removed after."""
    data_dir = Path(tempfile.mkdtemp(prefix="amtsfluss-bench-"))
    try:
        with fresh_postgres_database(database.url) if database.url else _nothing():
            inst = Instance(database, data_dir, instance_env(data_dir, database, **env))
            inst.run("migrate", "--noinput", "-v", "0")
            if demo:
                inst.run("demo")
            inst.run("collectstatic", "--noinput", "-v", "0")
            yield inst
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@contextmanager
def serve(
    inst: Instance, *args: str, startup_timeout: float = 60, worker: bool = False
) -> Iterator[Server]:
    """``amtsfluss serve --no-worker`` (with ``worker``: and its worker, as ``make run``) on a
    free port; waits for /healthz, stops on exit.

    The server runs in its own process group, so Ctrl+C reaches only the benchmark, which
    then stops the whole group (serve, granian and its workers).
    """
    port = free_port()
    log_path = inst.data_dir / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *AMTSFLUSS,
                "serve",
                *([] if worker else ["--no-worker"]),
                *("--host", "127.0.0.1", "--port", str(port), *args),
            ],
            env={**inst.env, "PORT": str(port)},
            cwd=inst.data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        wait_healthy(server, startup_timeout)
        yield server
    finally:
        stop_process_group(process)


def wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"the server exited during startup:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise BenchError(f"no healthy /healthz within {timeout:.0f} s:\n{server.log_tail()}")


# --- HTTP -------------------------------------------------------------------------------------
_CSRF_INPUT = re.compile(r"<input[^>]*name=[\"']csrfmiddlewaretoken[\"'][^>]*>", re.IGNORECASE)
_VALUE = re.compile(r"value=[\"']([^\"']+)[\"']")


def form_login(
    base_url: str,
    username: str,
    password: str,
    *,
    path: str = "/anmelden/",
    csrf_cookie: str = "amtsfluss_csrf",
    session_cookie: str = "amtsfluss_session",
) -> str:
    """Log in through the HTML form; return the session cookie's value, or raise BenchError."""
    with httpx.Client(base_url=base_url, timeout=10, follow_redirects=False) as client:
        page = client.get(path)
        if page.status_code != 200:
            raise BenchError(f"GET {path} answered {page.status_code}")
        token = ""
        if match := _CSRF_INPUT.search(page.text):
            token = (_VALUE.findall(match.group(0)) or [""])[0]
        token = token or client.cookies.get(csrf_cookie) or ""  # the unmasked secret works too
        if not token:
            raise BenchError(f"GET {path} gave neither a csrfmiddlewaretoken nor a CSRF cookie")
        answer = client.post(
            path,
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base_url}{path}"},
        )
        session = client.cookies.get(session_cookie)
        if answer.status_code not in (302, 303) or not session:
            raise BenchError(
                f"POST {path} answered {answer.status_code} without a redirect and a session"
            )
        return session


# --- load generation --------------------------------------------------------------------------
@dataclass
class LoadTarget:
    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    expected_status: int = 200  #: any other status counts as an error


@dataclass
class LoadResult:
    generator: str
    requests: int  #: completed responses (of any status)
    errors: int  #: unexpected status, connection errors, timeouts
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    generator_cpu_seconds: float

    @property
    def rps(self) -> float:
        return ratio(self.requests, self.seconds)

    @property
    def generator_cores(self) -> float:
        return ratio(self.generator_cpu_seconds, self.seconds)


def wrk_path() -> str | None:
    return shutil.which("wrk")


def resolve_generator(config: Config) -> str:
    """Which load generator runs: ``wrk`` or ``python``."""
    if config.generator == "python":
        return "python"
    if wrk_path():
        return "wrk"
    if config.generator == "wrk":
        raise BenchError("--generator wrk, but wrk is not installed (apt-get install wrk)")
    return "python"


def generator_description(name: str) -> str:
    if name == "wrk":
        done = subprocess.run(
            [wrk_path() or "wrk", "-v"], capture_output=True, text=True, check=False
        )
        first = (done.stdout + done.stderr).strip().splitlines()
        return first[0] if first else "wrk"
    return f"python asyncio + httpx {httpx.__version__} (in the benchmark process)"


def run_load(target: LoadTarget, seconds: float, config: Config) -> LoadResult:
    """Load ``target`` with ``config.connections`` connections for ``seconds``."""
    if resolve_generator(config) == "wrk":
        return _wrk_load(target, seconds, config)
    return _python_load(target, seconds, config.connections)


def measure(
    target: LoadTarget,
    config: Config,
    server: Server | None,
    watch: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Warm up, then load ``target``: one table row with throughput, latency and CPU use.

    ``server_cpu_ms_per_request`` is the server's CPU time per request. CPU columns, in cores:
    ``server_cores`` (the server's process tree), ``generator_cores``,
    ``<column>_cores`` for each ``watch`` entry ``{column: process name}`` (e.g.
    ``{"database": "postgres"}``) and ``other_cores``: everything else on the machine, i.e. noise.

    After the warm-up, the server (and the watched processes) may first finish the requests
    still queued: for a slow page they would otherwise eat into the measurement.
    """
    run_load(target, config.warmup, config)
    groups: dict[str, PidSource] = {
        f"{column}_cores": _named(name) for column, name in (watch or {}).items()
    }
    if server is not None:
        groups["server_cores"] = _tree(server.process.pid)
    wait_idle(list(groups.values()))
    with cpu_usage(groups) as cpu:
        result = run_load(target, config.duration, config)
    server_cpu_seconds = cpu.cores.get("server_cores", float("nan")) * cpu.wall_seconds
    if not result.requests:  # no answer within the run: no latency to report
        result.p50_ms = result.p95_ms = result.p99_ms = float("nan")
    return {
        "target": target.name,
        "generator": result.generator,
        "requests": result.requests,
        "errors": result.errors,
        "seconds": round(result.seconds, 3),
        "rps": result.rps,
        "p50_ms": result.p50_ms,
        "p95_ms": result.p95_ms,
        "p99_ms": result.p99_ms,
        **cpu.cores,
        # CPU time the server spends per request: much less noisy than req/s on a busy machine
        "server_cpu_ms_per_request": ratio(server_cpu_seconds * 1000, result.requests),
        "generator_cores": result.generator_cores,
        "other_cores": cpu.other_cores - result.generator_cores,
        "machine_busy_pct": cpu.machine_busy * 100,
    }


def _named(name: str) -> Callable[[], list[int]]:
    return lambda: pids_named(name)


def _tree(root: int) -> Callable[[], list[int]]:
    return lambda: process_tree(root)


def wait_idle(
    groups: Sequence[PidSource], *, below_cores: float = 0.15, timeout: float = 60.0
) -> float:
    """Wait until the processes together use less than ``below_cores`` (over half a second);
    at most ``timeout`` seconds. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with cpu_usage({str(n): source for n, source in enumerate(groups)}) as usage:
            time.sleep(0.5)
        if sum(usage.cores.values()) < below_cores:
            break
    return time.monotonic() - started


#: wrk's Lua hooks that count unexpected statuses and print ``BENCH_RESULT {json}`` (read by
#: ``wrk_result``); a script keeps its threads in ``threads`` and is %-formatted with ``expected``.
WRK_REPORT_LUA = """
function init(args) unexpected = 0 end
function response(status, headers, body)
  if status ~= %(expected)d then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"unexpected\\": %%d, "
    .. "\\"socket_errors\\": %%d, \\"p50_us\\": %%.1f, \\"p95_us\\": %%.1f, "
    .. "\\"p99_us\\": %%.1f}\\n",
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

_WRK_SCRIPT = (
    """
local threads = {}
function setup(thread) table.insert(threads, thread) end
"""
    + WRK_REPORT_LUA
)


def _wrk_load(target: LoadTarget, seconds: float, config: Config) -> LoadResult:
    whole_seconds = max(1, round(seconds))  # wrk takes whole seconds
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-wrk-") as script:
        script.write(_WRK_SCRIPT % {"expected": target.expected_status})
        script.flush()
        command = [
            wrk_path() or "wrk",
            "--threads", str(min(config.threads, config.connections)),
            "--connections", str(config.connections),
            "--duration", f"{whole_seconds}s",
            "--timeout", "10s",
            "--script", script.name,
        ]  # fmt: skip
        for name, value in target.headers.items():
            command += ["--header", f"{name}: {value}"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [*command, target.url],
            capture_output=True,
            text=True,
            timeout=whole_seconds + 60,
            check=False,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wrk_result(done, before, after)


def wrk_result(
    done: subprocess.CompletedProcess[str],
    before: resource.struct_rusage,
    after: resource.struct_rusage,
) -> LoadResult:
    """The LoadResult of a finished wrk run whose Lua script printed ``BENCH_RESULT {json}``;
    ``before``/``after``: the children's rusage around it (wrk's own CPU)."""
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    return LoadResult(
        generator="wrk",
        requests=data["requests"],
        errors=data["unexpected"] + data["socket_errors"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        generator_cpu_seconds=(after.ru_utime + after.ru_stime)
        - (before.ru_utime + before.ru_stime),
    )


def _python_load(target: LoadTarget, seconds: float, connections: int) -> LoadResult:
    cpu_start = time.process_time()
    latencies, errors, elapsed = asyncio.run(_python_load_async(target, seconds, connections))
    return LoadResult(
        generator="python",
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        generator_cpu_seconds=time.process_time() - cpu_start,
    )


async def _python_load_async(
    target: LoadTarget, seconds: float, connections: int
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10, headers=target.headers) as client:
        start = time.perf_counter()
        deadline = start + seconds

        async def user() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    response = await client.get(target.url)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                client.cookies.clear()  # only target.headers carry cookies, as with wrk
                if response.status_code != target.expected_status:
                    errors += 1

        await asyncio.gather(*(user() for _ in range(connections)))
        return latencies, errors, time.perf_counter() - start


# --- output -----------------------------------------------------------------------------------
def _cell(value: Any, fmt: str) -> str:
    if value is None:
        return "–"
    if fmt and isinstance(value, int | float):
        return "n/a" if value != value else format(value, fmt)  # NaN
    return str(value)


def format_table(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table; numeric columns are right-aligned."""
    cells = [[_cell(row.get(c.key), c.fmt) for c in columns] for row in rows]
    widths = [
        max([len(c.header), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if column.fmt else value.ljust(width)
            for value, width, column in zip(values, widths, columns, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line([c.header for c in columns]), rule, *(line(c) for c in cells)])


RATIO_COLUMNS = [
    Column("scope", "scope"),
    Column("ratio", "ratio"),
    Column("value", "value", ".3g"),
]


def format_report(report: Report) -> str:
    parts = [f"== {report.name} ==", format_table(report.columns, report.rows)]
    for table in report.tables:
        parts += ["", f"{table.title}:", format_table(table.columns, table.rows)]
    if report.ratios:
        parts += [
            "",
            "Ratios (same run, side by side):",
            format_table(RATIO_COLUMNS, report.ratios),
        ]
    parts += [f"note: {note}" for note in report.notes]
    parts += [f"!!! {message} !!!" for message in report.warnings]
    parts += [f"!!! FAILED: {message.splitlines()[0]}" for message in report.failures]
    return "\n".join(parts)


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO_DIR, capture_output=True, text=True, check=False, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    return {
        "cpu_count": os.cpu_count(),
        "cpu_usable": usable_cpus(),
        "cpu_model": model.group(1) if model else platform.processor(),
        "memory_gib": round(int(memory.group(1)) / 2**20, 1) if memory else None,
        "load_average_1_5_15_min": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": {name: _version(name) for name in ("django", "granian", "httpx", "psycopg")},
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain")),
    }


def describe_machine(machine: dict[str, Any]) -> str:
    """One line for the top of the output: what these numbers were measured on."""
    load = machine.get("load_average_1_5_15_min") or ()
    packages = machine.get("packages", {})
    commit = (machine.get("git_commit") or "?")[:10] + (" (dirty)" if machine["git_dirty"] else "")
    return (
        f"machine: {machine['cpu_usable']} CPUs ({machine['cpu_model']}), "
        f"{machine['memory_gib']} GiB, load average {' '.join(f'{x:.2f}' for x in load)}; "
        f"{machine['python']}, Django {packages.get('django')}, granian {packages.get('granian')}; "
        f"commit {commit}"
    )


def write_json(
    report: Report,
    config: Config,
    started: datetime,
    machine: dict[str, Any],
    directory: Path = RESULTS_DIR,
) -> Path:
    """Write ``<directory>/<report.name>.json``; ``machine`` is :func:`machine_info` at start."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{report.name}.json"
    payload = {
        "benchmark": report.name,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "config": asdict(config),
        **report.data,
        "columns": [asdict(c) for c in report.columns],
        "results": report.rows,
        "tables": [asdict(table) for table in report.tables],
        "ratios": report.ratios,
        "notes": report.notes,
        "warnings": report.warnings,
        "failures": report.failures,
    }
    path.write_text(json.dumps(_json_safe(payload), indent=2, ensure_ascii=False) + "\n")
    return path


def _json_safe(value: Any) -> Any:
    """NaN and infinity become null (JSON has neither); other odd values become strings."""
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)

"""Platform: the bare /healthz against the staff start page /intern/, on SQLite and PostgreSQL.

Per database: a fresh instance (migrate, demo, collectstatic), ``amtsfluss serve --no-worker``
(granian, 2 WSGI workers), then load on each target after a warm-up. The ratio
/intern/ ÷ /healthz is what to quote: it is measured side by side in one run.
"""

from __future__ import annotations

import httpx

from bench.common import (
    BenchError,
    Column,
    Config,
    Database,
    Instance,
    LoadTarget,
    Report,
    Server,
    fail,
    form_login,
    generator_description,
    instance,
    measure,
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

STAFF_USER = "sachbearbeitung"
SESSION_COOKIE = "amtsfluss_session"

COLUMNS = [
    Column("database", "database"),
    Column("target", "target"),
    Column("rps", "req/s", ",.0f"),
    Column("p50_ms", "p50 ms", ".1f"),
    Column("p95_ms", "p95 ms", ".1f"),
    Column("p99_ms", "p99 ms", ".1f"),
    Column("errors", "errors", "d"),
    Column("requests", "requests", ",d"),
    Column("server_cpu_ms_per_request", "CPU ms/req", ".2f"),
    Column("server_cores", "cores: server", ".2f"),
    Column("generator_cores", "loadgen", ".2f"),
    Column("database_cores", "PG", ".2f"),
    Column("other_cores", "other", ".2f"),
    Column("machine_busy_pct", "busy %", ".0f"),
]

PRINT_DEMO_LOGIN = "from amtsfluss.core.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)"

#: Fallback when the login form does not work: the same login service the form view calls.
SERVICE_LOGIN_SCRIPT = """
from importlib import import_module
from django.conf import settings
from django.test import RequestFactory
from amtsfluss.core import context
from amtsfluss.core.middleware import resolve_mandant
from amtsfluss.core.services.auth import staff_login
request = RequestFactory().post("/anmelden/", HTTP_HOST="127.0.0.1")
request.session = import_module(settings.SESSION_ENGINE).SessionStore()
request.mandant = resolve_mandant("127.0.0.1")
with context.use(context.RequestContext(client_address="127.0.0.1", channel="web")):
    staff_login(request=request, username={username!r}, password={password!r})
request.session.save()
print(request.session.session_key)
"""


def run(config: Config) -> Report:
    report = Report("platform", COLUMNS)
    generator = resolve_generator(config)
    report.data["generator"] = generator_description(generator)
    if generator == "python":
        why = "--generator python" if wrk_path() else "wrk is not installed (apt-get install wrk)"
        warn(
            report,
            f"{why}: the Python load generator needs far more CPU per request than wrk and "
            "may be the bottleneck",
        )

    databases = [Database("SQLite")]
    url = postgres_url()
    report.data["postgres_url"] = redact(url)
    if reason := postgres_unreachable(url):
        where = redact(url)
        warn(report, f"PostgreSQL is not reachable at {where} ({reason}): its run is SKIPPED")
        report.data["skipped"] = [{"database": "PostgreSQL", "reason": reason}]
    else:
        databases.append(Database("PostgreSQL", url))

    for database in databases:
        try:
            _run_database(database, config, report)
        except BenchError as exc:
            fail(report, f"{database.name}: {exc}")

    _add_ratios(report)
    report.notes += [
        f"load generator: {report.data['generator']}",
        "the load generator runs on the same machine and competes with the server for its "
        "cores; absolute req/s are a lower bound, quote the ratios",
        "CPU ms/req = the server's CPU time per request: the figure least disturbed by other "
        "programs on the machine",
        "cores = CPU in use during the measurement (1.00 = one whole core): server = serve + "
        "granian + its workers, loadgen = the load generator, PG = all postgres processes, "
        "other = everything else on this machine (noise: if it is well above 0, others were "
        f"busy; run again); busy % = share of all {usable_cpus()} cores in use",
    ]
    return report


def _run_database(database: Database, config: Config, report: Report) -> None:
    print(f"-- {database.name}: migrate, demo, collectstatic in a fresh data dir", flush=True)
    with instance(database) as inst, serve(inst) as server:
        print(f"   server up at {server.base_url} (granian, 2 WSGI workers)", flush=True)
        session = _staff_session(inst, server, report)
        targets = [
            LoadTarget("/healthz", f"{server.base_url}/healthz"),
            LoadTarget(
                "/intern/",
                f"{server.base_url}/intern/",
                headers={"Cookie": f"{SESSION_COOKIE}={session}"},
            ),
        ]
        for target in targets:
            _check(target, server)
            print(
                f"   {target.name}: {config.warmup:g} s warm-up, {config.duration:g} s "
                f"with {config.connections} connections",
                flush=True,
            )
            # PostgreSQL runs outside our process tree: watch all its processes
            watch = {"database": "postgres"} if database.url else None
            row = measure(target, config, server, watch)
            report.rows.append({"database": database.name, **row})
            _check(target, server)  # still answering as expected (e.g. the session still valid)


def _staff_session(inst: Instance, server: Server, report: Report) -> str:
    """A session cookie for the demo user: through the login form, else the login service."""
    password = inst.run("shell", "-v", "0", "-c", PRINT_DEMO_LOGIN).strip().splitlines()[-1]
    try:
        session = form_login(server.base_url, STAFF_USER, password)
    except BenchError as exc:
        warn(
            report,
            f"{inst.database.name}: login through the form POST /anmelden/ failed ({exc}); the "
            "session was created with the login service staff_login() instead",
        )
        script = SERVICE_LOGIN_SCRIPT.format(username=STAFF_USER, password=password)
        report.data.setdefault("login", {})[inst.database.name] = "login service (form failed)"
        return inst.run("shell", "-v", "0", "-c", script).strip().splitlines()[-1]
    report.data.setdefault("login", {})[inst.database.name] = "form"
    return session


def _check(target: LoadTarget, server: Server) -> None:
    """One request: a wrong status (say, a redirect to the login) stops this database's run."""
    answer = httpx.get(target.url, headers=target.headers, timeout=10, follow_redirects=False)
    if answer.status_code != target.expected_status:
        raise BenchError(
            f"GET {target.name} answered {answer.status_code}, not {target.expected_status}; "
            f"server log:\n{server.log_tail()}"
        )


def _add_ratios(report: Report) -> None:
    rows = {(row["database"], row["target"]): row for row in report.rows}
    for database in dict.fromkeys(row["database"] for row in report.rows):
        staff, health = rows.get((database, "/intern/")), rows.get((database, "/healthz"))
        if staff and health:
            report.ratios += [
                {
                    "scope": database,
                    "ratio": "p95 /intern/ ÷ /healthz",
                    "value": ratio(staff["p95_ms"], health["p95_ms"]),
                },
                {
                    "scope": database,
                    "ratio": "req/s /intern/ ÷ /healthz",
                    "value": ratio(staff["rps"], health["rps"]),
                },
                {
                    "scope": database,
                    "ratio": "server CPU ms/req /intern/ ÷ /healthz",
                    "value": ratio(
                        staff["server_cpu_ms_per_request"], health["server_cpu_ms_per_request"]
                    ),
                },
            ]
    for target in ("/healthz", "/intern/"):
        postgres, sqlite = rows.get(("PostgreSQL", target)), rows.get(("SQLite", target))
        if postgres and sqlite:
            report.ratios += [
                {
                    "scope": target,
                    "ratio": "p95 PostgreSQL ÷ SQLite",
                    "value": ratio(postgres["p95_ms"], sqlite["p95_ms"]),
                },
                {
                    "scope": target,
                    "ratio": "req/s PostgreSQL ÷ SQLite",
                    "value": ratio(postgres["rps"], sqlite["rps"]),
                },
                {
                    "scope": target,
                    "ratio": "server CPU ms/req PostgreSQL ÷ SQLite",
                    "value": ratio(
                        postgres["server_cpu_ms_per_request"], sqlite["server_cpu_ms_per_request"]
                    ),
                },
            ]

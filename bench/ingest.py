"""Ingest: text PDFs end to end — handed in, checked, stored, text extracted, filed, indexed.

Per database (SQLite; PostgreSQL when reachable), in a fresh instance with the demo: a corpus
of German-looking one-page letters (fixed seed, each with a word of its own), then

1. two ``amtsfluss worker`` processes are started (one per core) and idle;
2. ``amtsfluss import DIR --oe 32.1 --auto`` hands the files in (checks inline, one Sendung per
   folder, so all of them land in one Vorgang of the unit's "Posteingang <year>" Akte);
3. the clock stops when every Eingang is ``bereit`` and the search journal is empty.

Reported: documents per second for the hand-in, the processing after it, and end to end
(import start → last document searchable), the cores each part used, and a check that a sample
of the documents is found by its own word through ``amtsfluss search`` as the clerk.
Target (issue "Digitaler Posteingang"): ≥ 30 documents/s end to end on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.common import (
    AMTSFLUSS,
    BenchError,
    Column,
    Config,
    Database,
    Instance,
    Report,
    cpu_usage,
    fail,
    instance,
    pids_named,
    postgres_unreachable,
    postgres_url,
    process_tree,
    redact,
    stop_process_group,
    warn,
)

DEFAULT_DOCUMENTS = 300
WORKERS = 2
TARGET_PER_SECOND = 30.0
TIMEOUT_S = 1800.0
SAMPLE = 10
CLERK = "sachbearbeitung"
SEED = 4711

COLUMNS = [
    Column("database", "database"),
    Column("documents", "documents", ",d"),
    Column("handin_per_s", "hand-in docs/s", ".1f"),
    Column("processing_per_s", "processing docs/s", ".1f"),
    Column("end_to_end_per_s", "end to end docs/s", ".1f"),
    Column("end_to_end_s", "end to end s", ".1f"),
    Column("worker_cores", "cores: workers", ".2f"),
    Column("database_cores", "PG", ".2f"),
    Column("machine_busy_pct", "busy %", ".0f"),
    Column("found", "sample found", ""),
]

STREETS = ("Hauptstraße", "Bahnhofstraße", "Lindenweg", "Am Markt", "Schulstraße", "Gartenweg")
SUBJECTS = (
    "Antrag auf Erteilung einer Baugenehmigung",
    "Widerspruch gegen den Gebührenbescheid",
    "Anzeige einer Veranstaltung",
    "Bitte um Auskunft zum Bebauungsplan",
    "Meldung eines Straßenschadens",
    "Rechnung für Reinigungsleistungen",
)
SENTENCES = (
    "Hiermit beantrage ich die Prüfung des beigefügten Vorgangs.",
    "Bitte teilen Sie mir den aktuellen Bearbeitungsstand mit.",
    "Die erforderlichen Unterlagen liegen diesem Schreiben bei.",
    "Für Rückfragen stehe ich Ihnen gern zur Verfügung.",
    "Ich bitte um eine schriftliche Eingangsbestätigung.",
    "Die Frist zur Stellungnahme endet am Monatsende.",
)


def add_arguments(parser: argparse.ArgumentParser | Any) -> None:
    parser.add_argument(
        "--ingest-documents",
        type=int,
        default=DEFAULT_DOCUMENTS,
        help=f"ingest: number of text PDFs ({DEFAULT_DOCUMENTS})",
    )
    parser.add_argument(
        "--ingest-databases",
        default="sqlite,postgresql",
        help="ingest: which databases, comma-separated (sqlite,postgresql)",
    )


def word_of(number: int) -> str:
    """A word that exists only in letter ``number`` (letters only: the search folds digits)."""
    letters = "bcdfghklmnprstvwz"
    out = []
    while True:
        number, rest = divmod(number, len(letters))
        out.append(letters[rest])
        if not number:
            break
    return "Aktenvermerk" + "".join(out) + "x"


def write_corpus(folder: Path, count: int) -> None:
    from amtsfluss.core.text_pdf import text_pdf

    chance = random.Random(SEED)
    folder.mkdir(parents=True)
    for number in range(count):
        lines = [
            f"Erika Mustermann, {chance.choice(STREETS)} {chance.randint(1, 99)}, Musterstadt",
            f"Betreff: {chance.choice(SUBJECTS)}",
            "Sehr geehrte Damen und Herren,",
            *chance.sample(SENTENCES, 4),
            f"Kennwort: {word_of(number)}",
            "Mit freundlichen Grüßen",
        ]
        (folder / f"brief-{number:05d}.pdf").write_bytes(text_pdf(lines))


def run(config: Config) -> Report:
    report = Report("ingest", COLUMNS)
    count = int(config.options.get("ingest_documents") or DEFAULT_DOCUMENTS)
    wanted = {
        name.strip().lower()
        for name in str(config.options.get("ingest_databases") or "sqlite,postgresql").split(",")
    }
    databases = [Database("SQLite")] if "sqlite" in wanted else []
    url = postgres_url()
    if "postgresql" not in wanted:
        pass
    elif reason := postgres_unreachable(url):
        warn(report, f"PostgreSQL is not reachable at {redact(url)} ({reason}): SKIPPED")
    else:
        databases.append(Database("PostgreSQL", url))
    for database in databases:
        try:
            report.rows.append(_run_database(database, count))
        except BenchError as exc:
            fail(report, f"{database.name}: {exc}")
    for row in report.rows:
        met = "met" if row["end_to_end_per_s"] >= TARGET_PER_SECOND else "NOT met"
        report.ratios.append(
            {
                "scope": f"{row['database']}, {row['documents']} text PDFs",
                "ratio": "end-to-end documents/s ÷ target 30",
                "value": row["end_to_end_per_s"] / TARGET_PER_SECOND,
            }
        )
        report.notes.append(
            f"{row['database']}: {row['end_to_end_per_s']:.1f} documents/s end to end — target "
            f"≥ {TARGET_PER_SECOND:.0f}/s on 2 cores {met}"
        )
    report.notes += [
        f"{WORKERS} workers (`amtsfluss worker`, one per core) start before the import; the "
        "import runs the checks inline (content type, PDF probe) and enqueues the processing",
        "end to end = from the start of the import until every Eingang is filed (bereit) and "
        "the search journal is empty, i.e. every document is searchable",
        "cores = CPU in use during end to end (1.00 = one core): workers include their tool "
        "children (zygote), PG = all postgres processes; the import command is the rest of "
        "busy %",
    ]
    return report


def _run_database(database: Database, count: int) -> dict[str, Any]:
    print(f"-- {database.name}: fresh instance, {count} text PDFs", flush=True)
    with instance(database) as inst:
        corpus = inst.data_dir / "korpus"
        write_corpus(corpus, count)
        with ExitStack() as stack:
            workers = [stack.enter_context(start_worker(inst, n)) for n in range(WORKERS)]
            time.sleep(3)  # past the workers' startup delay
            groups: dict[str, Any] = {
                "workers": lambda: [pid for w in workers for pid in process_tree(w.pid)],
                "postgres": (lambda: pids_named("postgres")) if database.url else list,
            }
            with cpu_usage(groups) as usage:
                started = time.perf_counter()
                handed_in = run_import(inst, corpus)
                handin_s = time.perf_counter() - started
                wait_done(inst, count)
            total_s = usage.wall_seconds
        found = _sample_found(inst, count)
    return {
        "database": database.name,
        "documents": count,
        "imported": handed_in,
        "handin_per_s": count / handin_s,
        "processing_per_s": count / max(total_s - handin_s, 1e-9),
        "end_to_end_per_s": count / total_s,
        "end_to_end_s": total_s,
        "worker_cores": usage.cores["workers"],
        "database_cores": usage.cores["postgres"] if database.url else None,
        "machine_busy_pct": usage.machine_busy * 100,
        "found": f"{found}/{SAMPLE}",
    }


@contextmanager
def start_worker(inst: Instance, number: int) -> Any:
    log = (inst.data_dir / f"worker-{number}.log").open("wb")
    process = subprocess.Popen(
        [*AMTSFLUSS, "worker", "--interval", "0.1", "--worker-id", f"bench-{number}"],
        env=inst.env,
        cwd=inst.data_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        stop_process_group(process)
        log.close()


def run_import(inst: Instance, corpus: Path) -> int:
    output = inst.run("import", str(corpus), "--oe", "32.1", "--auto", "--json", timeout=TIMEOUT_S)
    result = json.loads(output)
    if result["refused"]:
        raise BenchError(f"the import refused files: {result['files']['refused'][:3]}")
    return int(result["imported"])


def wait_done(inst: Instance, count: int) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    with _connection(inst) as connection:
        while time.monotonic() < deadline:
            cursor = connection.cursor()
            cursor.execute("SELECT status, COUNT(*) FROM posteingang_eingang GROUP BY status")
            states = dict(cursor.fetchall())
            cursor.execute("SELECT COUNT(*) FROM suche_indexauftrag")
            pending = cursor.fetchone()[0]
            cursor.close()
            connection.rollback()
            if states.get("klaerung") or states.get("abgewiesen"):
                raise BenchError(f"documents failed: {states}")
            if states.get("bereit", 0) >= count and not pending:
                return
            time.sleep(0.05)
    raise BenchError(f"not done within {TIMEOUT_S:.0f} s")


@contextmanager
def _connection(inst: Instance) -> Any:
    if inst.database.url:
        import psycopg

        connection: Any = psycopg.connect(inst.database.url)
    else:
        connection = sqlite3.connect(inst.data_dir / "amtsfluss.sqlite3", timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def _sample_found(inst: Instance, count: int) -> int:
    chance = random.Random(SEED + 1)
    found = 0
    for number in chance.sample(range(count), min(SAMPLE, count)):
        output = inst.run("search", word_of(number), "--as", CLERK, "--json")
        hits = json.loads(output).get("hits", [])
        found += len(hits) == 1
    return found

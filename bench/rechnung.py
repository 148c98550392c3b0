"""E-Rechnung: warm XRechnung validation, fast path next to KoSIT's full report path.

Targets (issue "E-Rechnung"): ≤ 15 ms median per invoice on one core (warm), a 1,000-line
invoice ≤ 0.5 s. Material: the official rule pack and test suite in ``../shared/standards``
(``AMTSFLUSS_XRECHNUNG_RULES``, ``AMTSFLUSS_XRECHNUNG_TESTSUITE`` override), never downloaded.

Each part runs in worker processes (``python -m bench.rechnung --worker MODE``) with the
embedded preset in a temp data dir; a worker compiles the pack once and is warm after one pass.

1. **testsuite** — all instances, one core (``sched_setaffinity``), several rounds; per invoice
   the fast path (``Validator``) and the full path (``full_report=True``: KoSIT's report XSLT and
   ``acceptMatch``) alternate, so both see the same machine. Plus the time of each step.
2. **lines** — generated invoices (``bench/rechnung_samples.py``) with 1 … 5,000 lines from a
   UBL and a CII instance; every verdict must be accept.
3. **throughput** — invoices per second of one warm worker (one core) and of two (two cores).
4. **JVM** — a stand-in for KoSIT's JVM per call: Debian's Saxon-HE (``libsaxonhe-java``) in a
   fresh ``java`` per invoice and Schematron stylesheet (compile + transform), next to ours.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    REPO_DIR,
    BenchError,
    Column,
    Config,
    Database,
    Report,
    Table,
    cpu_usage,
    fail,
    instance_env,
    percentile,
    ratio,
    warn,
)

STANDARDS = Path("/work/shared/standards/xrechnung")
SAXON_JAR = Path("/usr/share/java/Saxon-HE.jar")
ROUNDS = 3  #: rounds over the test suite per path
WORKER_TIMEOUT = 1800
JVM_INSTANCES = 6  #: test suite instances checked with a fresh JVM each (3 UBL, 3 CII)
TARGET_MEDIAN_MS = 15.0
TARGET_1000_LINES_MS = 500.0
BASES = {
    "UBL": "business-cases/standard/01.01a-INVOICE_ubl.xml",
    "CII": "business-cases/standard/01.01a-INVOICE_uncefact.xml",
}


def rules_dir() -> Path:
    return Path(
        os.environ.get(
            "AMTSFLUSS_XRECHNUNG_RULES", STANDARDS / "validator-configuration-xrechnung-3.0.2"
        )
    )


def suite_dir() -> Path:
    return Path(os.environ.get("AMTSFLUSS_XRECHNUNG_TESTSUITE", STANDARDS / "testsuite")) / (
        "src/test"
    )


def suite_files() -> list[Path]:
    return sorted(suite_dir().rglob("*.xml"))


# --- the parent: plan, workers, tables ---------------------------------------------------------


def run(config: Config) -> Report:
    if not (rules_dir() / "scenarios.xml").is_file() or not suite_files():
        raise BenchError(
            f"XRechnung material missing: rule pack {rules_dir()} (unpacked "
            f"validator-configuration-xrechnung) and test suite {suite_dir()}; see "
            "tests/rechnung/conftest.py for where to get them"
        )
    report = Report(
        name="rechnung",
        columns=[
            Column("what", "what"),
            Column("path", "path"),
            Column("invoices", "invoices", ",d"),
            Column("p50_ms", "median ms", ".1f"),
            Column("p95_ms", "p95 ms", ".1f"),
            Column("mean_ms", "mean ms", ".1f"),
            Column("min_ms", "min ms", ".1f"),
            Column("cpu_ms", "median CPU ms", ".1f"),
        ],
    )
    report.notes.append(
        "fast = amtsfluss Validator (report XSLT skipped where provably equal); full = "
        "full_report=True (KoSIT's xrechnung-report.xsl + acceptMatch for every verdict)"
    )
    with tempfile.TemporaryDirectory(prefix="amtsfluss-bench-rechnung-") as data_dir:
        env = instance_env(Path(data_dir), Database("SQLite"))
        env["DJANGO_SETTINGS_MODULE"] = "amtsfluss.settings.embedded"
        for part in (_testsuite, _lines, _lines_split, _throughput, _jvm):
            try:
                part(report, env, config)
            except BenchError as exc:
                fail(report, f"{part.__name__.lstrip('_')}: {exc}")
    return report


def _testsuite(report: Report, env: dict[str, str], config: Config) -> None:
    done = _worker(env, "warm", {"cpu": _cpus()[-1], "rounds": ROUNDS})
    report.data["compile_seconds"] = done["compile_seconds"]
    count = done["files"]
    for path in ("fast", "full"):
        report.rows.append({"what": "testsuite, one core", "path": path, **_stats(done[path])})
        report.rows[-1].update(invoices=count, cpu_ms=percentile(done[f"{path}_cpu"], 50))
    fast, full = report.rows[-2], report.rows[-1]
    report.ratios += [
        {
            "scope": "testsuite median",
            "ratio": "full / fast",
            "value": ratio(full["p50_ms"], fast["p50_ms"]),
        },
        {
            "scope": "testsuite p95",
            "ratio": "full / fast",
            "value": ratio(full["p95_ms"], fast["p95_ms"]),
        },
    ]
    report.ratios.append(
        {
            "scope": "testsuite median CPU",
            "ratio": "full / fast",
            "value": ratio(full["cpu_ms"], fast["cpu_ms"]),
        }
    )
    report.notes.append(
        f"target median ≤ {TARGET_MEDIAN_MS:.0f} ms per invoice on one core: "
        f"CPU {fast['cpu_ms']:.1f} ms {_met(fast['cpu_ms'], TARGET_MEDIAN_MS)}, wall "
        f"{fast['p50_ms']:.1f} ms {_met(fast['p50_ms'], TARGET_MEDIAN_MS)} (wall includes "
        f"waiting for the core on a shared machine; load average at start {done['load']:.2f})"
    )
    report.tables.append(
        Table(
            "Where a warm validation spends its time (testsuite, median ms per invoice)",
            [
                Column("step", "step"),
                Column("p50_ms", "median ms", ".2f"),
                Column("mean_ms", "mean ms", ".2f"),
            ],
            [
                {
                    "step": step,
                    "p50_ms": statistics.median(times),
                    "mean_ms": statistics.mean(times),
                }
                for step, times in done["steps"].items()
            ],
        )
    )


def _lines(report: Report, env: dict[str, str], config: Config) -> None:
    done = _worker(env, "lines", {"cpu": _cpus()[-1]})
    rows = []
    for item in done["rows"]:
        rows.append(
            {
                **item,
                "full_ratio": ratio(item["full_ms"], item["fast_ms"]),
                "per_line_ms": item["fast_ms"] / item["lines"],
            }
        )
        if not item["accepted"]:
            fail(report, f"generated {item['syntax']} invoice with {item['lines']} lines rejected")
    report.tables.append(
        Table(
            "Invoice lines (generated from 01.01a; median ms per invoice, one core)",
            [
                Column("syntax", "syntax"),
                Column("lines", "lines", ",d"),
                Column("kib", "KiB", ",.0f"),
                Column("fast_ms", "fast ms", ",.1f"),
                Column("fast_cpu_ms", "fast CPU ms", ",.1f"),
                Column("full_ms", "full ms", ",.1f"),
                Column("full_ratio", "full/fast", ".2f"),
                Column("per_line_ms", "fast ms/line", ".3f"),
                Column("parse_ms", "Saxon parse", ",.1f"),
                Column("xsd_ms", "XSD", ",.1f"),
                Column("schematron_ms", "Schematron", ",.1f"),
                Column("report_ms", "report", ",.1f"),
                Column("runs", "runs", "d"),
            ],
            rows,
        )
    )
    for row in rows:
        if row["lines"] == 1000:
            report.ratios.append(
                {
                    "scope": f"1,000 lines {row['syntax']}",
                    "ratio": "full / fast",
                    "value": row["full_ratio"],
                }
            )
            report.notes.append(
                f"target 1,000-line invoice ≤ {TARGET_1000_LINES_MS:.0f} ms ({row['syntax']}): "
                f"CPU {row['fast_cpu_ms']:,.0f} ms "
                f"{_met(row['fast_cpu_ms'], TARGET_1000_LINES_MS)}, wall {row['fast_ms']:,.0f} "
                f"ms {_met(row['fast_ms'], TARGET_1000_LINES_MS)} (Schematron alone "
                f"{row['schematron_ms']:,.0f} ms)"
            )


def _lines_split(report: Report, env: dict[str, str], config: Config) -> None:
    """The same large invoices with the partner process on the second core."""
    if len(_cpus()) < 2:
        warn(report, "only one usable CPU: large invoices on two cores not measured")
        return
    done = _worker(env, "lines_split", {"counts": [1_000, 5_000], "split_bytes": 256 * 1024})
    one_core = {
        (row["syntax"], row["lines"]): row["fast_ms"]
        for table in report.tables
        if table.title.startswith("Invoice lines")
        for row in table.rows
    }
    rows = []
    for item in done["rows"]:
        single = one_core.get((item["syntax"], item["lines"]), float("nan"))
        rows.append({**item, "one_core_ms": single, "speedup": ratio(single, item["split_ms"])})
        if not item["accepted"] or not item["shared"]:
            fail(report, f"{item['syntax']} {item['lines']} lines split: rejected or not shared")
    report.tables.append(
        Table(
            "Large invoices on two cores (Schematron patterns shared with the partner process)",
            [
                Column("syntax", "syntax"),
                Column("lines", "lines", ",d"),
                Column("split_ms", "two cores ms", ",.1f"),
                Column("split_p95_ms", "max ms", ",.1f"),
                Column("one_core_ms", "one core ms", ",.1f"),
                Column("speedup", "one core / two", ".2f"),
                Column("cpu_ms", "CPU ms (this process)", ",.1f"),
                Column("runs", "runs", "d"),
            ],
            rows,
        )
    )
    for row in rows:
        if row["lines"] == 1000:
            report.notes.append(
                f"target 1,000-line invoice ≤ {TARGET_1000_LINES_MS:.0f} ms ({row['syntax']}, "
                f"two cores): median {row['split_ms']:,.0f} ms "
                f"{_met(row['split_ms'], TARGET_1000_LINES_MS)}, max {row['split_p95_ms']:,.0f} ms"
            )


def _throughput(report: Report, env: dict[str, str], config: Config) -> None:
    cpus = _cpus()
    rows = []
    for workers in sorted({1, min(2, len(cpus))}):
        rows.append(_parallel(env, cpus[:workers], config.duration))
    if len(cpus) < 2:
        warn(report, "only one usable CPU: throughput with two workers not measured")
    report.tables.append(
        Table(
            "Throughput (fast path, test suite round-robin, each worker warm and pinned)",
            [
                Column("workers", "workers", "d"),
                Column("invoices", "invoices", ",d"),
                Column("seconds", "s", ".1f"),
                Column("per_second", "invoices/s", ",.1f"),
                Column("worker_cores", "worker cores", ".2f"),
                Column("other_cores", "other programs' cores", ".2f"),
            ],
            rows,
        )
    )
    if len(rows) == 2:
        report.ratios.append(
            {
                "scope": "throughput",
                "ratio": "2 workers / 1 worker",
                "value": ratio(rows[1]["per_second"], rows[0]["per_second"]),
            }
        )


def _parallel(env: dict[str, str], cpus: Sequence[int], seconds: float) -> dict[str, Any]:
    processes = [_start_worker(env, "throughput", {"cpu": cpu, "seconds": seconds}) for cpu in cpus]
    try:
        for process in processes:
            _expect(process, "ready")
        with cpu_usage({}) as usage:
            for process in processes:
                assert process.stdin is not None
                process.stdin.write("go\n")
                process.stdin.flush()
            results = [_finish(process) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    invoices = sum(r["invoices"] for r in results)
    wall = max(r["seconds"] for r in results)
    worker_cores = sum(r["cpu_seconds"] for r in results) / wall
    return {
        "workers": len(cpus),
        "invoices": invoices,
        "seconds": wall,
        "per_second": invoices / wall,
        "worker_cores": worker_cores,
        "other_cores": usage.machine_busy * len(_cpus()) - worker_cores,
    }


def _jvm(report: Report, env: dict[str, str], config: Config) -> None:
    java = shutil.which("java")
    if java is None or not SAXON_JAR.is_file():
        warn(
            report,
            "JVM comparison SKIPPED: needs java and Saxon-HE (apt-get install libsaxonhe-java)",
        )
        return
    ubl = [f for f in suite_files() if f.name.endswith("_ubl.xml")][: JVM_INSTANCES // 2]
    cii = [f for f in suite_files() if f.name.endswith("_uncefact.xml")][: JVM_INSTANCES // 2]
    version = subprocess.run(
        [java, "-cp", str(SAXON_JAR), "net.sf.saxon.Transform", "-t", "-?"],
        capture_output=True,
        text=True,
        check=False,
    ).stderr.splitlines()[:1]
    rows = []
    ours = _worker(env, "files", {"cpu": _cpus()[-1], "files": [str(f) for f in ubl + cii]})
    for path in ubl + cii:
        stylesheets = _schematron_of(path)
        wall = cpu = 0.0
        for stylesheet in stylesheets:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(
                [
                    java,
                    "-cp",
                    str(SAXON_JAR),
                    "net.sf.saxon.Transform",
                    f"-s:{path}",
                    f"-xsl:{stylesheet}",
                    "-o:/dev/null",
                ],
                capture_output=True,
                check=True,
                timeout=300,
            )
            wall += time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu += after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        rows.append(
            {
                "invoice": path.name,
                "jvm_ms": wall * 1000,
                "jvm_cpu_ms": cpu * 1000,
                "ours_ms": ours["ms"][str(path)],
                "jvm_ratio": ratio(wall * 1000, ours["ms"][str(path)]),
            }
        )
    report.tables.append(
        Table(
            "JVM per call (stand-in for KoSIT's CLI: fresh java + Saxon-HE per invoice and "
            f"Schematron XSLT, compile + transform; {' '.join(version) or 'Saxon-HE'}) "
            "vs amtsfluss warm fast path",
            [
                Column("invoice", "invoice"),
                Column("jvm_ms", "JVM wall ms", ",.0f"),
                Column("jvm_cpu_ms", "JVM CPU ms", ",.0f"),
                Column("ours_ms", "ours ms", ",.1f"),
                Column("jvm_ratio", "JVM/ours", ",.0f"),
            ],
            rows,
        )
    )
    report.ratios.append(
        {
            "scope": "JVM per call (median)",
            "ratio": "JVM / ours",
            "value": statistics.median(r["jvm_ratio"] for r in rows),
        }
    )
    report.notes.append(
        "JVM stand-in: Debian libsaxonhe-java (Saxon-HE 9.9) runs only the two Schematron XSLTs "
        "(no XSD, no report) in a fresh JVM each — less work than KoSIT's CLI does per call"
    )


def _schematron_of(path: Path) -> list[Path]:
    rules = rules_dir() / "resources"
    if path.name.endswith("_uncefact.xml"):
        return [
            rules / "cii/16b/xsl/EN16931-CII-validation.xsl",
            rules / "xrechnung/3.0.2/xsl/XRechnung-CII-validation.xsl",
        ]
    return [
        rules / "ubl/2.1/xsl/EN16931-UBL-validation.xsl",
        rules / "xrechnung/3.0.2/xsl/XRechnung-UBL-validation.xsl",
    ]


def _met(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"


def _stats(times: Sequence[float]) -> dict[str, Any]:
    return {
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "mean_ms": statistics.mean(times),
        "min_ms": min(times),
    }


def _cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]


# --- worker processes --------------------------------------------------------------------------


def _start_worker(env: dict[str, str], mode: str, args: dict[str, Any]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.rechnung", "--worker", mode],
        env={**env, "PYTHONPATH": str(REPO_DIR)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps(args) + "\n")
    process.stdin.flush()
    return process


def _expect(process: subprocess.Popen[str], word: str) -> None:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if line != word:
        raise BenchError(f"worker said {line!r} instead of {word!r} (exit {process.poll()})")


def _finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdout is not None
    try:
        out, _ = process.communicate(timeout=WORKER_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        raise BenchError("worker timed out") from None
    if process.returncode != 0 or not out.strip():
        raise BenchError(f"worker failed (exit {process.returncode})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _worker(env: dict[str, str], mode: str, args: dict[str, Any]) -> dict[str, Any]:
    return _finish(_start_worker(env, mode, args))


def worker_main(mode: str) -> None:
    from bench.rechnung_worker import MODES

    args = json.loads(sys.stdin.readline())
    result = MODES[mode](args)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2])
    else:
        sys.exit("usage: python -m bench.rechnung --worker MODE (started by python -m bench)")

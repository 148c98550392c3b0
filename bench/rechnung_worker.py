"""The measuring side of ``bench/rechnung.py``: runs in its own process, pinned to one core.

Each mode reads its arguments (JSON) from the first stdin line and returns a JSON-able dict,
which ``bench.rechnung`` prints as the last stdout line.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.rechnung import BASES, rules_dir, suite_dir, suite_files
from bench.rechnung_samples import LINE_COUNTS, invoice


def _validator(cpu: int | None, *, split_bytes: int = 0) -> Any:
    """A warm validator of the rule pack, this process pinned to ``cpu`` (``None``: every core,
    with ``split_bytes`` for sharing large invoices with the partner process)."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    import django

    django.setup()
    from amtsfluss.rechnung.validation import Validator

    return Validator(rules_dir(), split_bytes=split_bytes)


def _timed(validator: Any, data: bytes, *, full: bool) -> tuple[float, str]:
    """Wall ms and verdict of one validation; its CPU ms go to ``_cpu_ms``."""
    validator.full_report = full
    started, cpu = time.perf_counter(), time.process_time()
    result = validator.validate_bytes(data)
    _cpu_ms.append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - started) * 1000, result.verdict


_cpu_ms: list[float] = []  # CPU ms of the last validations (this process; GC included)


def _svrl(output: str) -> Any:
    from lxml import etree  # type: ignore[import-untyped]

    from amtsfluss.rechnung.validation.hardening import hardened_parser

    return etree.fromstring(output.encode("utf-8"), hardened_parser())


def _steps(validator: Any, data: bytes) -> dict[str, float]:
    """Milliseconds of each step of one validation, the steps called one by one."""
    from lxml import etree

    from amtsfluss.rechnung.validation import saxon
    from amtsfluss.rechnung.validation.validator import _xpath_true

    times: dict[str, float] = {}

    def step(name: str, function: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = function()
        times[name] = times.get(name, 0.0) + (time.perf_counter() - started) * 1000
        return value

    tree = step("lxml parse (intake)", lambda: etree.ElementTree(etree.fromstring(data)))
    text = data.decode("utf-8")
    with saxon.LOCK:
        node = step("Saxon parse", lambda: saxon.processor().parse_xml(xml_text=text))
        scenario = step("scenario selection", lambda: validator._select(node))
        schema = validator._schemas[scenario.xml_schema]
        step("XML Schema (lxml)", lambda: schema.validate(tree))
        svrl_docs = []
        for _, path in scenario.schematron:
            transform: Callable[..., str] = saxon.stylesheet(path).transform_to_string
            output: str = step(f"Schematron {path.stem}", partial(transform, xdm_node=node))
            svrl_docs.append(step("SVRL → lxml", partial(_svrl, output)))
        report = step(
            "full path only: report XSLT",
            lambda: validator._report(scenario, node, [], svrl_docs),
        )
        step(
            "full path only: acceptMatch",
            lambda: _xpath_true(report, scenario.accept_match, scenario.namespaces),
        )
    return times


def warm(args: dict[str, Any]) -> dict[str, Any]:
    validator = _validator(args["cpu"])
    load = os.getloadavg()[0]
    files = [path.read_bytes() for path in suite_files()]
    for data in files:  # warm-up: one pass on each path
        _timed(validator, data, full=False)
        _timed(validator, data, full=True)
    times: dict[str, list[float]] = {"fast": [], "full": [], "fast_cpu": [], "full_cpu": []}
    for round_number in range(args["rounds"]):
        for data in files:
            order = (False, True) if round_number % 2 == 0 else (True, False)
            for full in order:
                ms, verdict = _timed(validator, data, full=full)
                if verdict != "accept":
                    raise RuntimeError("a test suite instance was rejected")
                times["full" if full else "fast"].append(ms)
                times["full_cpu" if full else "fast_cpu"].append(_cpu_ms[-1])
    steps: dict[str, list[float]] = {}
    for data in files:
        for name, ms in _steps(validator, data).items():
            steps.setdefault(name, []).append(ms)
    return {
        "files": len(files),
        "compile_seconds": validator.compile_seconds,
        "load": load,
        **times,
        "steps": steps,
    }


def lines(args: dict[str, Any]) -> dict[str, Any]:
    validator = _validator(args["cpu"])
    suite = suite_dir()
    rows = []
    for syntax, base in BASES.items():
        _timed(validator, invoice(suite / base, 10), full=False)
        for count in LINE_COUNTS:
            data = invoice(suite / base, count)
            runs = max(1, min(5, 2000 // count))
            fast: list[float] = []
            full: list[float] = []
            fast_cpu: list[float] = []
            verdicts: set[str] = set()
            for _ in range(runs):
                for is_full, into in ((False, fast), (True, full)):
                    ms, verdict = _timed(validator, data, full=is_full)
                    into.append(ms)
                    verdicts.add(verdict)
                    if not is_full:
                        fast_cpu.append(_cpu_ms[-1])
            steps = _steps(validator, data)
            rows.append(
                {
                    "syntax": syntax,
                    "lines": count,
                    "kib": len(data) / 1024,
                    "fast_ms": statistics.median(fast),
                    "full_ms": statistics.median(full),
                    "fast_cpu_ms": statistics.median(fast_cpu),
                    "parse_ms": steps["Saxon parse"],
                    "xsd_ms": steps["XML Schema (lxml)"],
                    "schematron_ms": sum(v for k, v in steps.items() if k.startswith("Schem")),
                    "report_ms": steps["full path only: report XSLT"],
                    "runs": runs,
                    "accepted": verdicts == {"accept"},
                }
            )
    return {"rows": rows}


def lines_split(args: dict[str, Any]) -> dict[str, Any]:
    """Large invoices on two cores: Schematron shared with the partner process (``split.py``)."""
    validator = _validator(None, split_bytes=args["split_bytes"])
    suite = suite_dir()
    documents = {
        (syntax, count): invoice(suite / base, count)
        for syntax, base in BASES.items()
        for count in args["counts"]
    }
    for data in documents.values():  # starts the partner; these run here and time each job
        _timed(validator, data, full=False)
    deadline = time.monotonic() + 300
    while not validator.split.partner.ready:
        if time.monotonic() > deadline:
            raise RuntimeError("the partner process did not start")
        time.sleep(0.1)
    rows = []
    for (syntax, count), data in documents.items():
        _timed(validator, data, full=False)  # the partner's first share: its timings
        shared = validator.split.shared
        runs = max(3, min(7, 4000 // count))
        times = [_timed(validator, data, full=False) for _ in range(runs)]
        rows.append(
            {
                "syntax": syntax,
                "lines": count,
                "split_ms": statistics.median(ms for ms, _ in times),
                "split_p95_ms": max(ms for ms, _ in times),
                "cpu_ms": statistics.median(_cpu_ms[-runs:]),
                "runs": runs,
                "shared": validator.split.shared - shared == runs,
                "accepted": {verdict for _, verdict in times} == {"accept"},
            }
        )
    return {"rows": rows}


def throughput(args: dict[str, Any]) -> dict[str, Any]:
    import sys

    validator = _validator(args["cpu"])
    files = [path.read_bytes() for path in suite_files()]
    for data in files:
        _timed(validator, data, full=False)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise RuntimeError("expected 'go'")
    started, cpu = time.perf_counter(), time.process_time()
    deadline = started + args["seconds"]
    count = 0
    while time.perf_counter() < deadline:
        _timed(validator, files[count % len(files)], full=False)
        count += 1
    return {
        "invoices": count,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
    }


def files(args: dict[str, Any]) -> dict[str, Any]:
    """Median ms of the fast path for each of the given files (5 runs after a warm pass)."""
    validator = _validator(args["cpu"])
    datas = {name: Path(name).read_bytes() for name in args["files"]}
    for data in datas.values():
        _timed(validator, data, full=False)
    return {
        "ms": {
            name: statistics.median(_timed(validator, data, full=False)[0] for _ in range(5))
            for name, data in datas.items()
        }
    }


MODES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "warm": warm,
    "lines": lines,
    "lines_split": lines_split,
    "throughput": throughput,
    "files": files,
}

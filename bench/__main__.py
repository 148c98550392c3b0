"""``python -m bench [--only NAME] [--duration S] [--connections N]``: run the benchmarks.

Every module ``bench/<name>.py`` with a ``run(config) -> Report`` function is a benchmark.
Each prints its table and writes ``bench/results/<name>.json``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType, ModuleType

import bench
from bench.common import (
    BenchError,
    Config,
    Report,
    describe_machine,
    format_report,
    machine_info,
    write_json,
)

NOT_BENCHMARKS = {"common", "__main__"}
_COMMON = {"only", "duration", "warmup", "connections", "generator", "threads", "list"}

Benchmark = Callable[[Config], Report]


def discover() -> dict[str, Benchmark]:
    return {name: module.run for name, module in _modules().items()}


def _modules() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for module_info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if module_info.name in NOT_BENCHMARKS or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        if callable(getattr(module, "run", None)):
            found[module_info.name] = module
    return found


def parse_args(argv: list[str] | None, names: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the amtsfluss benchmarks: tables on stdout, JSON in bench/results/.",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only this benchmark (repeatable, or comma-separated): {', '.join(names)}",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per target (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds (2)")
    parser.add_argument("--connections", type=int, default=16, help="connections (16)")
    parser.add_argument(
        "--generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk if installed (auto), or force one",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    for module in _modules().values():  # a benchmark's own options (akte: --documents)
        if callable(add_arguments := getattr(module, "add_arguments", None)):
            add_arguments(parser)
    return parser.parse_args(argv)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl+C: servers stopped, temp dirs removed


def main(argv: list[str] | None = None) -> int:
    benchmarks = discover()
    args = parse_args(argv, list(benchmarks))
    if args.list:
        print("\n".join(benchmarks))
        return 0
    selected = list(benchmarks)
    if args.only:
        selected = [name.strip() for value in args.only for name in value.split(",") if name]
        if unknown := [name for name in selected if name not in benchmarks]:
            print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(benchmarks)}")
            return 2
    config = Config(
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        generator=args.generator,
        threads=args.threads,
        options={key: value for key, value in vars(args).items() if key not in _COMMON},
    )
    signal.signal(signal.SIGTERM, _terminate)

    print(describe_machine(machine_info()), flush=True)
    failed: list[str] = []
    outputs: list[str] = []
    try:
        for name in selected:
            print(f"=== {name} ===", flush=True)
            started, machine = datetime.now(UTC), machine_info()
            try:
                report = benchmarks[name](config)
            except BenchError as exc:
                print(f"!!! benchmark {name} could not run: {exc}", file=sys.stderr)
                failed.append(name)
                continue
            except Exception:
                traceback.print_exc()
                failed.append(name)
                continue
            if report.failures:
                failed.append(name)
            path = write_json(report, config, started, machine)
            output = f"{format_report(report)}\n(JSON: {path})"
            outputs.append(output)
            print(f"\n{output}\n", flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, temporary data removed", file=sys.stderr)
        return 130
    if len(outputs) > 1:  # every table once more, together at the end
        print("\n\n".join(["=== summary ===", *outputs]))
    if failed:
        print(f"!!! failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

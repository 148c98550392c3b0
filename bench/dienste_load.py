"""Load over many paths for the ``dienste`` benchmark: wrk with a Lua script that takes the next
path for every request, or (without wrk) an asyncio + httpx generator doing the same.

The common load generator (``bench.common.run_load``) requests one URL; the status pages are
one per Antrag, and a benchmark over a single token would measure one row's cache.
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import tempfile
import time
from collections.abc import Sequence

import httpx

from bench.common import (
    WRK_REPORT_LUA,
    BenchError,
    Config,
    LoadResult,
    percentile,
    resolve_generator,
    wrk_path,
    wrk_result,
)

_WRK_SCRIPT = (
    """
local paths = {%(paths)s}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("next_path", (#threads - 1) * 97)
end
function request()
  next_path = next_path %% #paths + 1
  return wrk.format("GET", paths[next_path])
end
"""
    + WRK_REPORT_LUA
)


def rotating_load(
    base_url: str, paths: Sequence[str], seconds: float, config: Config, expected: int = 200
) -> LoadResult:
    """``config.connections`` connections for ``seconds``, each request the next of ``paths``."""
    if not paths:
        raise BenchError("no paths to load")
    if resolve_generator(config) == "wrk":
        return _wrk(base_url, paths, seconds, config, expected)
    return _python(base_url, paths, seconds, config.connections, expected)


def _lua_string(text: str) -> str:
    if any(c in text for c in '"\\\n'):
        raise BenchError(f"a path that does not fit a Lua string: {text!r}")
    return f'"{text}"'


def _wrk(
    base_url: str, paths: Sequence[str], seconds: float, config: Config, expected: int
) -> LoadResult:
    whole_seconds = max(1, round(seconds))  # wrk takes whole seconds
    script_text = _WRK_SCRIPT % {
        "paths": ", ".join(_lua_string(p) for p in paths),
        "expected": expected,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-dienste-") as script:
        script.write(script_text)
        script.flush()
        command = [
            wrk_path() or "wrk",
            "--threads", str(min(config.threads, config.connections)),
            "--connections", str(config.connections),
            "--duration", f"{whole_seconds}s",
            "--timeout", "10s",
            "--script", script.name,
            base_url,
        ]  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=whole_seconds + 60, check=False
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wrk_result(done, before, after)


def _python(
    base_url: str, paths: Sequence[str], seconds: float, connections: int, expected: int
) -> LoadResult:
    cpu_start = time.process_time()
    latencies, errors, elapsed = asyncio.run(
        _python_async(base_url, paths, seconds, connections, expected)
    )
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


async def _python_async(
    base_url: str, paths: Sequence[str], seconds: float, connections: int, expected: int
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    counter = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:
        start = time.perf_counter()
        deadline = start + seconds

        async def user() -> None:
            nonlocal errors, counter
            while time.perf_counter() < deadline:
                path = paths[counter % len(paths)]
                counter += 1
                sent = time.perf_counter()
                try:
                    response = await client.get(path)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                client.cookies.clear()  # every request as a new visitor, as with wrk
                if response.status_code != expected:
                    errors += 1

        await asyncio.gather(*(user() for _ in range(connections)))
        return latencies, errors, time.perf_counter() - start

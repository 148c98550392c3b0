"""Large invoices on two cores: the Schematron patterns shared with a warm partner process.

A 1,000-line invoice spends most of its validation in two Schematron stylesheets (EN 16931 and
XRechnung). saxonche holds the GIL during a transform, so threads do not help; a second process
does. ``patterns.cut`` splits each stylesheet into one stylesheet per pattern, whose SVRL
``patterns.join`` puts back together exactly. For a document of at least ``split_bytes`` the
validator hands part of these per-pattern jobs to its partner, runs the rest itself, and joins
the results.

* The partner is a separate interpreter (``python -m amtsfluss.rechnung.validation.partner``)
  started on the first large document; it compiles the same stylesheets, locks Saxon against
  file and network access, and answers jobs over its stdin/stdout. It ends with its parent
  process: the end of its stdin (not ``PR_SET_PDEATHSIG``, which follows the starting thread).
* Jobs are assigned longest first to the side with less work (the partner's side starts with
  its parse of the document), from the milliseconds per KiB each job took before. The first large
  document, before any timing is known, or while the partner starts, runs all jobs here.
* Anything wrong with the partner (it died, answered nonsense, timed out) costs only speed: its
  jobs run here, and the next large document starts a new partner.

The protocol is bytes only (no pickle: the partner parses untrusted XML): a frame is a 4-byte
length and a JSON header, then, where the header says so, raw bytes.
"""

from __future__ import annotations

import json
import logging
import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from amtsfluss.rechnung.validation import codelists, patterns, saxon

logger = logging.getLogger(__name__)

#: documents from this size on are split between the two processes (0: never)
DEFAULT_SPLIT_BYTES = 256 * 1024
#: how long a partner may take for its share before its jobs run here instead
ANSWER_SECONDS = 30.0
START_SECONDS = 120.0
_HEADER = struct.Struct(">I")
_MAX_HEADER = 1 << 20
#: weight of a new timing in the running estimate of a job's ms per KiB
_SMOOTHING = 0.3

Job = tuple[str, int]  # (stylesheet path, the part's pattern index)


def split_bytes() -> int:
    value = os.environ.get("AMTSFLUSS_ERECHNUNG_SPLIT_BYTES", "")
    return int(value) if value.strip().isdigit() else DEFAULT_SPLIT_BYTES


# -- the stylesheets' parts, compiled in this process -----------------------------------------


def stylesheet_text(path: Path) -> str:
    """The stylesheet as ``saxon.stylesheet`` compiles it (code lists rewritten)."""
    optimised = codelists.optimise(path.read_bytes(), base_uri=path.as_uri())
    return optimised.text if optimised.rewrites else path.read_text(encoding="utf-8")


def compile_parts(paths: Sequence[Path]) -> dict[Job, Any]:
    """Each cut-able stylesheet's parts, compiled. Call with ``saxon.LOCK`` held; the texts
    import nothing, so this works after ``saxon.lock_protocols`` too."""
    compiled: dict[Job, Any] = {}
    for path in paths:
        for part in patterns.cut(stylesheet_text(path)) or ():
            key = f"{path}#{part.pattern}"
            compiled[(str(path), part.index)] = saxon.stylesheet_text(key, part.text)
    return compiled


# -- frames ------------------------------------------------------------------------------------


def write_frame(stream: IO[bytes], header: dict[str, Any], body: bytes = b"") -> None:
    encoded = json.dumps(header).encode("utf-8")
    stream.write(_HEADER.pack(len(encoded)) + encoded + body)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise EOFError("partner stream closed")
        data += chunk
    return bytes(data)


def read_header(stream: IO[bytes]) -> dict[str, Any]:
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    if size > _MAX_HEADER:
        raise ValueError("partner frame header too long")
    header = json.loads(_read_exactly(stream, size))
    if not isinstance(header, dict):
        raise ValueError("partner frame header is not an object")
    return header


# -- this side ---------------------------------------------------------------------------------


@dataclass
class Estimates:
    """Milliseconds per KiB of each job, and of the partner's parse."""

    job_ms_per_kib: dict[Job, float] = field(default_factory=dict)
    #: Saxon parses about 25-30 µs per KiB of invoice (1,000 lines: 1.4-2.4 MiB, 60-70 ms)
    parse_ms_per_kib: float = 0.03

    def known(self, jobs: Sequence[Job]) -> bool:
        return all(job in self.job_ms_per_kib for job in jobs)

    def learn(self, job: Job, ms: float, kib: float) -> None:
        self.job_ms_per_kib[job] = _smoothed(self.job_ms_per_kib.get(job), ms / kib)

    def learn_parse(self, ms: float, kib: float) -> None:
        self.parse_ms_per_kib += _SMOOTHING * (ms / kib - self.parse_ms_per_kib)

    def assign(self, jobs: Sequence[Job]) -> tuple[list[Job], list[Job]]:
        """(here, partner): longest job first, each to the side with less work so far."""
        here: list[Job] = []
        there: list[Job] = []
        load_here, load_there = 0.0, self.parse_ms_per_kib
        for job in sorted(jobs, key=lambda j: -self.job_ms_per_kib[j]):
            cost = self.job_ms_per_kib[job]
            if load_here <= load_there:
                here.append(job)
                load_here += cost
            else:
                there.append(job)
                load_there += cost
        return here, there


def _smoothed(old: float | None, new: float) -> float:
    return new if old is None else old + _SMOOTHING * (new - old)


class Partner:
    """The partner process of one validator (started lazily, replaced when it fails)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = [str(path) for path in paths]
        self.process: subprocess.Popen[bytes] | None = None
        self.ready = False

    def start(self) -> None:
        """Start the process and wait for its "ready" in a thread (this call returns at once)."""
        if self.process is not None:
            return
        self.ready = False
        self.process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "amtsfluss.rechnung.validation.partner", *self.paths],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        threading.Thread(target=self._await_ready, args=(self.process,), daemon=True).start()

    def _await_ready(self, process: subprocess.Popen[bytes]) -> None:
        try:
            answers = process.stdout
            if answers is None or not _readable(answers, START_SECONDS):
                raise TimeoutError("partner did not start in time")
            header = read_header(answers)
            self.ready = header.get("ready") is True and process is self.process
        except Exception:
            logger.warning("e-invoice partner process did not start", exc_info=True)
            self.stop()

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        process = self.process
        if process is None or process.stdin is None or process.stdout is None:
            raise BrokenPipeError("no partner process")
        return process.stdin, process.stdout

    def send(self, text: bytes, jobs: Sequence[Job]) -> None:
        requests, _ = self._pipes()
        write_frame(requests, {"jobs": [list(job) for job in jobs], "size": len(text)}, text)

    def receive(self, jobs: Sequence[Job]) -> tuple[dict[Job, str], dict[Job, float], float]:
        """The SVRL and milliseconds of each job, and the partner's parse milliseconds."""
        _, answers = self._pipes()
        if not _readable(answers, ANSWER_SECONDS):
            raise TimeoutError("partner did not answer in time")
        header = read_header(answers)
        results = header.get("results")
        if not isinstance(results, list) or len(results) != len(jobs):
            raise ValueError(f"partner answered {header.get('error', 'nonsense')!r}")
        svrl: dict[Job, str] = {}
        times: dict[Job, float] = {}
        for job, (path, index, ms, size) in zip(jobs, results, strict=True):
            if (path, index) != job:
                raise ValueError("partner answered another job")
            svrl[job] = _read_exactly(answers, int(size)).decode("utf-8")
            times[job] = float(ms)
        return svrl, times, float(header.get("parse_ms", 0.0))

    def stop(self) -> None:
        process, self.process, self.ready = self.process, None, False
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()


def _readable(stream: IO[bytes], seconds: float) -> bool:
    ready, _, _ = select.select([stream], [], [], seconds)
    return bool(ready)


# -- the partner side --------------------------------------------------------------------------


def serve(paths: Sequence[Path], requests: IO[bytes], answers: IO[bytes]) -> None:
    """Compile the parts of ``paths``, lock Saxon, then answer job frames until end of input."""
    with saxon.LOCK:
        compiled = compile_parts(paths)
        saxon.lock_protocols()
    write_frame(answers, {"ready": True})
    while True:
        try:
            header = read_header(requests)
        except EOFError:
            return
        document = _read_exactly(requests, int(header.get("size", 0)))
        try:
            write_frame(answers, *_answer(compiled, header, document))
        except Exception as exc:  # an answer always goes back; the caller falls back
            write_frame(answers, {"error": type(exc).__name__})


def _answer(
    compiled: dict[Job, Any], header: dict[str, Any], document: bytes
) -> tuple[dict[str, Any], bytes]:
    jobs = [(str(path), int(index)) for path, index in header["jobs"]]
    started = time.perf_counter()
    with saxon.LOCK:
        node = saxon.processor().parse_xml(xml_text=document.decode("utf-8"))
        parse_ms = (time.perf_counter() - started) * 1000
        results, bodies = [], []
        for job in jobs:
            begun = time.perf_counter()
            output = compiled[job].transform_to_string(xdm_node=node).encode("utf-8")
            results.append([job[0], job[1], (time.perf_counter() - begun) * 1000, len(output)])
            bodies.append(output)
    return {"results": results, "parse_ms": parse_ms}, b"".join(bodies)


def main(argv: Sequence[str]) -> None:
    # Not PR_SET_PDEATHSIG: it fires when the *thread* that started the partner ends (web
    # servers retire idle request threads); the end of stdin comes when the process ends.
    serve([Path(path) for path in argv], sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main(sys.argv[1:])

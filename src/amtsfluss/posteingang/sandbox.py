"""Run an untrusted-input tool in a child process with CPU, memory and wall-time limits.

Every external tool that reads a received file (LibreOffice, ocrmypdf with Tesseract and
Ghostscript) runs through :func:`run_limited`: a new session, so that a timeout kills the whole
process group (LibreOffice and ocrmypdf start helpers); ``RLIMIT_AS``, ``RLIMIT_CPU`` (per
process) and no core dumps; a minimal environment with its own ``HOME`` and ``TMPDIR`` inside a
temporary directory that is removed afterwards. Our own Python tools (``child/``) get the same
limits in a child forked by the zygote (``zygote.py``), which saves their interpreter start.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from amtsfluss.core.process import die_with_parent

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 512 * MIB
    cpu_seconds: int = 30
    wall_seconds: float = 60.0


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode == 0

    @property
    def killed_by_limit(self) -> bool:
        """Ended by a signal (CPU limit, out of memory) or by the wall-clock timeout."""
        return self.timed_out or self.returncode < 0 or b"MemoryError" in self.stderr


def _limiter(limits: Limits) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        die_with_parent()
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        cpu = max(1, int(limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def tool_environment(workdir: Path, extra: dict[str, str] | None) -> dict[str, str]:
    """The whole environment a tool sees: no secrets of ours, its own HOME and TMPDIR."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "OMP_THREAD_LIMIT": "1",  # Tesseract: ocrmypdf parallelises by page instead
    }
    return {**env, **(extra or {})}


def run_limited(
    argv: Sequence[str],
    *,
    limits: Limits,
    workdir: Path,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> Outcome:
    """Run ``argv`` in ``workdir`` under ``limits``; never raises for what the child does."""
    process = subprocess.Popen(  # noqa: S603 - fixed tool commands built by this app
        list(argv),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=workdir,
        env=tool_environment(workdir, env),
        start_new_session=True,
        preexec_fn=_limiter(limits),
    )
    try:
        stdout, stderr = process.communicate(stdin, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        return Outcome(process.returncode, stdout, stderr, timed_out=True)
    finally:
        if process.poll() is None:  # interrupted while waiting: leave no child behind
            _kill_group(process)
    _kill_group(process)  # helpers that outlived their parent (soffice.bin, gs)
    return Outcome(process.returncode, stdout, stderr, timed_out=False)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def workspace() -> tempfile.TemporaryDirectory[str]:
    """A private temporary directory for one tool run (its profile, inputs and outputs)."""
    return tempfile.TemporaryDirectory(prefix="amtsfluss-posteingang-")

"""The parent side of ``child/zygote.py``: run our Python tools on untrusted files in a forked,
limited child of a warm zygote instead of a fresh interpreter.

One zygote per process (started on first use, again after a fork or when it died), shared by
the threads of that process. Each run gets two fresh socket pairs — the child's stdin/stdout and
its stderr — handed to the zygote with the request; the answer is read here under the run's
wall-clock limit, and a child that overruns it is killed through the zygote. The exit code
arrives as a frame after the child's stderr (``child/zygote.py``).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from amtsfluss.posteingang.child.zygote import TRAILER
from amtsfluss.posteingang.sandbox import Limits, Outcome, tool_environment

ZYGOTE = Path(__file__).with_name("child") / "zygote.py"
START_SECONDS = 60.0  # the zygote imports the PDF libraries once
KILLED = -9  # the exit code reported when the zygote itself went away
_FRAME = len(TRAILER) + 4


class ZygoteUnavailable(RuntimeError):
    """The zygote could not be started or answered nonsense."""


class _Zygote:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._owner = 0
        self._workdir: str | None = None

    def _alive(self) -> bool:
        return (
            self._process is not None
            and self._owner == os.getpid()
            and self._process.poll() is None
        )

    def _start(self) -> socket.socket:
        self._stop()
        ours, theirs = socket.socketpair()
        self._workdir = tempfile.mkdtemp(prefix="amtsfluss-zygote-")
        try:
            self._process = subprocess.Popen(  # noqa: S603 - our own program
                [sys.executable, "-I", str(ZYGOTE), str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=self._workdir,
                env=tool_environment(Path(self._workdir), None),
                start_new_session=True,
            )
        finally:
            theirs.close()
        ours.settimeout(START_SECONDS)
        try:
            ready = ours.recv(16)
        except OSError as exc:
            raise ZygoteUnavailable(f"zygote did not start: {exc}") from exc
        if ready != b"ready\n":
            raise ZygoteUnavailable("zygote did not start")
        ours.settimeout(None)
        self._control, self._owner = ours, os.getpid()
        return ours

    def _stop(self) -> None:
        if self._owner == os.getpid():
            if self._control is not None:
                self._control.close()
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
                self._process.wait()
            if self._workdir:
                shutil.rmtree(self._workdir, ignore_errors=True)
        self._process = self._control = self._workdir = None

    def _spawn(self, request: dict[str, object], fds: list[int]) -> int:
        with self._lock:
            control = self._control if self._alive() and self._control else self._start()
            try:
                socket.send_fds(control, [json.dumps(request).encode()], fds)
                reply = b""
                while not reply.endswith(b"\n"):
                    chunk = control.recv(32)
                    if not chunk:
                        raise ZygoteUnavailable("zygote closed the connection")
                    reply += chunk
            except OSError as exc:
                self._stop()
                raise ZygoteUnavailable(str(exc)) from exc
            return int(reply)

    def _kill(self, pid: int) -> None:
        with self._lock, contextlib.suppress(OSError):
            if self._alive() and self._control is not None:
                self._control.sendall(json.dumps({"op": "kill", "pid": pid}).encode())

    def run(self, tool: str, argv: list[str], *, limits: Limits, stdin: bytes) -> Outcome:
        stdio, child_stdio = socket.socketpair()
        errors, child_errors = socket.socketpair()
        request = {
            "op": "run",
            "tool": tool,
            "argv": argv,
            "memory": limits.memory_bytes,
            "cpu": limits.cpu_seconds,
        }
        try:
            try:
                pid = self._spawn(request, [child_stdio.fileno(), child_errors.fileno()])
            except ZygoteUnavailable:  # once more, with a fresh zygote
                pid = self._spawn(request, [child_stdio.fileno(), child_errors.fileno()])
            child_stdio.close()
            child_errors.close()
            stdout, stderr, timed_out = _exchange(stdio, errors, stdin, limits.wall_seconds)
            if timed_out:
                self._kill(pid)
                more_out, more_err, _late = _exchange(stdio, errors, b"", 10.0)
                stdout, stderr = stdout + more_out, stderr + more_err
        finally:
            for sock in (stdio, errors, child_stdio, child_errors):
                sock.close()
        code = KILLED
        if len(stderr) >= _FRAME and stderr[-_FRAME:].startswith(TRAILER):
            (code,) = struct.unpack("!i", stderr[-4:])
            stderr = stderr[:-_FRAME]
        return Outcome(code, stdout, stderr, timed_out=timed_out)


def _exchange(
    stdio: socket.socket, errors: socket.socket, data: bytes, seconds: float
) -> tuple[bytes, bytes, bool]:
    """Send ``data`` and read both sockets to their end, or until ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    outputs = {stdio.fileno(): bytearray(), errors.fileno(): bytearray()}
    view = memoryview(data)
    with selectors.DefaultSelector() as selector:
        for sock in (stdio, errors):
            sock.setblocking(False)
        selector.register(stdio, selectors.EVENT_READ | (selectors.EVENT_WRITE if data else 0))
        selector.register(errors, selectors.EVENT_READ)
        if not data:
            with contextlib.suppress(OSError):
                stdio.shutdown(socket.SHUT_WR)
        open_ends = 2
        while open_ends:
            left = deadline - time.monotonic()
            if left <= 0:
                return bytes(outputs[stdio.fileno()]), bytes(outputs[errors.fileno()]), True
            for key, events in selector.select(left):
                sock = stdio if key.fd == stdio.fileno() else errors
                if events & selectors.EVENT_WRITE:
                    view = _send_some(sock, view)
                    if not view:
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_WR)
                        selector.modify(sock, selectors.EVENT_READ)
                if events & selectors.EVENT_READ:
                    try:
                        chunk = sock.recv(1 << 20)
                    except BlockingIOError:
                        continue
                    except OSError:
                        chunk = b""
                    if chunk:
                        outputs[sock.fileno()] += chunk
                    else:
                        selector.unregister(sock)
                        open_ends -= 1
    return bytes(outputs[stdio.fileno()]), bytes(outputs[errors.fileno()]), False


def _send_some(sock: socket.socket, view: memoryview) -> memoryview:
    try:
        return view[sock.send(view[: 1 << 20]) :]
    except BlockingIOError:
        return view
    except OSError:  # the child stopped reading (it ended or failed): drop the rest
        return view[len(view) :]


_zygote = _Zygote()
atexit.register(_zygote._stop)  # its temporary directory too


def run_tool(tool: str, *args: str, limits: Limits, stdin: bytes) -> Outcome:
    """Run ``child/<tool>.py`` with ``args`` on ``stdin`` in a forked child under ``limits``."""
    return _zygote.run(tool, [f"{tool}.py", *args], limits=limits, stdin=stdin)

"""The zygote: a small process that has imported the PDF and image libraries once and forks a
limited child for every untrusted file, so a tool run costs a fork instead of an interpreter
start with its imports (about 0.4–0.7 s per run, three runs per received PDF).

Started only by :mod:`amtsfluss.posteingang.zygote` as ``python -I zygote.py FD`` with the
minimal environment of every sandboxed tool; it never parses a received file itself, only
its tools' own warm-up sample (``warm_up``), so the children inherit loaded tables and
plugins. FD is its end of the control socket. Requests on it:

``{"op": "run", "tool": "pdf_tool", "argv": [...], "memory": bytes, "cpu": seconds}`` with two
  sockets attached (SCM_RIGHTS): the child's stdin/stdout and its stderr. The zygote forks, the
  child takes the sockets as fd 0/1 and 2, sets its limits and runs ``tool.main(argv)``. The
  reply is the child's pid and a newline. When the child has ended, the zygote appends
  ``TRAILER`` + the exit code (negative: the signal) to the stderr socket and closes its copies.
``{"op": "kill", "pid": n}``: SIGKILL to that child's process group, if it is still running
  (so a reused pid is never hit). No reply.

The zygote ends with the process that started it: when that process ends, however, the kernel
closes its end of the control socket. Not ``PR_SET_PDEATHSIG``: that fires when the *thread*
that started the zygote ends, and web servers retire idle request threads. Each child dies
with the zygote (``PR_SET_PDEATHSIG``; the zygote has one thread).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import importlib.util
import json
import os
import resource
import selectors
import signal
import socket
import struct
import sys
from pathlib import Path
from types import ModuleType

TRAILER = b"\x00AFZ-EXIT"
TOOLS = ("pdf_tool", "image_tool")
PR_SET_PDEATHSIG = 1
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl


def exit_frame(code: int) -> bytes:
    return TRAILER + struct.pack("!i", code)


#: ``core/text_pdf.py`` (standard library only) makes the tools' warm-up sample; loaded by its
#: path, as the tools are: the zygote runs isolated (``python -I``), without our package
TEXT_PDF = Path(__file__).resolve().parents[2] / "core" / "text_pdf.py"
WARM_UP_TEXT = "Warm-up of the zygote: text layer, preview and probe"


def _module_at(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(name: str) -> ModuleType:
    module = _module_at(name, Path(__file__).with_name(f"{name}.py"))
    for library in getattr(module, "PRELOAD", ()):
        importlib.import_module(library)
    warm_up = getattr(module, "warm_up", None)
    if warm_up is not None:
        with contextlib.suppress(Exception):  # only speed is lost: each child loads on use
            warm_up(_module_at("text_pdf", TEXT_PDF).text_pdf([WARM_UP_TEXT]))
    return module


def _child(request: dict[str, object], fds: list[int], control: socket.socket) -> None:
    """In the forked child: own session, die with the zygote, limits, then the tool."""
    code = 70
    try:
        control.close()
        os.setsid()
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        memory, cpu = int(str(request["memory"])), max(1, int(str(request["cpu"])))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        stdio, stderr = fds
        os.dup2(stdio, 0)
        os.dup2(stdio, 1)
        os.dup2(stderr, 2)
        _close_all_but_stdio()
        argv = [str(part) for part in request["argv"]]  # type: ignore[attr-defined]
        code = int(TOOLS_LOADED[str(request["tool"])].main(argv) or 0)
        sys.stdout.flush()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # a tool's own failure: its traceback goes to the stderr socket
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _close_all_but_stdio() -> None:
    """A child must not keep the zygote's sockets, nor those of the other runs: it would read
    their data, and their reader would wait for this child's end to see theirs."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2:
            with contextlib.suppress(OSError):
                os.close(fd)


TOOLS_LOADED: dict[str, ModuleType] = {}


class Zygote:
    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.running: dict[int, list[int]] = {}  # pid → our copies of its two sockets
        self.pending: dict[int, bytes] = {}  # stderr fd → exit frame not yet written
        self.selector = selectors.DefaultSelector()
        wake_read, wake_write = os.pipe()
        for fd in (wake_read, wake_write):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.wake_read = wake_read
        self.selector.register(control, selectors.EVENT_READ, "control")
        self.selector.register(wake_read, selectors.EVENT_READ, "wake")

    def serve(self) -> int:
        while True:
            for key, _events in self.selector.select():
                if key.data == "control":
                    if not self._request():
                        return 0
                elif key.data == "wake":
                    with contextlib.suppress(BlockingIOError):
                        os.read(self.wake_read, 512)
                else:
                    self._flush(key.fd)
            self._reap()

    def _request(self) -> bool:
        message, fds, _flags, _address = socket.recv_fds(self.control, 65536, 2)
        if not message:
            return False  # the process that started us is gone
        request = json.loads(message)
        if request.get("op") == "kill":
            for fd in fds:
                os.close(fd)
            pid = int(request["pid"])
            if pid in self.running:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
            return True
        pid = os.fork()
        if pid == 0:
            _child(request, fds, self.control)
        self.running[pid] = fds
        self.control.sendall(f"{pid}\n".encode())
        return True

    def _reap(self) -> None:
        while self.running:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            fds = self.running.pop(pid, None)
            if fds is None:
                continue
            stdio, stderr = fds
            os.close(stdio)
            os.set_blocking(stderr, False)
            self.pending[stderr] = exit_frame(os.waitstatus_to_exitcode(status))
            self._flush(stderr)

    def _flush(self, fd: int) -> None:
        """Write what is left of an exit frame without ever blocking the zygote."""
        data = self.pending[fd]
        try:
            sent = os.write(fd, data)
        except BlockingIOError:
            sent = 0
        except OSError:  # the reader is gone: nothing to tell
            sent = len(data)
        rest = data[sent:]
        registered = fd in self.selector.get_map()
        if rest:
            self.pending[fd] = rest
            if not registered:
                self.selector.register(fd, selectors.EVENT_WRITE, "frame")
            return
        del self.pending[fd]
        if registered:
            self.selector.unregister(fd)
        os.close(fd)


def main(argv: list[str]) -> int:
    for name in TOOLS:
        TOOLS_LOADED[name] = _load(name)
    control = socket.socket(fileno=int(argv[1]))
    control.sendall(b"ready\n")
    return Zygote(control).serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""The zygote that forks our PDF and image tools: answers, limits, threads, and its lifetime
bound to the process that started it — with real processes, no mocks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from amtsfluss.core.text_pdf import text_pdf as core_text_pdf
from amtsfluss.posteingang import pdf, zygote
from amtsfluss.posteingang.child import pdf_tool
from amtsfluss.posteingang.child import zygote as child_zygote
from amtsfluss.posteingang.sandbox import MIB, Limits
from amtsfluss.posteingang.steps.images import ImageFailed, image_to_pdf
from tests.posteingang.files import broken_pdf, encrypted_pdf, scan_png, text_pdf

ROOT = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "zombie"


def _wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_each_answer_comes_from_its_own_file_also_from_many_threads() -> None:
    files = {f"Brief Nummer {n}": text_pdf(f"Brief Nummer {n}", "Musterstadt") for n in range(8)}

    def text_of(data: bytes) -> str:
        layer = pdf.text_layer(data)
        assert isinstance(layer, pdf.TextLayer), layer
        return layer.text

    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(text_of, files.values()))
    for title, text in zip(files, texts, strict=True):
        assert title in text
        assert all(other not in text for other in files if other != title)


def test_hostile_pdfs_get_their_answer_not_a_crash() -> None:
    assert pdf.ask("probe", encrypted_pdf()).status == "encrypted"
    assert pdf.ask("probe", broken_pdf()).status == "broken"
    assert pdf.ask("probe", b"").status == "broken"


def test_a_run_over_its_wall_time_is_killed_and_says_so() -> None:
    outcome = zygote.run_tool(
        "pdf_tool", "render", limits=Limits(wall_seconds=0.001), stdin=text_pdf("langsam")
    )
    assert outcome.timed_out
    assert outcome.killed_by_limit
    assert not outcome.ok
    assert pdf.ask("probe", text_pdf("danach")).status == "ok"  # the zygote serves on


def _tall_page() -> bytes:
    """A page 10 pt wide and 8420 pt high: its 300 px wide thumbnail is a bitmap of ~300 MB
    (same length as A4's box, so the cross-reference offsets stay right)."""
    data = text_pdf("schmal und lang")
    assert b"/MediaBox [0 0 595 842]" in data
    return data.replace(b"/MediaBox [0 0 595 842]", b"/MediaBox [0 0 10 8420]")


def test_a_child_over_its_memory_limit_fails_without_harm() -> None:
    tall = _tall_page()
    assert pdf.ask("render", tall, Limits(memory_bytes=1024 * MIB)).status == "ok"
    answer = pdf.ask("render", tall, Limits(memory_bytes=256 * MIB))
    assert answer.status in {"limit", "broken"}
    assert pdf.ask("probe", text_pdf("danach")).status == "ok"


def test_an_image_tool_failure_reports_the_exit_code_and_stderr() -> None:
    assert image_to_pdf(scan_png("Eingangsstempel")).startswith(b"%PDF-")
    with pytest.raises(ImageFailed) as failed:
        image_to_pdf(b"\x89PNG\r\n\x1a\n not really an image")
    assert failed.value.outcome.returncode == 2
    assert not failed.value.outcome.timed_out


def test_a_killed_zygote_is_replaced_on_the_next_run() -> None:
    assert pdf.ask("probe", text_pdf("vorher")).status == "ok"
    process = zygote._zygote._process
    assert process is not None
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert pdf.ask("probe", text_pdf("nachher")).status == "ok"
    assert zygote._zygote._process is not None
    assert zygote._zygote._process.pid != process.pid


def test_the_zygote_outlives_the_thread_that_started_it() -> None:
    """Web servers retire idle request threads; the zygote belongs to the process."""
    zygote._zygote._stop()
    started = ThreadPoolExecutor(max_workers=1)
    assert started.submit(pdf.ask, "probe", text_pdf("im Thread")).result().status == "ok"
    process = zygote._zygote._process
    assert process is not None
    started.shutdown(wait=True)  # the thread that started the zygote has ended
    assert not _wait_gone(process.pid, seconds=1.0)
    assert pdf.ask("probe", text_pdf("danach")).status == "ok"
    assert zygote._zygote._process is process  # the same zygote, not a new one


DIES_AFTER_ONE_RUN = """
import json, os, sys
from amtsfluss.core.text_pdf import text_pdf as core_text_pdf
from amtsfluss.posteingang import pdf, zygote
from amtsfluss.posteingang.child import pdf_tool
from amtsfluss.posteingang.child import zygote as child_zygote
from tests.posteingang.files import text_pdf
assert pdf.ask("probe", text_pdf("x")).status == "ok"
print(json.dumps({"zygote": zygote._zygote._process.pid}), flush=True)
sys.stdin.read()  # wait until killed
"""


def test_the_zygote_dies_with_the_worker_that_started_it() -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", DIES_AFTER_ONE_RUN],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert worker.stdout is not None
        pid = json.loads(worker.stdout.readline())["zygote"]
        assert _alive(pid)
        worker.kill()  # kill -9: no clean-up code runs
        worker.wait()
        assert _wait_gone(pid), "the zygote outlived its worker"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def test_the_warm_up_sample_is_read_by_the_tools_like_a_received_pdf() -> None:
    """The zygote warms its tools up on a PDF of its own (``core.text_pdf``, loaded by its path;
    failures there are swallowed: only speed is lost), so the path must be right and the sample
    one the tools read completely — text and preview."""
    sample = core_text_pdf([child_zygote.WARM_UP_TEXT])
    layer, preview = pdf.text_layer_and_preview(sample)
    assert isinstance(layer, pdf.TextLayer) and layer.is_complete
    assert layer.text.strip() == child_zygote.WARM_UP_TEXT
    assert preview is not None and preview.pages == 1 and preview.png.startswith(b"\x89PNG")
    assert pdf.ask("probe", sample).details == {"pages": 1}
    assert child_zygote.TEXT_PDF.samefile(Path(core_text_pdf.__code__.co_filename))
    pdf_tool.warm_up(sample)  # and in this process: no exception

"""OCR path: scanned pages through our OCR step and pipeline, next to bare ``ocrmypdf``.

Issue "Digitaler Posteingang und Volltextsuche": our pipeline's time ÷ bare ``ocrmypdf`` on the
same scanned pages ≤ 1.10, using both cores.

Corpus (fixed seed): ``--ocr-pages N`` A4 pages at 300 dpi, German letter text in DejaVu Sans,
some turned by 90° or 180°, most slightly skewed, made into image-only PDFs of 1, 3 and 2 pages
(in turn). Each document is recognised by every path, the paths in rotating order, so all see
the same machine:

1. **bare** — ``ocrmypdf -l deu+eng --deskew --rotate-pages --output-type pdfa-2 --jobs 2``,
   a plain subprocess with this process's environment (ocrmypdf gives Tesseract
   jobs ÷ pages OpenMP threads);
2. **bare, OMP_THREAD_LIMIT=1** — the same with one Tesseract thread, as our sandbox sets it;
3. **our command, plain** — our step's exact command line (``ocr_command``: adds ``--sidecar``,
   ``--tesseract-timeout 180``, ``--keep-temporary-files``) as a plain subprocess: what our flags
   cost;
4. **our step** — ``posteingang.steps.ocr.run_ocr(pdf, jobs=2)``: the command under the sandbox
   (rlimits, minimal environment, own TMPDIR), the sidecar text, the hOCR confidence;

then 5. **pipeline** — a fresh instance (SQLite), two ``amtsfluss worker`` processes, and
``amtsfluss import`` of all documents: the clock runs until every Eingang is ``bereit``
(OCR, PDF/A, preview, filing, indexing: the whole pipeline, two documents at a time).

Reported: per path the seconds (sum and median per document and per page), the cores it used
(its children's CPU ÷ wall), the ratio to bare, and how many documents' text has their word.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.common import (
    BenchError,
    Column,
    Config,
    Database,
    Report,
    Table,
    cpu_usage,
    fail,
    instance,
    process_tree,
    warn,
)
from bench.ingest import SENTENCES, STREETS, SUBJECTS, run_import, start_worker, wait_done, word_of

DEFAULT_PAGES = 12
SEED = 5150
JOBS = 2
WORKERS = 2
TARGET_RATIO = 1.10
PAGES_PER_DOCUMENT = (1, 3, 2)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
A4_300_DPI = (2480, 3508)
BARE_OPTIONS = ["-l", "deu+eng", "--deskew", "--rotate-pages", "--output-type", "pdfa-2"]
PATHS = (
    "bare ocrmypdf",
    "bare, OMP_THREAD_LIMIT=1",
    "our command, plain",
    "our step run_ocr()",
)
PIPELINE = "pipeline (import + 2 workers)"

COLUMNS = [
    Column("path", "path"),
    Column("documents", "docs", "d"),
    Column("pages", "pages", "d"),
    Column("total_s", "total s", ".1f"),
    Column("median_doc_s", "median s/doc", ".2f"),
    Column("median_page_s", "median s/page", ".2f"),
    Column("cores", "cores", ".2f"),
    Column("ratio_total", "÷ bare (sum)", ".3f"),
    Column("ratio_median", "÷ bare (median/doc)", ".3f"),
    Column("ratio_omp1", "÷ bare OMP=1 (sum)", ".3f"),
    Column("found", "word found"),
    Column("meets_target", f"≤{TARGET_RATIO:.2f}"),
]
BY_PAGES_COLUMNS = [
    Column("pages", "pages/doc", "d"),
    Column("documents", "docs", "d"),
    *(Column(f"median_{n}", f"{path} s", ".2f") for n, path in enumerate(PATHS)),
    *(Column(f"cores_{n}", f"cores {n + 1}", ".2f") for n in range(len(PATHS))),
    Column("ratio", "step ÷ bare", ".3f"),
]


def add_arguments(parser: argparse.ArgumentParser | Any) -> None:
    parser.add_argument(
        "--ocr-pages",
        type=int,
        default=DEFAULT_PAGES,
        help=f"ocr: scanned pages in the corpus ({DEFAULT_PAGES})",
    )


# --- the corpus -------------------------------------------------------------------------------
def scanned_page(rng: random.Random, number: int) -> bytes:
    """One A4 page at 300 dpi as PNG: a German letter, maybe turned and slightly skewed."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 42)
    page = Image.new("L", A4_300_DPI, 255)
    draw = ImageDraw.Draw(page)
    lines = [
        "Stadt Musterstadt",
        f"Erika Mustermann, {rng.choice(STREETS)} {rng.randint(1, 99)}",
        f"Betreff: {rng.choice(SUBJECTS)}",
        "",
        "Sehr geehrte Damen und Herren,",
        *rng.sample(SENTENCES, 5),
        f"Kennwort: {word_of(number)}",
        *rng.sample(SENTENCES, 5),
        "Mit freundlichen Grüßen",
    ]
    for row, line in enumerate(lines):
        draw.text((240, 300 + 95 * row), line, font=font, fill=0)
    skew = rng.uniform(-2.5, 2.5) if rng.random() < 0.7 else 0.0
    if skew:
        page = page.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
    turn = rng.choice((0, 0, 0, 90, 180, 270))
    if turn:
        page = page.rotate(turn, expand=True)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG", dpi=(300, 300))
    return buffer.getvalue()


def write_corpus(folder: Path, pages: int) -> list[tuple[Path, int, list[str]]]:
    """Image-only PDFs of 1, 3, 2 … pages; (file, pages, each page's own word)."""
    import img2pdf  # type: ignore[import-untyped]

    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    documents, page, index = [], 0, 0
    while page < pages:
        count = min(PAGES_PER_DOCUMENT[index % len(PAGES_PER_DOCUMENT)], pages - page)
        images = [scanned_page(rng, page + n) for n in range(count)]
        path = folder / f"scan-{index:04d}.pdf"
        path.write_bytes(bytes(img2pdf.convert(images, nodate=True)))
        documents.append((path, count, [word_of(page + n) for n in range(count)]))
        page, index = page + count, index + 1
    return documents


# --- measuring --------------------------------------------------------------------------------
def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(call: Callable[[Path], str], source: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the children, recognised text) of one call."""
    cpu, started = _children_cpu(), time.perf_counter()
    text = call(source)
    return time.perf_counter() - started, _children_cpu() - cpu, text


def _bare(source: Path, work: Path, env: dict[str, str] | None = None) -> str:
    target = work / "bare.pdf"
    command = [sys.executable, "-m", "ocrmypdf", *BARE_OPTIONS, "--jobs", str(JOBS)]
    done = subprocess.run(
        [*command, str(source), str(target)],
        capture_output=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0 or not target.is_file():
        raise BenchError(f"bare ocrmypdf failed ({done.returncode}): {done.stderr[-800:]!r}")
    return _pdf_text(target)


def _plain(source: Path, work: Path) -> str:
    from amtsfluss.posteingang.steps.ocr import ocr_command

    target, sidecar = work / "plain.pdf", work / "plain.txt"
    done = subprocess.run(
        ocr_command(source, target, sidecar, JOBS), capture_output=True, check=False, cwd=work
    )
    if done.returncode != 0 or not target.is_file():
        raise BenchError(f"our command failed ({done.returncode}): {done.stderr[-800:]!r}")
    return sidecar.read_text("utf-8", "replace")


def _step(source: Path) -> str:
    from amtsfluss.posteingang.steps.ocr import run_ocr

    return run_ocr(source.read_bytes(), jobs=JOBS).text


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _has_words(text: str, words: list[str]) -> bool:
    folded = text.replace("\n", " ")
    return all(word in folded for word in words)


def run(config: Config) -> Report:
    pages = int(config.options.get("ocr_pages") or DEFAULT_PAGES)
    if pages < 1:
        raise BenchError("--ocr-pages: at least 1")
    report = Report("ocr", COLUMNS)
    by_pages = Table("Per document size (median seconds per document, cores)", BY_PAGES_COLUMNS)
    report.tables.append(by_pages)
    with tempfile.TemporaryDirectory(prefix="amtsfluss-bench-ocr-") as directory:
        folder = Path(directory) / "scans"
        print(f"-- rendering {pages} scanned pages …", flush=True)
        documents = write_corpus(folder, pages)
        measured = _measure_paths(documents, Path(directory))
        report.rows += _path_rows(measured, documents)
        by_pages.rows += _by_pages_rows(measured, documents)
        try:
            report.rows.append(_pipeline_row(folder, documents, report.rows[:2]))
        except BenchError as exc:
            fail(report, f"pipeline: {exc}")
    report.data["documents"] = [{"file": p.name, "pages": n} for p, n, _ in documents]
    report.data["per_document"] = measured
    _notes(report)
    return report


def _measure_paths(
    documents: list[tuple[Path, int, list[str]]], work: Path
) -> list[dict[str, Any]]:
    calls: list[Callable[[Path], str]] = [
        lambda source: _bare(source, work),
        lambda source: _bare(source, work, {"OMP_THREAD_LIMIT": "1"}),
        lambda source: _plain(source, work),
        _step,
    ]
    measured = []
    for index, (source, count, words) in enumerate(documents):
        row: dict[str, Any] = {"file": source.name, "pages": count}
        order = [(index + shift) % len(PATHS) for shift in range(len(PATHS))]
        for n in order:
            wall, cpu, text = _timed(calls[n], source)
            row[f"wall_{n}"], row[f"cpu_{n}"] = wall, cpu
            row[f"found_{n}"] = _has_words(text, words)
        print(
            f"   {source.name} ({count} p.): "
            + ", ".join(f"{PATHS[n]} {row[f'wall_{n}']:.1f} s" for n in range(len(PATHS))),
            flush=True,
        )
        measured.append(row)
    return measured


def _path_rows(
    measured: list[dict[str, Any]], documents: list[tuple[Path, int, list[str]]]
) -> list[dict[str, Any]]:
    pages = sum(count for _, count, _ in documents)
    bare_total = sum(row["wall_0"] for row in measured)
    omp1_total = sum(row["wall_1"] for row in measured)
    rows = []
    for n, path in enumerate(PATHS):
        total = sum(row[f"wall_{n}"] for row in measured)
        ratios = [row[f"wall_{n}"] / row["wall_0"] for row in measured]
        rows.append(
            {
                "path": path,
                "documents": len(measured),
                "pages": pages,
                "total_s": total,
                "median_doc_s": statistics.median(row[f"wall_{n}"] for row in measured),
                "median_page_s": statistics.median(
                    row[f"wall_{n}"] / row["pages"] for row in measured
                ),
                "cores": sum(row[f"cpu_{n}"] for row in measured) / total,
                "ratio_total": total / bare_total,
                "ratio_median": statistics.median(ratios),
                "ratio_omp1": total / omp1_total,
                "found": f"{sum(row[f'found_{n}'] for row in measured)}/{len(measured)}",
                "meets_target": "–"
                if n == 0
                else ("yes" if total / bare_total <= TARGET_RATIO else "NO"),
            }
        )
    return rows


def _by_pages_rows(
    measured: list[dict[str, Any]], documents: list[tuple[Path, int, list[str]]]
) -> list[dict[str, Any]]:
    rows = []
    for count in sorted({count for _, count, _ in documents}):
        same = [row for row in measured if row["pages"] == count]
        found: dict[str, Any] = {"pages": count, "documents": len(same)}
        for n in range(len(PATHS)):
            found[f"median_{n}"] = statistics.median(row[f"wall_{n}"] for row in same)
            wall = sum(row[f"wall_{n}"] for row in same)
            found[f"cores_{n}"] = sum(row[f"cpu_{n}"] for row in same) / wall
        found["ratio"] = found[f"median_{len(PATHS) - 1}"] / found["median_0"]
        rows.append(found)
    return rows


def _pipeline_row(
    folder: Path, documents: list[tuple[Path, int, list[str]]], bare: list[dict[str, Any]]
) -> dict[str, Any]:
    print(f"-- {PIPELINE}: fresh instance (SQLite), {WORKERS} workers, import", flush=True)
    with instance(Database("SQLite")) as inst, ExitStack() as stack:
        workers = [stack.enter_context(start_worker(inst, n)) for n in range(WORKERS)]
        time.sleep(3)  # past the workers' startup delay
        groups: dict[str, Any] = {
            "workers": lambda: [pid for w in workers for pid in process_tree(w.pid)]
        }
        with cpu_usage(groups) as usage, _watch(workers, inst.data_dir):
            imported = run_import(inst, folder)
            wait_done(inst, len(documents))
        found = _pipeline_found(inst, documents)
    total = usage.wall_seconds
    return {
        "path": PIPELINE,
        "documents": imported,
        "pages": bare[0]["pages"],
        "total_s": total,
        "cores": usage.cores["workers"],
        "ratio_total": total / bare[0]["total_s"],
        "ratio_omp1": total / bare[1]["total_s"],
        "found": f"{found}/{len(documents)}",
        "meets_target": "yes" if total / bare[0]["total_s"] <= TARGET_RATIO else "NO",
    }


@contextmanager
def _watch(workers: list[subprocess.Popen[bytes]], data_dir: Path) -> Iterator[None]:
    """Stop waiting (SIGALRM → BenchError) as soon as a worker has exited: nothing would
    process the rest, and the wait would last until its timeout."""

    def check(signum: int, frame: Any) -> None:
        for n, worker in enumerate(workers):
            if worker.poll() is not None:
                log = (data_dir / f"worker-{n}.log").read_text(errors="replace")
                raise BenchError(f"worker {n} exited ({worker.returncode}):\n{log[-1500:]}")

    previous = signal.signal(signal.SIGALRM, check)
    signal.setitimer(signal.ITIMER_REAL, 2.0, 2.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _pipeline_found(inst: Any, documents: list[tuple[Path, int, list[str]]]) -> int:
    """Documents whose first page's word the search finds for the demo clerk."""
    import json

    found = 0
    for _, _, words in documents:
        output = inst.run("search", words[0], "--as", "sachbearbeitung", "--json")
        found += len(json.loads(output).get("hits", [])) == 1
    return found


def _notes(report: Report) -> None:
    rows = {row["path"]: row for row in report.rows}
    for path in (*PATHS[1:], PIPELINE):
        if path in rows:
            row = rows[path]
            met = "met" if row["ratio_total"] <= TARGET_RATIO else "NOT met"
            report.ratios += [
                {"scope": path, "ratio": "seconds ÷ bare ocrmypdf", "value": row["ratio_total"]},
                {"scope": path, "ratio": "seconds ÷ bare, OMP=1", "value": row["ratio_omp1"]},
            ]
            report.notes.append(
                f"{path}: {row['ratio_total']:.3f}× bare ocrmypdf on {row['cores']:.2f} cores — "
                f"target ≤ {TARGET_RATIO:.2f} {met}"
            )
    step = rows.get(PATHS[3])
    if step is not None and step["cores"] < 1.5:
        warn(
            report,
            f"our step used {step['cores']:.2f} cores (load average {os.getloadavg()[0]:.1f}): "
            "other programs take a share, and the sandbox sets OMP_THREAD_LIMIT=1, so Tesseract "
            "runs one thread per page and a one-page scan uses at most one core (bare ocrmypdf "
            "gives Tesseract jobs ÷ pages threads)",
        )
    report.notes += [
        f"bare = `python -m ocrmypdf {' '.join(BARE_OPTIONS)} --jobs {JOBS}` in a plain "
        "subprocess (ocrmypdf then lets Tesseract use jobs ÷ pages OpenMP threads, at most 3); "
        "bare, OMP_THREAD_LIMIT=1 = the same with one Tesseract thread, as our sandbox sets; "
        "our command = our step's command line (adds --sidecar, "
        "--tesseract-timeout 180, --keep-temporary-files) in a plain subprocess; our step = "
        "run_ocr(): that command in the sandbox (rlimits, minimal environment with "
        "OMP_THREAD_LIMIT=1, own TMPDIR), plus reading the sidecar and the hOCR confidence",
        "cores = CPU of the path's child processes ÷ its wall time (1.00 = one core); the "
        "four paths run in rotating order per document",
        f"pipeline = all documents imported at once with {WORKERS} workers until every "
        "Eingang is bereit (OCR, PDF/A, preview, filing, index); its ratio is to the sum of "
        "the bare runs, one document after the other",
    ]

"""Small PDFs of one hand-in share a child: in the checks (probe) and in the worker (text layer
and preview). Each PDF still gets its own answer — also when the shared child ends early, and
when a hostile PDF is among them."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

from amtsfluss.akte.models import Vorgang
from amtsfluss.posteingang import pdf, tasks
from amtsfluss.posteingang.checks import check_file, check_files
from amtsfluss.posteingang.child.pdf_tool import FRAME, frames
from amtsfluss.posteingang.models import EingangStatus, PosteingangEinstellung, Vorschlag
from amtsfluss.posteingang.sandbox import Outcome
from tests.posteingang import files
from tests.posteingang.conftest import Post, text_of

LETTERS = [files.text_pdf(f"Schreiben Nummer {n}", "Musterstadt") for n in range(3)]


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Record the mode of every child run (``("many", "probe")``, ``("text_render", "20")``)."""
    runs: list[tuple[str, ...]] = []
    real = pdf.run_tool

    def run_tool(tool: str, *args: str, **kwargs: Any) -> Outcome:
        runs.append(args)
        return real(tool, *args, **kwargs)

    monkeypatch.setattr(pdf, "run_tool", run_tool)
    return runs


def _cut_after_first_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shared child that ends (killed by a limit) after answering for its first PDF."""
    real = pdf.run_tool

    def run_tool(tool: str, *args: str, **kwargs: Any) -> Outcome:
        outcome = real(tool, *args, **kwargs)
        if args[0] != "many":
            return outcome
        first = pdf._answers(outcome.stdout)[0]
        header = outcome.stdout.split(b"\n", 1)[0] + b"\n"
        kept = header + first.payload + b'{"status": "ok", "pa'  # the second one cut off
        return Outcome(-9, kept, b"", timed_out=True)

    monkeypatch.setattr(pdf, "run_tool", run_tool)


def test_the_answers_of_a_shared_run_are_those_of_runs_alone() -> None:
    pdfs = [*LETTERS, files.encrypted_pdf(), files.broken_pdf()]
    shared = pdf.ask_many("probe", pdfs)
    alone = [pdf.ask("probe", data) for data in pdfs]
    assert [a.status for a in shared] == ["ok", "ok", "ok", "encrypted", "broken"]
    assert [(a.status, a.details) for a in shared] == [(a.status, a.details) for a in alone]
    layers = pdf.texts_and_previews(LETTERS)
    assert [layer.text for layer, _preview in layers] == [
        layer.text
        for layer, _preview in (pdf.text_layer_and_preview(data) for data in LETTERS)
        if isinstance(layer, pdf.TextLayer)
    ]
    assert all(preview is not None and preview.png for _layer, preview in layers)


def test_small_pdfs_share_one_child_and_large_ones_run_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = _counting(monkeypatch)
    monkeypatch.setattr(pdf, "SHARED_RUN_MAX_FILE", max(len(d) for d in LETTERS[:2]))
    large = files.text_pdf("Ein größeres Schreiben", *(["Anlage"] * 200))
    answers = pdf.ask_many("probe", [*LETTERS[:2], large])
    assert [a.status for a in answers] == ["ok", "ok", "ok"]
    assert runs == [("many", "probe"), ("probe",)]


def test_groups_keep_to_the_byte_budget() -> None:
    sizes = [b"x" * 40, b"x" * 40, b"x" * 40, b"x" * 500, b"x" * 10]
    original = pdf.SHARED_RUN_MAX_BYTES, pdf.SHARED_RUN_MAX_FILE
    try:
        pdf.SHARED_RUN_MAX_BYTES, pdf.SHARED_RUN_MAX_FILE = 100, 100
        # 3 × 40 exceed 100: a new group after two; 500 is alone; a group of one is no group
        assert pdf._shared_runs(sizes) == [[0, 1], [2, 4]]
    finally:
        pdf.SHARED_RUN_MAX_BYTES, pdf.SHARED_RUN_MAX_FILE = original


def test_a_shared_child_that_ends_early_costs_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    _cut_after_first_answer(monkeypatch)
    runs = _counting(monkeypatch)
    answers = pdf.ask_many("probe", [LETTERS[0], files.encrypted_pdf(), LETTERS[1]])
    assert [a.status for a in answers] == ["ok", "encrypted", "ok"]
    assert runs == [("many", "probe"), ("probe",), ("probe",)]  # the rest asked alone


def test_a_limit_answered_in_a_shared_child_is_asked_again_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shared child ran out of memory at the second PDF (its siblings' doing, maybe): that
    PDF is not refused on the strength of it."""
    real = pdf.run_tool

    def run_tool(tool: str, *args: str, **kwargs: Any) -> Outcome:
        outcome = real(tool, *args, **kwargs)
        if args[0] != "many":
            return outcome
        first, _second, *rest = outcome.stdout.split(b"\n")
        limit = b'{"status": "limit", "what": "MemoryError"}'
        return Outcome(0, b"\n".join([first, limit, *rest]), b"", timed_out=False)

    monkeypatch.setattr(pdf, "run_tool", run_tool)
    runs = _counting(monkeypatch)
    answers = pdf.ask_many("probe", LETTERS)
    assert [a.status for a in answers] == ["ok", "ok", "ok"]
    assert runs == [("many", "probe"), ("probe",)]


@pytest.mark.parametrize(
    "output",
    [
        b"",
        b"not json\n",
        b'["status"]\n',
        b'{"status": "ok", "pages": [30], "size": 100}\nshort',  # payload cut off
        b'{"status": "ok", "size": -5}\n',
        b'{"status": "ok", "size": "12"}\n',
        b'{"pages": 1}\n',  # no status
        b'{"status": "ok", "pages": 1}',  # no newline: the answer may be cut off
    ],
)
def test_garbled_output_of_a_shared_child_is_no_answer(output: bytes) -> None:
    assert pdf._answers(output) == []


def test_frames_that_claim_more_than_was_sent_end_the_list() -> None:
    good = FRAME.pack(3) + b"abc" + FRAME.pack(0) + b""
    assert list(frames(good)) == [b"abc", b""]
    assert list(frames(good + FRAME.pack(2**63) + b"x")) == [b"abc", b""]
    assert list(frames(good + b"\x00\x00")) == [b"abc", b""]  # a broken length prefix


def test_the_checks_of_a_hand_in_give_each_file_its_own_befund(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch = [
        (LETTERS[0], "brief.pdf"),
        (files.encrypted_pdf(), "geheim.pdf"),
        (files.scan_png("Bürgerbüro"), "scan.png"),
        (files.broken_pdf(), "kaputt.pdf"),
        (LETTERS[1], "brief.txt"),  # a PDF by content: refused before it is opened
        (b"", "leer.pdf"),
        (LETTERS[2], "brief-2.pdf"),
    ]
    alone = [check_file(data, name) for data, name in batch]
    runs = _counting(monkeypatch)
    together = check_files(batch)
    assert together == alone
    assert [b.code for b in together] == ["", "encrypted", "", "broken", "extension", "empty", ""]
    # the four PDFs to open in one child; the broken one once more alone (it may be the shared
    # child's state that broke it)
    assert runs == [("many", "probe"), ("probe",)]


@pytest.mark.django_db(transaction=True)
def test_a_task_reads_its_pdfs_in_one_child_and_files_each(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    sendung = post.receive(*((f"brief-{n}.pdf", data) for n, data in enumerate(LETTERS)))
    ids = list(sendung.eingaenge.order_by("position").values_list("pk", flat=True))
    runs = _counting(monkeypatch)
    states = tasks.process_eingaenge.call(ids)
    assert states == {str(pk): EingangStatus.BEREIT for pk in ids}
    assert runs == [("many", "text_render", str(pdf.MIN_CHARS_PER_PAGE))]
    for n, eingang in enumerate(sendung.eingaenge.order_by("position")):
        assert f"Schreiben Nummer {n}" in text_of(eingang)
        assert eingang.vorschau_id is not None and eingang.seiten == 1


@pytest.mark.django_db(transaction=True)
def test_a_result_made_ahead_that_cannot_be_made_leaves_each_step_to_itself(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    sendung = post.receive(("a.pdf", LETTERS[0]), ("b.pdf", LETTERS[1]))
    ids = list(sendung.eingaenge.order_by("position").values_list("pk", flat=True))
    attempts = []

    def zygote_gone(datas: list[bytes]) -> NoReturn:
        attempts.append(len(datas))
        raise RuntimeError("the zygote could not be started")

    monkeypatch.setattr("amtsfluss.posteingang.steps.produce.texts_and_previews", zygote_gone)
    runs = _counting(monkeypatch)
    assert tasks.process_eingaenge.call(ids) == {str(pk): EingangStatus.BEREIT for pk in ids}
    assert attempts == [2]
    assert runs == [("text_render", str(pdf.MIN_CHARS_PER_PAGE))] * 2  # each step read its own


@pytest.mark.django_db(transaction=True)
def test_a_failed_filing_keeps_the_suggestion(post: Post) -> None:
    # filing fails inside its transaction, after its locks: no Aktenplan position to file at
    PosteingangEinstellung.objects.filter(mandant=post.w.a).delete()
    sendung = post.receive(("brief.pdf", files.text_pdf("Kassenzeichen 12.345.678", "Mahnung")))
    (eingang,) = post.process(sendung)
    assert eingang.status == EingangStatus.KLAERUNG
    assert eingang.schritt == "ablage" and "Aktenplanposition" in eingang.grund  # stored in German
    assert eingang.klassifiziert and eingang.dokument_id is None
    assert Vorschlag.objects.filter(eingang=eingang).exists()
    assert not Vorgang.objects.filter(mandant=post.w.a).exists()  # nothing of the filing kept

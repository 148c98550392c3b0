"""A watched folder: settled plain files only, handled once, then done/ or failed/ with a reason."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from amtsfluss.core.intake.items import Limits
from amtsfluss.core.intake.runner import run_channel
from amtsfluss.core.intake.services import check_folder_create
from amtsfluss.core.models import IntakeChannel, IntakeRecord
from tests.intake.conftest import PURPOSE, Place, Recorder


def folder_channel(place: Place, path: Path) -> IntakeChannel:
    return check_folder_create(
        mandant=place.mandant,
        name="scanner",
        purpose=PURPOSE,
        unit=place.unit,
        path=str(path),
        by=None,
    )


def drop(folder: Path, name: str, data: bytes, *, age: float = 60) -> Path:
    path = folder / name
    path.write_bytes(data)
    past = time.time() - age
    os.utime(path, (past, past))
    return path


def test_files_are_handled_once_and_moved_to_done(
    place: Place, tmp_path: Path, recorder: Recorder
) -> None:
    drop(tmp_path, "rechnung.xml", b"<Invoice/>")
    drop(tmp_path, "scan.pdf", b"%PDF-1.7 ...")
    channel = folder_channel(place, tmp_path)

    report = run_channel(channel.pk)

    assert report is not None and (report.done, report.moved) == (2, 2)
    first = recorder.items[0]
    assert first.source == "ordner" and first.attachments[0].data == b"<Invoice/>"
    assert first.provenance["filename"] == "rechnung.xml"
    assert first.provenance["folder"] == str(tmp_path.resolve())
    assert len(first.provenance["sha256"]) == 64
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == ["rechnung.xml", "scan.pdf"]

    drop(tmp_path, "rechnung.xml", b"<Invoice/>")  # the same file dropped again
    report = run_channel(channel.pk)
    assert report is not None and (report.done, report.moved) == (0, 1)
    assert len(recorder.items) == 2
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == [
        "rechnung-2.xml",
        "rechnung.xml",
        "scan.pdf",
    ]


def test_temporary_and_fresh_files_wait(place: Place, tmp_path: Path, recorder: Recorder) -> None:
    for name in [".hidden.pdf", "upload.pdf.part", "brief.docx~", "~$brief.docx", "x.tmp"]:
        drop(tmp_path, name, b"data")
    drop(tmp_path, "wird-geschrieben.pdf", b"%PDF-1.7", age=0)  # still being written
    channel = folder_channel(place, tmp_path)

    report = run_channel(channel.pk)

    assert report is not None and (report.done, report.skipped) == (0, 1)
    assert recorder.items == []
    assert len(list(tmp_path.iterdir())) == 6 + 2  # all still there, plus done/ and failed/


def test_failures_go_to_failed_with_a_reason_and_others_go_on(
    place: Place, tmp_path: Path, recorder: Recorder
) -> None:
    drop(tmp_path, "kaputt.pdf", b"%PDF-1")
    drop(tmp_path, "bitte-abweisen.pdf", b"%PDF-2")
    drop(tmp_path, "gut.pdf", b"%PDF-3")
    drop(tmp_path, "riesig.pdf", b"0" * (2 * 1024 * 1024))
    channel = folder_channel(place, tmp_path)
    report = run_channel(channel.pk, limits=Limits(max_file_bytes=1024 * 1024))

    assert report is not None and (report.done, report.failed, report.refused) == (1, 1, 2)
    failed = tmp_path / "failed"
    assert (
        (failed / "kaputt.pdf.reason.txt")
        .read_text()
        .endswith("RuntimeError: handler broke on kaputt.pdf\n")
    )
    assert "not wanted" in (failed / "bitte-abweisen.pdf.reason.txt").read_text()
    assert "larger than 1048576 bytes" in (failed / "riesig.pdf.reason.txt").read_text()
    assert (tmp_path / "done" / "gut.pdf").exists()

    recorder.fail_on = ""
    shutil.move(failed / "kaputt.pdf", tmp_path / "kaputt.pdf")  # an operator retries it
    report = run_channel(channel.pk)
    assert report is not None and report.done == 1
    assert IntakeRecord.objects.get(label="kaputt.pdf").state == "done"


def test_a_planted_link_in_failed_is_never_written_through(
    place: Place, tmp_path: Path, recorder: Recorder
) -> None:
    channel = folder_channel(place, tmp_path)
    run_channel(channel.pk)  # makes done/ and failed/
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "authorized_keys"  # does not exist yet: a dangling link
    (tmp_path / "failed" / "riesig.pdf.reason.txt").symlink_to(target)
    drop(tmp_path, "riesig.pdf", b"0" * (2 * 1024 * 1024))
    report = run_channel(channel.pk, limits=Limits(max_file_bytes=1024 * 1024))
    assert report is not None and report.refused == 1
    assert not target.exists()  # nothing was written through the link
    assert "larger than" in (tmp_path / "failed" / "riesig-2.pdf.reason.txt").read_text()


def test_links_and_files_outside_are_refused_unread(
    place: Place, tmp_path: Path, recorder: Recorder
) -> None:
    outside = tmp_path / "geheim"
    outside.mkdir()
    secret = outside / "passwd"
    secret.write_text("root:x:0:0")
    watched = tmp_path / "eingang"
    watched.mkdir()
    (watched / "link.pdf").symlink_to(secret)
    (watched / "dirlink").symlink_to(outside, target_is_directory=True)
    os.link(secret, watched / "hardlink.pdf")
    past = time.time() - 60
    os.utime(watched / "hardlink.pdf", (past, past))
    channel = folder_channel(place, watched)

    report = run_channel(channel.pk)

    assert report is not None and report.refused == 3 and recorder.items == []
    failed = watched / "failed"
    assert (failed / "link.pdf").is_symlink()  # the link was moved, its target untouched
    assert "Symbolic links" in (failed / "link.pdf.reason.txt").read_text()
    assert "hard links" in (failed / "hardlink.pdf.reason.txt").read_text()
    assert secret.read_text() == "root:x:0:0" and outside.is_dir()


def test_a_folder_replaced_by_a_link_stops_the_channel(
    place: Place, tmp_path: Path, recorder: Recorder
) -> None:
    watched = tmp_path / "eingang"
    watched.mkdir()
    channel = folder_channel(place, watched)
    watched.rmdir()
    (tmp_path / "anderswo").mkdir()
    watched.symlink_to(tmp_path / "anderswo")

    assert run_channel(channel.pk) is None
    channel.refresh_from_db()
    assert "no longer a plain directory" in channel.last_error


def test_crash_after_commit_before_move_is_not_handled_again(
    place: Place, tmp_path: Path, recorder: Recorder
) -> None:
    drop(tmp_path, "rechnung.xml", b"<Invoice/>")
    channel = folder_channel(place, tmp_path)

    def break_done() -> None:  # after the handler, done/ is no directory any more
        (tmp_path / "done").rmdir()
        (tmp_path / "done").write_text("")

    recorder.after.append(break_done)
    assert run_channel(channel.pk) is None  # the move failed
    assert IntakeRecord.objects.get().state == "done"
    assert (tmp_path / "rechnung.xml").exists()

    recorder.after.clear()
    (tmp_path / "done").unlink()
    report = run_channel(channel.pk)
    assert report is not None and (report.done, report.moved) == (0, 1)
    assert len(recorder.items) == 1
    assert (tmp_path / "done" / "rechnung.xml").exists()

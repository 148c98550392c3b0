"""Background tasks: enqueue, run by ``amtsfluss worker`` (in-process and as its own process),
the worker heartbeat, and enqueueing side effects only when the transaction commits."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from amtsfluss.core.models import AuditChainHead, AuditEvent, WorkerHeartbeat
from amtsfluss.core.services.mandant import mandant_create
from amtsfluss.core.tasks import enqueue_on_commit, send_mail_task, verify_audit_chain

pytestmark = pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection


@task
def report_heartbeats() -> list[str]:
    """A probe: which workers have a heartbeat while this task runs."""
    return sorted(WorkerHeartbeat.objects.values_list("worker_id", flat=True))


def run_worker(*args: str) -> str:
    out = io.StringIO()
    call_command("worker", "--no-startup-delay", "--interval", "0", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_worker_runs_enqueued_tasks_and_keeps_a_heartbeat_while_running() -> None:
    mandant_create(slug="a", name="Stadt A", hosts=["a.test"], by=None)
    verified = verify_audit_chain.enqueue()
    probe = report_heartbeats.enqueue()
    handlers_before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)

    run_worker("--batch", "--worker-id", "test-worker-1")

    verified.refresh()
    probe.refresh()
    assert verified.status == TaskResultStatus.SUCCESSFUL
    assert verified.return_value == {"intact": True, "broken": []}
    assert probe.status == TaskResultStatus.SUCCESSFUL
    assert probe.return_value == ["test-worker-1"]
    assert verified.worker_ids == ["test-worker-1"]
    event = AuditEvent.objects.get(action="audit.verify")
    assert (event.chain, event.outcome, event.actor_label) == ("platform", "success", "<worker>")
    assert event.details == {"intact": True, "broken": []}
    assert not WorkerHeartbeat.objects.exists()  # removed at exit
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == handlers_before


def test_verify_audit_chain_task_records_a_broken_chain_as_failure() -> None:
    mandant_create(slug="a", name="Stadt A", hosts=["a.test"], by=None)
    AuditChainHead.objects.filter(chain="platform").update(seq=99)  # the head expects more

    result = verify_audit_chain.enqueue()
    run_worker("--batch")

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["intact"] is False
    assert result.return_value["broken"][0]["chain"] == "platform"
    event = AuditEvent.objects.get(action="audit.verify")
    assert event.outcome == "failure"


def test_max_tasks_stops_the_worker_after_that_many() -> None:
    first = send_mail_task.enqueue(subject="eins", body="1", to=["a@example.org"])
    second = send_mail_task.enqueue(subject="zwei", body="2", to=["b@example.org"])

    run_worker("--max-tasks", "1")

    first.refresh()
    second.refresh()
    statuses = sorted([first.status, second.status])
    assert statuses == sorted([TaskResultStatus.SUCCESSFUL, TaskResultStatus.READY])
    assert len(mail.outbox) == 1


def test_send_mail_task_sends_through_the_mailer_and_failures_are_kept() -> None:
    sent = send_mail_task.enqueue(
        subject="Ihr Antrag", body="ist eingegangen.", to=["buerger@example.org"]
    )
    failed = send_mail_task.enqueue(subject="x", body="y", to=["z@example.org"], mailer="nope")

    run_worker("--batch")

    sent.refresh()
    failed.refresh()
    assert sent.status == TaskResultStatus.SUCCESSFUL
    assert sent.return_value == 1
    assert [(m.subject, m.to) for m in mail.outbox] == [("Ihr Antrag", ["buerger@example.org"])]
    assert failed.status == TaskResultStatus.FAILED
    assert failed.errors[0].exception_class_path.endswith("MailerDoesNotExist")


def test_enqueue_on_commit_enqueues_after_commit() -> None:
    with transaction.atomic():
        enqueue_on_commit(send_mail_task, subject="s", body="b", to=["x@example.org"])
        assert not DBTaskResult.objects.exists()  # nothing before the commit

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "amtsfluss.core.tasks.send_mail_task"
    assert queued.status == TaskResultStatus.READY
    assert queued.args_kwargs["kwargs"]["to"] == ["x@example.org"]


def test_enqueue_on_commit_enqueues_nothing_when_the_transaction_rolls_back() -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        enqueue_on_commit(send_mail_task, subject="s", body="b", to=["x@example.org"])
        raise Abort

    assert not DBTaskResult.objects.exists()
    run_worker("--batch")
    assert mail.outbox == []


def test_enqueue_on_commit_rejects_arguments_that_are_not_json_inside_the_transaction() -> None:
    with pytest.raises(TypeError), transaction.atomic():
        enqueue_on_commit(send_mail_task, subject="s", body=object(), to=["x@example.org"])  # type: ignore[arg-type]
    assert not DBTaskResult.objects.exists()


# --- the real command in its own process ------------------------------------------------------


def amtsfluss_env(data_dir: Path) -> dict[str, str]:
    """The environment of an embedded installation in ``data_dir`` (no test settings)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AMTSFLUSS_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        AMTSFLUSS_SETTINGS="embedded",
        AMTSFLUSS_PERIODIC_JOBS="0",  # only the task under test
        AMTSFLUSS_DATA_DIR=str(data_dir),
        AMTSFLUSS_WORKER_HEARTBEAT_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def amtsfluss(*args: str) -> list[str]:
    return [sys.executable, "-m", "amtsfluss.cli", *args]


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def query(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(database, timeout=20) as db:
        return db.execute(sql, params).fetchall()


def test_worker_process_runs_a_task_enqueued_by_another_process(tmp_path: Path) -> None:
    env = amtsfluss_env(tmp_path)
    database = tmp_path / "amtsfluss.sqlite3"
    subprocess.run(amtsfluss("migrate", "--no-input"), env=env, check=True, capture_output=True)

    worker = subprocess.Popen(
        amtsfluss("worker", "--no-startup-delay", "--interval", "0.2", "--worker-id", "proc-1"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(
            lambda: query(database, "SELECT worker_id FROM core_workerheartbeat") == [("proc-1",)],
            timeout=180,  # a guard against hanging, not a speed check: a loaded CI machine
            what="the worker's heartbeat",
        )
        enqueued = subprocess.run(
            amtsfluss(
                "shell",
                "-c",
                "from amtsfluss.core.tasks import verify_audit_chain;"
                "print(verify_audit_chain.enqueue().id)",
            ),
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        task_id = uuid.UUID(enqueued.stdout.strip().splitlines()[-1]).hex  # SQLite: 32 hex

        def status() -> str:
            table = DBTaskResult._meta.db_table
            rows = query(database, f"SELECT status FROM {table} WHERE id = ?", task_id)  # noqa: S608
            return str(rows[0][0]) if rows else ""

        wait_for(lambda: status() in {"SUCCESSFUL", "FAILED"}, timeout=180, what="the task")
        assert status() == "SUCCESSFUL"
        assert query(
            database, "SELECT outcome FROM core_auditevent WHERE action = 'audit.verify'"
        ) == [("success",)]
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert query(database, "SELECT count(*) FROM core_workerheartbeat") == [(0,)]


def test_the_worker_imports_what_its_tasks_need_at_start() -> None:
    """An app's ``worker_preload`` is imported by the worker before its first task (here: the
    classification's scikit-learn), and not by a process that only sets Django up."""
    probe = (
        "import sys, django; django.setup(); "
        "assert 'sklearn' not in sys.modules; "
        "from amtsfluss.core.management.commands.worker import preload_task_modules; "
        "preload_task_modules(); "
        "assert 'amtsfluss.posteingang.services.klassifikation' in sys.modules; "
        "assert 'sklearn' in sys.modules"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amtsfluss.settings.test"}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]

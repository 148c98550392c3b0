"""Platform background tasks (``django.tasks``, run by ``amtsfluss worker``) and on-commit enqueue.

Side effects of a service (a mail, a notification) are enqueued with :func:`enqueue_on_commit`
from inside the service's transaction: the task is queued only once the transaction has
committed, and not at all when it rolls back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import Task, task
from django.utils.json import normalize_json

from amtsfluss.core import audit, periodic
from amtsfluss.core.models.audit import Outcome


def enqueue_on_commit[**P, R](task: Task[P, R], /, *args: P.args, **kwargs: P.kwargs) -> None:
    """Enqueue ``task(*args, **kwargs)`` when the current transaction commits.

    Outside a transaction (autocommit) it is enqueued at once. The arguments are checked for
    JSON now, inside the transaction, so that a wrong argument fails the service call rather
    than getting lost after the commit.
    """
    normalize_json({"args": args, "kwargs": kwargs})
    task.get_backend().validate_task(task)
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


@task
def verify_audit_chain() -> dict[str, Any]:
    """Verify every audit chain and record the outcome as ``audit.verify`` in the platform chain."""
    broken = audit.verify()
    problems = [{"chain": link.chain, "seq": link.seq, "reason": link.reason} for link in broken]
    audit.record(
        mandant=None,
        actor=None,
        action="audit.verify",
        object_type="core.auditchain",
        outcome=Outcome.FAILURE if broken else Outcome.SUCCESS,
        details={"intact": not broken, "broken": problems},
    )
    return {"intact": not broken, "broken": problems}


@task
def send_mail_task(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    mailer: str = "default",
) -> int:
    """Send one plain-text mail through a configured mailer; return the number sent (0 or 1).

    A failure (SMTP server down) fails the task; its result keeps the error for the operator.
    """
    message = EmailMessage(
        subject=subject, body=body, from_email=from_email, to=to, reply_to=reply_to or []
    )
    return message.send(using=mailer)


periodic.register("core.verify_audit_chain", verify_audit_chain, every=timedelta(days=1))


# The intake poll job lives with intake; importing it here registers it in every worker.
from amtsfluss.core.intake import tasks as _intake_tasks  # noqa: E402, F401

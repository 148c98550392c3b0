"""Background work of the E-Akte: mailing due Wiedervorlagen once."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Wiedervorlage
from amtsfluss.core import periodic
from amtsfluss.core.models import Membership
from amtsfluss.core.tasks import enqueue_on_commit, send_mail_task


def _recipients(wiedervorlage: Wiedervorlage) -> list[str]:
    if wiedervorlage.fuer_user is not None:
        return [wiedervorlage.fuer_user.email] if wiedervorlage.fuer_user.email else []
    unit = wiedervorlage.fuer_oe
    if unit is None:
        return []
    if unit.email:
        return [unit.email]  # the unit's Funktionspostfach
    members = Membership.objects.filter(unit=unit, user__is_active=True).exclude(user__email="")
    return sorted(set(members.values_list("user__email", flat=True)))


def _message(wiedervorlage: Wiedervorlage) -> tuple[str, str]:
    akte = wiedervorlage.akte or wiedervorlage.vorgang.akte  # type: ignore[union-attr]
    subject = _("Wiedervorlage due: %s") % akte.aktenzeichen
    lines = [
        _("A Wiedervorlage is due on %s.") % wiedervorlage.faellig_am.strftime("%d.%m.%Y"),
        _("Akte: %(az)s %(title)s") % {"az": akte.aktenzeichen, "title": akte.titel},
    ]
    if wiedervorlage.vorgang is not None:
        lines.append(_("Vorgang: %s") % wiedervorlage.vorgang.betreff)
    if wiedervorlage.notiz:
        lines.append(_("Note: %s") % wiedervorlage.notiz)
    # no case content beyond the reference: mail leaves the protected system
    return subject, "\n".join(lines)


@task
def notify_due_wiedervorlagen(batch: int = 500) -> int:
    """Mail every open Wiedervorlage due today or earlier that was not mailed yet.

    Each row is claimed with a conditional UPDATE, so several workers never mail one twice.
    Returns the number of notifications enqueued.
    """
    today = timezone.localdate()
    due = (
        Wiedervorlage.objects.filter(
            erledigt_am__isnull=True, benachrichtigt_am__isnull=True, faellig_am__lte=today
        )
        .select_related("fuer_user", "fuer_oe", "akte", "vorgang__akte")
        .order_by("faellig_am", "pk")[:batch]
    )
    sent = 0
    for wiedervorlage in due:
        with transaction.atomic():
            claimed = Wiedervorlage.objects.filter(
                Q(pk=wiedervorlage.pk), benachrichtigt_am__isnull=True
            ).update(benachrichtigt_am=timezone.now())
            recipients = _recipients(wiedervorlage)
            if not claimed or not recipients:
                continue
            subject, body = _message(wiedervorlage)
            enqueue_on_commit(send_mail_task, subject=subject, body=body, to=recipients)
            sent += 1
    return sent


periodic.register(
    "akte.notify_due_wiedervorlagen", notify_due_wiedervorlagen, every=timedelta(minutes=15)
)

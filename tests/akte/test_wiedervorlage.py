"""Wiedervorlagen: validation, done, and the due-mail sent once through the worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from amtsfluss.akte.models import Wiedervorlage
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create, wiedervorlage_erledigen
from amtsfluss.akte.tasks import notify_due_wiedervorlagen
from amtsfluss.core.errors import ServiceError
from tests.akte.conftest import AkteWorld, as_


def run_worker() -> None:
    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


def test_past_date_and_foreign_addressee_are_refused(akten: AkteWorld) -> None:
    clerk = as_(akten.w.clerk)
    with pytest.raises(ServiceError):
        wiedervorlage_create(
            principal=clerk, akte=akten.offen_32_1,
            faellig_am=timezone.localdate() - timedelta(days=1),
        )  # fmt: skip
    with pytest.raises(ServiceError):
        wiedervorlage_create(
            principal=clerk, akte=akten.offen_32_1, faellig_am=timezone.localdate(),
            fuer_user=akten.w.b_clerk,
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_due_wiedervorlage_is_mailed_once(akten: AkteWorld) -> None:
    w = akten.w
    w.clerk.email = "clerk@a.test"
    w.clerk.save()
    unit = w.units["32.2"]
    unit.email = "verkehr@a.test"
    unit.save()
    clerk = as_(w.clerk)
    today = timezone.localdate()
    wiedervorlage_create(
        principal=clerk, akte=akten.offen_32_1, faellig_am=today, notiz="Frist prüfen"
    )
    wiedervorlage_create(principal=clerk, akte=akten.offen_32_1, faellig_am=today, fuer_oe=unit)
    later = wiedervorlage_create(
        principal=clerk, akte=akten.offen_32_1, faellig_am=today + timedelta(days=3)
    )
    done = wiedervorlage_create(principal=clerk, akte=akten.offen_32_1, faellig_am=today)
    wiedervorlage_erledigen(principal=clerk, wiedervorlage=done)

    notify_due_wiedervorlagen.enqueue()
    run_worker()  # runs the notifier, which enqueues the mails on commit …
    run_worker()  # … and then the mails
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@a.test", "verkehr@a.test"]
    assert all(akten.offen_32_1.aktenzeichen in m.subject for m in mail.outbox)

    notify_due_wiedervorlagen.enqueue()
    run_worker()
    run_worker()
    assert len(mail.outbox) == 2  # never twice
    assert Wiedervorlage.objects.get(pk=later.pk).benachrichtigt_am is None

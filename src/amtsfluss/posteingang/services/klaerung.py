"""Klärungsfälle: an Eingang the pipeline could not finish is retried from its failed step."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Principal
from amtsfluss.core.tasks import enqueue_on_commit
from amtsfluss.posteingang.models import Eingang, EingangStatus


def eingang_retry(*, principal: Principal, eingang: Eingang) -> Eingang:
    """Put a Klärungsfall (fetched with ``access(Eingang, 'change')``) back into the pipeline.

    The steps it finished keep their results and are skipped: it resumes at the failed one.
    """
    with transaction.atomic():
        updated = Eingang.objects.filter(pk=eingang.pk, status=EingangStatus.KLAERUNG).update(
            status=EingangStatus.GEPRUEFT,
            versuche=F("versuche") + 1,
            lease_until=None,
            updated_at=timezone.now(),
        )
        if not updated:
            raise ServiceError(_("Only a Klärungsfall can be retried."))
        eingang.refresh_from_db()
        audit.record_action(
            principal,
            "posteingang.retry",
            eingang,
            schritt=eingang.schritt,
            grund=eingang.grund,
            versuch=eingang.versuche,
        )
        from amtsfluss.posteingang.tasks import process_eingang

        enqueue_on_commit(process_eingang, eingang.pk)
    return eingang

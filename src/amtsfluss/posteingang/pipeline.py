"""Running an Eingang through its steps: check, convert, text, OCR, preview, filing.

:func:`process` claims the Eingang (a conditional UPDATE of ``lease_until``: one worker at a
time), then runs every step that is still needed. A task of several Eingänge claims them all
first (:func:`claim_all`), so a killed worker leaves every one of them with a lease that runs
out, and the resume job takes them up after :data:`LEASE`. Each step's result — a blob and the
fields that refer to it — is written in one transaction, bytes first; a step whose result is
present is skipped. So a run after a crash (kill -9) continues at the step that was interrupted
and never makes a second Blob row or Dokument. A failure ends in ``klaerung`` with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.services.blobs import blob_store
from amtsfluss.posteingang import media
from amtsfluss.posteingang.checks import check_file
from amtsfluss.posteingang.models import OFFENE_STATUS, Eingang, EingangStatus, Schritt
from amtsfluss.posteingang.pdf import SHARED_RUN_MAX_FILE, TextAndPreview
from amtsfluss.posteingang.services.ablage import eingang_file
from amtsfluss.posteingang.steps import produce
from amtsfluss.posteingang.steps.produce import StepFailed

logger = logging.getLogger(__name__)

#: longer than the slowest step (OCR: 10 minutes wall time)
LEASE = timedelta(minutes=15)


def _free(now: datetime) -> Q:
    """Nobody holds the Eingang: no lease, or one that ran out."""
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def claim(eingang_id: int, *, held_until: datetime | None = None) -> bool:
    """Take the Eingang for this run (a fresh lease of :data:`LEASE`), unless another run holds
    it or it is finished. ``held_until``: the lease this run's task took (:func:`claim_all`);
    an Eingang still under exactly that lease is this run's own, however soon it runs out."""
    now = timezone.now()
    free = _free(now)
    if held_until is not None:
        free |= Q(lease_until=held_until)
    return bool(
        Eingang.objects.filter(pk=eingang_id, status__in=OFFENE_STATUS)
        .filter(free)
        .update(lease_until=now + LEASE)
    )


def claim_all(eingang_ids: Sequence[int]) -> tuple[frozenset[int], datetime]:
    """Take those of the Eingänge nobody holds and that are not finished, in one UPDATE; the
    ids taken and the end of their lease (pass it to :func:`process` as ``held_until``)."""
    now = timezone.now()
    until = now + LEASE
    Eingang.objects.filter(pk__in=eingang_ids, status__in=OFFENE_STATUS).filter(_free(now)).update(
        lease_until=until
    )
    taken = Eingang.objects.filter(pk__in=eingang_ids, lease_until=until)
    return frozenset(taken.values_list("pk", flat=True)), until


class LeaseLost(Exception):
    """This run's lease ran out (a step stalled past :data:`LEASE`) and another run may have
    taken the Eingang: this one writes nothing more."""


def _update_held(eingang: Eingang, **fields: object) -> None:
    """Update the Eingang's row only while the lease is still this run's, else
    :class:`LeaseLost`: a run that stalled past it must not set a finished Eingang back."""
    if not Eingang.objects.filter(pk=eingang.pk, lease_until=eingang.lease_until).update(
        **fields, updated_at=timezone.now()
    ):
        raise LeaseLost


def _begin(eingang: Eingang, schritt: str) -> None:
    """Write the step's start and renew the lease."""
    status = eingang.status
    if status == EingangStatus.GEPRUEFT:
        status = EingangStatus.IN_BEARBEITUNG
    renewed = timezone.now() + LEASE
    _update_held(eingang, schritt=schritt, status=status, lease_until=renewed)
    eingang.schritt, eingang.status, eingang.lease_until = schritt, status, renewed


@contextmanager
def _held(eingang: Eingang) -> Iterator[None]:
    """A step's write transaction, entered only while the lease is still this run's: the row
    is locked (PostgreSQL; SQLite's write transactions take the database) so no other run takes
    the Eingang before it ends; else :class:`LeaseLost`, and nothing of the step is kept."""
    with transaction.atomic():
        ours = Eingang.objects.select_for_update().filter(
            pk=eingang.pk, lease_until=eingang.lease_until
        )
        if not ours.exists():
            raise LeaseLost
        yield


def _check(eingang: Eingang) -> None:
    befund = check_file(produce.read(eingang.original), eingang.dateiname)
    eingang.media_type = befund.media_type
    fields = ["media_type", "status", "updated_at"]
    if befund.accepted:
        eingang.status = EingangStatus.GEPRUEFT
    else:
        eingang.status = EingangStatus.ABGEWIESEN
        eingang.grund = befund.reason[:500]
        eingang.finished_at = timezone.now()
        fields += ["grund", "finished_at"]
    with _held(eingang):
        eingang.save(update_fields=fields)


def _convert(eingang: Eingang) -> None:
    pdf = produce.convert(eingang)
    with _held(eingang):
        eingang.pdf = blob_store(mandant=eingang.mandant, content=pdf)
        eingang.save(update_fields=["pdf", "updated_at"])


def _text(eingang: Eingang) -> None:
    """The text layer; for a complete one (no OCR follows) also the preview, made in the same
    child run and stored with the text in one transaction — the step ``vorschau`` is then done."""
    found = produce.extract_text(eingang)
    if not found.complete:
        return
    with _held(eingang):
        fields = ["text", "textquelle", "text_done", "updated_at"]
        eingang.text, eingang.textquelle, eingang.text_done = found.text, found.source, True
        if eingang.status == EingangStatus.GEPRUEFT:  # its start was not written (at hand)
            eingang.status = EingangStatus.IN_BEARBEITUNG
            fields.append("status")
        preview = found.preview if eingang.vorschau_id is None else None
        if preview is not None:
            eingang.vorschau = blob_store(mandant=eingang.mandant, content=preview.png)
            eingang.seiten = preview.pages
            fields += ["vorschau", "seiten"]
        eingang.save(update_fields=fields)
        if preview is not None:
            eingang.vermerk_set(seiten=preview.pages, leere_seiten=preview.blank_pages)


def _ocr(eingang: Eingang) -> None:
    result = produce.recognise(eingang)
    with _held(eingang):
        eingang.archiv = blob_store(mandant=eingang.mandant, content=result.pdf)
        eingang.text, eingang.textquelle, eingang.text_done = result.text, "ocr", True
        eingang.save(update_fields=["archiv", "text", "textquelle", "text_done", "updated_at"])
        eingang.vermerk_set(gedrehte_seiten=result.rotated_pages, ocr_konfidenz=result.confidence)


def _preview(eingang: Eingang) -> None:
    found = produce.preview(eingang)
    if found is None:
        return
    with _held(eingang):
        eingang.vorschau = blob_store(mandant=eingang.mandant, content=found.png)
        eingang.seiten = found.pages
        eingang.save(update_fields=["vorschau", "seiten", "updated_at"])
        eingang.vermerk_set(seiten=found.pages, leere_seiten=found.blank_pages)


def _classify(eingang: Eingang) -> None:
    """A suggestion is a help, not a condition: if it fails, the file is filed without one."""
    # imported here: whoever only hands files in (``amtsfluss import``, uploads) never needs
    # scikit-learn, which takes a good part of a second to import
    from amtsfluss.posteingang.services.klassifikation import eingang_classify

    try:
        eingang_classify(eingang=eingang)
    except Exception:
        logger.exception("posteingang: no suggestion for Eingang %s", eingang.pk)
        Eingang.objects.filter(pk=eingang.pk).update(klassifiziert=True)
        eingang.klassifiziert = True


def _file(eingang: Eingang) -> None:
    filed = eingang_file(eingang_id=eingang.pk)
    eingang.status, eingang.dokument_id = filed.status, filed.dokument_id


def _needs_pdf(eingang: Eingang) -> bool:
    return eingang.media_type in media.OFFICE | media.IMAGES


#: a step: its name, is it still needed?, run it
Step = tuple[str, Callable[[Eingang], bool], Callable[[Eingang], None]]
#: the steps in order
STEPS: list[Step] = [
    (Schritt.PRUEFUNG, lambda e: e.status == EingangStatus.NEU, _check),
    (Schritt.KONVERTIERUNG, lambda e: _needs_pdf(e) and e.pdf_id is None, _convert),
    (Schritt.TEXT, lambda e: not e.text_done and e.media_type not in media.IMAGES, _text),
    (Schritt.OCR, lambda e: not e.text_done and e.media_type not in media.PLAIN, _ocr),
    (
        Schritt.VORSCHAU,
        lambda e: e.vorschau_id is None and e.media_type not in media.PLAIN,
        _preview,
    ),
    (Schritt.KLASSIFIKATION, lambda e: not e.klassifiziert and e.dokument_id is None, _classify),
    (Schritt.ABLAGE, lambda e: e.dokument_id is None, _file),
]


def process(eingang_id: int, *, held_until: datetime | None = None) -> str:
    """Run the Eingang's remaining steps; return its state afterwards. The run claims the
    Eingang first; ``held_until`` is the lease its task took already (:func:`claim_all`), which
    then counts as the run's own: the claim renews it, or fails when the lease ran out and
    another run took the Eingang meanwhile. Reasons of refusals and Klärungsfälle are stored,
    so they are written in the administration's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _process(eingang_id, held_until)


@contextmanager
def texts_ahead(eingang_ids: Sequence[int]) -> Iterator[None]:
    """Within the block, the step ``text`` of the checked, born-digital PDFs among the Eingänge
    (one hand-in's, the ids of one task) takes its result from one shared child run made now,
    instead of a child run per PDF. Pass the Eingänge this run holds (:func:`claim_all`): a
    result nobody takes is dropped at the end."""
    made: dict[str, TextAndPreview] = {}
    waiting = Eingang.objects.filter(
        pk__in=eingang_ids,
        status__in=(EingangStatus.GEPRUEFT, EingangStatus.IN_BEARBEITUNG),
        media_type=media.PDF,
        text_done=False,
        original__size__lte=SHARED_RUN_MAX_FILE,
    ).select_related("original")
    try:
        pdfs = {e.original.sha256: produce.read(e.original) for e in waiting if e.original}
        if len(pdfs) > 1:
            made = produce.texts_made_ahead(pdfs)
    except Exception:  # only speed is lost: each step then reads its PDF and says what failed
        logger.exception("posteingang: no shared text run for Eingänge %s", eingang_ids)
    with produce.texts_ahead(made):
        yield


#: the steps that run a tool on the file (seconds, minutes for a large one): each is written
#: down when it starts, so the page shows it and the lease is renewed — unless its result is at
#: hand already (:func:`texts_ahead`). Classification and filing take milliseconds; they run in
#: one transaction (on SQLite one write instead of two) — a failure still names its step
#: (``_klaerung``), and a failed filing keeps the suggestion (filing rolls back to its savepoint).
SHOWN_WHILE_RUNNING = frozenset(
    {Schritt.PRUEFUNG, Schritt.KONVERTIERUNG, Schritt.TEXT, Schritt.OCR, Schritt.VORSCHAU}
)
SHOWN_STEPS = [step for step in STEPS if step[0] in SHOWN_WHILE_RUNNING]
QUICK_STEPS = [step for step in STEPS if step[0] not in SHOWN_WHILE_RUNNING]


def _process(eingang_id: int, held_until: datetime | None) -> str:
    if not claim(eingang_id, held_until=held_until):
        return _status_of(eingang_id)
    # Read once: this run holds the lease, so only its own steps change the row, and each step
    # keeps the fields it writes current on this object too.
    eingang = Eingang.objects.select_related("mandant", "original", "pdf", "archiv").get(
        pk=eingang_id
    )
    try:
        if _run(eingang, SHOWN_STEPS) and any(needed(eingang) for _s, needed, _r in QUICK_STEPS):
            with _held(eingang):
                _run(eingang, QUICK_STEPS)
    except LeaseLost:
        logger.warning("posteingang: run of Eingang %s lost its lease; it stops", eingang_id)
        return _status_of(eingang_id)
    return eingang.status  # each step keeps it current (the lease keeps other runs out)


def _status_of(eingang_id: int) -> str:
    """The state another run left (or ``""`` for an Eingang that is gone)."""
    return Eingang.objects.filter(pk=eingang_id).values_list("status", flat=True).first() or ""


def _run(eingang: Eingang, steps: list[Step]) -> bool:
    """Run those of ``steps`` that are needed; False when the Eingang ended in a Klärungsfall."""
    for schritt, needed, run in steps:
        if eingang.status not in OFFENE_STATUS:
            break
        if not needed(eingang):
            continue
        if schritt in SHOWN_WHILE_RUNNING and not (
            schritt == Schritt.TEXT and produce.text_at_hand(eingang)
        ):
            _begin(eingang, schritt)
        try:
            run(eingang)
        except (StepFailed, ServiceError) as exc:
            reason = exc.reason if isinstance(exc, StepFailed) else exc.message
            eingang.status = _klaerung(eingang, schritt, reason)
            return False
        except LeaseLost:
            raise
        except Exception:
            logger.exception("posteingang: step %s of Eingang %s failed", schritt, eingang.pk)
            reason = _("An unexpected error occurred in this step.")
            eingang.status = _klaerung(eingang, schritt, reason)
            return False
    return True


def _klaerung(eingang: Eingang, schritt: str, reason: str) -> str:
    """Record the failure — unless the lease is no longer this run's: another run may have
    finished the Eingang meanwhile, and a stalled run's failure must not undo that."""
    _update_held(
        eingang,
        status=EingangStatus.KLAERUNG,
        schritt=schritt,
        grund=reason[:500],
        lease_until=None,
    )
    return EingangStatus.KLAERUNG


#: an Eingang that was never started this long after its last change lost its task
FORGOTTEN_AFTER = timedelta(hours=6)


def _stale(now: datetime) -> Q:
    """A run died (lease ran out), or its task was lost before it started (long untouched)."""
    return Q(status__in=OFFENE_STATUS) & (
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, updated_at__lt=now - FORGOTTEN_AFTER)
    )


def release_stale(*, limit: int = 500) -> list[int]:
    """Release the Eingänge nobody works on any more and return their ids to be enqueued.

    Each is released by a conditional UPDATE (lease cleared, ``updated_at`` now), so it is
    handed out once — not again every minute while it waits in a long queue."""
    now = timezone.now()
    released = []
    for eingang_id in (
        Eingang.objects.filter(_stale(now)).order_by("pk").values_list("pk", flat=True)[:limit]
    ):
        if Eingang.objects.filter(_stale(now), pk=eingang_id).update(
            lease_until=None, updated_at=now
        ):
            released.append(eingang_id)
    return released

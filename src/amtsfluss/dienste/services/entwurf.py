"""Drafts of an application: started, saved step by step, resumed through their link.

The link carries a token from ``secrets.token_urlsafe`` (256 bits); only its SHA-256 is stored,
so neither a copy of the database nor its log reveals a working link. A draft expires
``ENTWURF_GUELTIG_TAGE`` days after it was last saved and is then removed. Drafts are the
applicant's own data: they are not audit events (the audit log would keep their traces longer
than the drafts themselves); the submission will be.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.services.dokument import clean_filename
from amtsfluss.core.errors import ServiceError
from amtsfluss.dienste.formdef.evaluate import item_count
from amtsfluss.dienste.formdef.model import Field, Step
from amtsfluss.dienste.formdef.raw import RawData, remove_item, step_keys
from amtsfluss.dienste.models import Entwurf, EntwurfDatei, Formularversion
from amtsfluss.posteingang.checks import check_file

ENTWURF_GUELTIG_TAGE = 30
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def entwurf_create(
    *, version: Formularversion, entries: RawData | None = None
) -> tuple[Entwurf, str]:
    """A new draft on ``version`` (published), empty or with ``entries`` as if typed (a
    signed-in citizen's prefill, ``dienste.prefill``); returns it and the token of its link —
    the only time the token exists in the clear."""
    if not version.is_published:
        raise ServiceError(_("This form is not published."))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        entwurf = Entwurf.objects.create(
            mandant_id=version.mandant_id,
            formularversion=version,
            daten=dict(entries or {}),
            token_hash=token_hash(token),
            gueltig_bis=timezone.now() + timedelta(days=ENTWURF_GUELTIG_TAGE),
        )
    return entwurf, token


def merge_step(entwurf: Entwurf, step: Step, entries: RawData) -> RawData:
    """The draft's entries with those of ``step`` replaced by ``entries`` (nothing saved)."""
    keys = step_keys(step, entwurf.wiederholungen)
    daten: RawData = {key: value for key, value in entwurf.daten.items() if key not in keys}
    daten.update({key: value for key, value in entries.items() if key in keys})
    return daten


def entwurf_save_step(*, entwurf: Entwurf, step: Step, entries: RawData, complete: bool) -> Entwurf:
    """Store what was typed into one step (replacing that step's earlier entries) and whether
    the step passed its checks; the expiry moves on."""
    with transaction.atomic():
        locked = Entwurf.objects.select_for_update().get(pk=entwurf.pk)
        daten = merge_step(locked, step, entries)
        fertig = [step_id for step_id in locked.fertige_schritte if step_id != step.id]
        locked.daten = daten
        locked.fertige_schritte = [*fertig, step.id] if complete else fertig
        locked.gueltig_bis = timezone.now() + timedelta(days=ENTWURF_GUELTIG_TAGE)
        locked.save(update_fields=["daten", "fertige_schritte", "gueltig_bis", "updated_at"])
    return locked


def entwurf_add_item(*, entwurf: Entwurf, group: Field) -> Entwurf:
    """One more item in a repeatable group; refused beyond its maximum."""
    with transaction.atomic():
        locked = Entwurf.objects.select_for_update().get(pk=entwurf.pk)
        count = item_count(group, locked.wiederholungen)
        if count >= group.repeat_max:
            raise ServiceError(_("At most %d entries are possible.") % group.repeat_max)
        locked.wiederholungen = {**locked.wiederholungen, group.id: count + 1}
        locked.save(update_fields=["wiederholungen", "updated_at"])
    return locked


def entwurf_remove_item(*, entwurf: Entwurf, group: Field, number: int) -> Entwurf:
    """Remove one item of a repeatable group; refused below its minimum."""
    with transaction.atomic():
        locked = Entwurf.objects.select_for_update().get(pk=entwurf.pk)
        count = item_count(group, locked.wiederholungen)
        if count <= group.repeat_min or not 0 <= number < count:
            raise ServiceError(
                _("At least %d entries are needed.") % group.repeat_min, code="too_few"
            )
        locked.daten = remove_item(locked.daten, group, number, count)
        locked.wiederholungen = {**locked.wiederholungen, group.id: count - 1}
        locked.save(update_fields=["daten", "wiederholungen", "updated_at"])
    return locked


def entwuerfe_purge_expired() -> int:
    """Remove every expired draft; returns how many."""
    deleted, _by_model = Entwurf.objects.filter(gueltig_bis__lte=timezone.now()).delete()
    return deleted


# --- files --------------------------------------------------------------------------------------

MAX_FILES_PER_FIELD = 5
DEFAULT_MAX_MEGABYTES = 10
MEGABYTE = 1024 * 1024


def file_limit(field: Field) -> int:
    return (field.max_megabytes or DEFAULT_MAX_MEGABYTES) * MEGABYTE


def _type_allowed(media_type: str, accept: tuple[str, ...]) -> bool:
    if not accept:
        return True
    major = media_type.split("/", 1)[0]
    return any(m == media_type or m == f"{major}/*" for m in accept)


def _names(entwurf: Entwurf, field: Field) -> list[str]:
    return list(
        EntwurfDatei.objects.filter(entwurf=entwurf, feld=field.id)
        .order_by("pk")
        .values_list("dateiname", flat=True)
    )


def entwurf_datei_add(
    *, entwurf: Entwurf, field: Field, filename: str, data: bytes, cut_off: bool = False
) -> Entwurf:
    """Keep an uploaded file in a (top-level) file field of the draft, after the Posteingang's
    checks (content type from the bytes, name matching content, ZIP and PDF checks) and the
    field's limits; the field's value becomes the list of its file names."""
    limit = file_limit(field)
    if cut_off or len(data) > limit:
        raise ServiceError(_("The file is larger than %s.") % filesizeformat(limit))
    befund = check_file(data, filename)
    if not befund.accepted:
        raise ServiceError(befund.reason)
    if not _type_allowed(befund.media_type, field.accept):
        raise ServiceError(_("Files of this type (%s) are not accepted here.") % befund.media_type)
    with transaction.atomic():
        entwurf = Entwurf.objects.select_for_update().get(pk=entwurf.pk)
        if EntwurfDatei.objects.filter(entwurf=entwurf, feld=field.id).count() >= (
            MAX_FILES_PER_FIELD
        ):
            raise ServiceError(_("At most %d files can be added here.") % MAX_FILES_PER_FIELD)
        EntwurfDatei.objects.create(
            mandant_id=entwurf.mandant_id,
            entwurf=entwurf,
            feld=field.id,
            dateiname=clean_filename(filename),
            media_type=befund.media_type,
            groesse=len(data),
            inhalt=data,
        )
        entwurf.daten = {**entwurf.daten, field.id: _names(entwurf, field)}
        entwurf.gueltig_bis = timezone.now() + timedelta(days=ENTWURF_GUELTIG_TAGE)
        entwurf.save(update_fields=["daten", "gueltig_bis", "updated_at"])
    return entwurf


def entwurf_datei_remove(*, entwurf: Entwurf, field: Field, number: int) -> Entwurf:
    """Remove the ``number``-th file (from 0, in upload order) of a file field."""
    with transaction.atomic():
        entwurf = Entwurf.objects.select_for_update().get(pk=entwurf.pk)
        found = list(EntwurfDatei.objects.filter(entwurf=entwurf, feld=field.id).order_by("pk"))
        if 0 <= number < len(found):
            found[number].delete()
        entwurf.daten = {**entwurf.daten, field.id: _names(entwurf, field)}
        entwurf.save(update_fields=["daten", "updated_at"])
    return entwurf

"""Form versions: created, changed while unpublished, published — and then never changed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import User
from amtsfluss.dienste.formdef.loader import load
from amtsfluss.dienste.models import Formular, Formularversion, Leistung


def definition_sha256(definition: Any) -> str:
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def formularversion_create(
    *, leistung: Leistung, definition: dict[str, Any], by: User | None
) -> Formularversion:
    """A new, unpublished version of the Leistung's form (the form is made on first use).

    The definition is checked first (``DefinitionError`` with JSON paths)."""
    load(definition)
    with transaction.atomic():
        formular, _created = Formular.objects.get_or_create(
            leistung=leistung, defaults={"mandant_id": leistung.mandant_id}
        )
        formular = Formular.objects.select_for_update().get(pk=formular.pk)
        newest = formular.versionen.aggregate(n=Max("nummer"))["n"] or 0
        version = Formularversion.objects.create(
            mandant_id=leistung.mandant_id,
            formular=formular,
            nummer=newest + 1,
            definition=definition,
            sha256=definition_sha256(definition),
        )
        _record(version, "dienste.formularversion.create", by)
    return version


def formularversion_update(
    *, version: Formularversion, definition: dict[str, Any], by: User | None
) -> Formularversion:
    """Replace the definition of an unpublished version; a published one is refused."""
    load(definition)
    with transaction.atomic():
        locked = Formularversion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise ServiceError(
                _("Version %d is published and cannot be changed; create a new version.")
                % locked.nummer,
                code="published",
            )
        locked.definition = definition
        locked.sha256 = definition_sha256(definition)
        locked.save(update_fields=["definition", "sha256"])
        _record(locked, "dienste.formularversion.update", by)
    return locked


def formularversion_publish(*, version: Formularversion, by: User | None) -> Formularversion:
    """Publish a version: from now on new drafts start on it (drafts begun earlier stay on
    theirs), and it never changes again."""
    with transaction.atomic():
        locked = Formularversion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            return locked
        load(locked.definition)
        locked.veroeffentlicht_am = timezone.now()
        locked.save(update_fields=["veroeffentlicht_am"])
        _record(locked, "dienste.formularversion.publish", by)
    return locked


def formular_publish_definition(
    *, leistung: Leistung, definition: dict[str, Any], by: User | None
) -> Formularversion:
    """The published version with this definition: the newest one if it is the same, else a
    new version, published at once (what an import does)."""
    with transaction.atomic():
        newest = (
            Formularversion.objects.filter(
                formular__leistung=leistung, veroeffentlicht_am__isnull=False
            )
            .order_by("-nummer")
            .first()
        )
        if newest is not None and newest.sha256 == definition_sha256(definition):
            return newest
        version = formularversion_create(leistung=leistung, definition=definition, by=by)
        return formularversion_publish(version=version, by=by)


def _record(version: Formularversion, action: str, by: User | None) -> None:
    audit.record(
        mandant=version.mandant,
        actor=by,
        action=action,
        object_type="dienste.formularversion",
        object_id=str(version.pk),
        details={
            "leistung": version.formular.leistung_id,
            "nummer": version.nummer,
            "sha256": version.sha256,
        },
    )

"""The Aktenplan: positions with retention, archive hint and federführende OE."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from amtsfluss.akte.kennzeichen import parent_kennzeichen, validate_kennzeichen
from amtsfluss.akte.models import Akte, Aktenplanposition, Archivwuerdigkeit
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, Organisationseinheit, User


def position_create(
    *,
    mandant: Mandant,
    kennzeichen: str,
    titel: str,
    aufbewahrung_jahre: int | None = None,
    aufbewahrung_dauernd: bool = False,
    archivwuerdigkeit: str = "",
    federfuehrende_oe: Organisationseinheit | None = None,
    beschreibung: str = "",
    by: User | None,
) -> Aktenplanposition:
    """Add a position; its parent is the position whose Kennzeichen is the prefix.

    Authorization (Registratur or Fachadministration) is the caller's, through the engine.
    """
    kennzeichen = validate_kennzeichen(kennzeichen)
    titel = titel.strip()
    if not titel:
        raise ServiceError(_("Position %s needs a title.") % kennzeichen)
    description_controls = set(beschreibung) - {"\n", "\r", "\t"}
    if len(titel) > 300 or any(ord(ch) < 32 for ch in {*titel, *description_controls}):
        raise ServiceError(
            _("Position %s: the title is too long or contains control characters.") % kennzeichen
        )
    if aufbewahrung_dauernd and aufbewahrung_jahre is not None:
        raise ServiceError(_("Position %s: retention is either years or permanent.") % kennzeichen)
    if aufbewahrung_jahre is not None and not 0 < aufbewahrung_jahre <= 200:
        raise ServiceError(_("Position %s: retention must be 1 to 200 years.") % kennzeichen)
    if archivwuerdigkeit and archivwuerdigkeit not in Archivwuerdigkeit.values:
        raise ServiceError(_("Position %s: archive hint must be A, B or V.") % kennzeichen)
    if federfuehrende_oe is not None and federfuehrende_oe.mandant_id != mandant.pk:
        raise ServiceError(_("Position %s: the unit belongs to another Mandant.") % kennzeichen)
    with transaction.atomic():
        if Aktenplanposition.objects.filter(mandant=mandant, kennzeichen=kennzeichen).exists():
            raise ServiceError(_("The Kennzeichen %s exists already.") % kennzeichen)
        parent = None
        parent_code = parent_kennzeichen(kennzeichen)
        if parent_code is not None:
            parent = (
                Aktenplanposition.objects.select_for_update()
                .filter(mandant=mandant, kennzeichen=parent_code)
                .first()
            )
            if parent is None:
                raise ServiceError(
                    _("Position %(child)s needs its parent %(parent)s first.")
                    % {"child": kennzeichen, "parent": parent_code}
                )
            if Akte.objects.filter(position=parent).exists():
                raise ServiceError(
                    _("Akten are filed at %s, so it cannot get sub-positions.") % parent_code
                )
            if parent.is_leaf:
                parent.is_leaf = False
                parent.save(update_fields=["is_leaf"])
        position = Aktenplanposition.objects.create(
            mandant=mandant,
            parent=parent,
            kennzeichen=kennzeichen,
            titel=titel,
            beschreibung=beschreibung,
            aufbewahrung_jahre=aufbewahrung_jahre,
            aufbewahrung_dauernd=aufbewahrung_dauernd,
            archivwuerdigkeit=archivwuerdigkeit,
            federfuehrende_oe=federfuehrende_oe,
        )
        audit.record(
            mandant=mandant,
            actor=by,
            action="aktenplan.position_create",
            object_type="akte.aktenplanposition",
            object_id=str(position.pk),
            details={"kennzeichen": kennzeichen},
        )
    return position

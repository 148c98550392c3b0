"""Reads of the seal configuration."""

from __future__ import annotations

from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant
from amtsfluss.siegel.models import Siegel


def siegel_for(mandant: Mandant) -> Siegel:
    """The Mandant's seal configuration; ServiceError when it has none."""
    siegel = Siegel.objects.filter(mandant=mandant).first()
    if siegel is None:
        raise ServiceError(
            _("No electronic seal is configured for %(mandant)s") % {"mandant": mandant.name},
            code="no_seal",
        )
    return siegel

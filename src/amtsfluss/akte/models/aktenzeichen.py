from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped

DEFAULT_PATTERN = "{oe}-{kennzeichen}/{nr:04}/{jahr}"


class AktenzeichenRegel(MandantScoped):
    """The Mandant's rule for Aktenzeichen; placeholders {oe} {kennzeichen} {nr} {jahr}.

    The running number counts separately for every value of the other placeholders (e.g. per
    unit, position and year for the default pattern).
    """

    muster = models.CharField(_("Muster"), max_length=100, default=DEFAULT_PATTERN)

    class Meta:
        verbose_name = _("Aktenzeichenregel")
        constraints = [
            models.UniqueConstraint(fields=["mandant"], name="akte_regel_one_per_mandant")
        ]

    def __str__(self) -> str:
        return self.muster


class Laufnummer(MandantScoped):
    """The last running number issued in one counter scope; locked while issuing the next."""

    scope = models.CharField(max_length=200)
    letzte = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mandant", "scope"], name="akte_laufnummer_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope}: {self.letzte}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mandant(models.Model):
    """A municipality (tenant). Every domain row belongs to exactly one Mandant."""

    slug = models.SlugField(_("Kurzname"), max_length=63, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    is_default = models.BooleanField(
        _("Standard-Mandant"),
        default=False,
        help_text=_("Answers requests whose host name belongs to no Mandant."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Mandant")
        verbose_name_plural = _("Mandanten")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="core_mandant_single_default",
            )
        ]

    def __str__(self) -> str:
        return self.name


class MandantHost(models.Model):
    """A host name under which a Mandant is reached (e.g. ``service.musterstadt.de``)."""

    mandant = models.ForeignKey(Mandant, on_delete=models.CASCADE, related_name="hosts")
    hostname = models.CharField(_("Hostname"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("Hostname")
        verbose_name_plural = _("Hostnamen")

    def __str__(self) -> str:
        return self.hostname


class MandantScoped(models.Model):
    """Abstract base for every domain row: it belongs to exactly one Mandant."""

    mandant = models.ForeignKey(Mandant, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

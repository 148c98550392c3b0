from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models.mandant import MandantScoped


class UnitKind(models.TextChoices):
    DEZERNAT = "dezernat", _("Dezernat")
    FACHBEREICH = "fachbereich", _("Fachbereich/Amt")
    ABTEILUNG = "abteilung", _("Abteilung")
    SACHGEBIET = "sachgebiet", _("Sachgebiet")


class Role(models.TextChoices):
    """Staff roles. Scope rules are in ``amtsfluss.core.permissions.roles``."""

    SACHBEARBEITUNG = "sachbearbeitung", _("Sachbearbeitung")
    AMTSLEITUNG = "amtsleitung", _("Amtsleitung")
    REGISTRATUR = "registratur", _("Registratur")
    RECHNUNGSPRUEFUNG = "rechnungspruefung", _("Rechnungsprüfung")
    KASSE = "kasse", _("Kasse")
    DATENSCHUTZ = "datenschutz", _("Datenschutz")
    FACHADMINISTRATION = "fachadministration", _("Fachadministration")


class Organisationseinheit(MandantScoped):
    """A unit of the administration; units form a tree per Mandant."""

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("Art"), max_length=20, choices=UnitKind.choices)
    code = models.CharField(_("Kürzel"), max_length=20)
    name = models.CharField(_("Bezeichnung"), max_length=200)
    email = models.EmailField(_("Funktionspostfach"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Organisationseinheit")
        verbose_name_plural = _("Organisationseinheiten")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["mandant", "code"], name="core_oe_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrganisationseinheitClosure(MandantScoped):
    """Closure table of the unit tree: one row per (ancestor, descendant), itself included.

    It turns "this unit and everything below it" into a plain indexed join, so permission
    filters stay a single SQL query on SQLite and PostgreSQL alike.
    """

    ancestor = models.ForeignKey(
        Organisationseinheit, on_delete=models.CASCADE, related_name="descendant_links"
    )
    descendant = models.ForeignKey(
        Organisationseinheit, on_delete=models.CASCADE, related_name="ancestor_links"
    )
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ancestor", "descendant"], name="core_oe_closure_unique"
            ),
        ]
        indexes = [models.Index(fields=["descendant", "ancestor"])]


class Membership(MandantScoped):
    """A user holds a role in a unit, optionally for a limited time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Organisationseinheit, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("Rolle"), max_length=30, choices=Role.choices)
    valid_from = models.DateTimeField(_("gültig ab"), null=True, blank=True)
    valid_until = models.DateTimeField(_("gültig bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="core_membership_unique"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit.code}"

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped, Organisationseinheit


class Zustand(models.TextChoices):
    OFFEN = "offen", _("offen")
    BEZAHLT = "bezahlt", _("bezahlt")
    ERSTATTET = "erstattet", _("erstattet")


class Quelle(models.TextChoices):
    """How a change of the payment state came about."""

    KASSE = "kasse", _("Kasse (by hand)")
    CAMT = "camt", _("bank statement (CAMT.053)")
    ONLINE = "online", _("online payment")
    ANLAGE = "anlage", _("created")


class Forderung(MandantScoped):
    """A fee the Mandant claims: amount, purpose and the Kassenzeichen to pay it under.

    ``unit`` is the levying unit (the Vorgang's unit when there is one); the public payment
    page is reached only through a token whose SHA-256 is ``token_hash``.
    """

    kassenzeichen = models.CharField(_("Kassenzeichen"), max_length=30)
    betrag = models.DecimalField(_("amount"), max_digits=11, decimal_places=2)
    zweck = models.CharField(_("purpose"), max_length=140)
    vorgang = models.ForeignKey(
        "akte.Vorgang",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forderungen",
    )
    unit = models.ForeignKey(
        Organisationseinheit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    zustand = models.CharField(
        _("payment state"), max_length=12, choices=Zustand.choices, default=Zustand.OFFEN
    )
    faellig_am = models.DateField(_("due"), null=True, blank=True)
    bezahlt_am = models.DateTimeField(_("paid"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Forderung")
        verbose_name_plural = _("Forderungen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "kassenzeichen"], name="kasse_kassenzeichen_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(betrag__gt=0), name="kasse_forderung_betrag_positive"
            ),
        ]
        indexes = [models.Index(fields=["mandant", "zustand"], name="kasse_forderung_zustand")]

    def __str__(self) -> str:
        return self.kassenzeichen


class Zustandswechsel(MandantScoped):
    """One entry of a Forderung's payment history: from which state to which, how, by whom.

    ``referenz`` identifies the payment at its source (the bank entry's reference, the
    provider's transaction id); per Mandant and source it books once.
    """

    forderung = models.ForeignKey(Forderung, on_delete=models.PROTECT, related_name="historie")
    von = models.CharField(max_length=12, choices=Zustand.choices, blank=True)
    nach = models.CharField(max_length=12, choices=Zustand.choices)
    quelle = models.CharField(max_length=10, choices=Quelle.choices)
    betrag = models.DecimalField(max_digits=11, decimal_places=2, null=True, blank=True)
    referenz = models.CharField(max_length=140, blank=True)
    notiz = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mandant", "quelle", "referenz"],
                condition=~models.Q(referenz=""),
                name="kasse_wechsel_referenz_once",
            )
        ]

"""The electronic seal of a Mandant: where its PKCS#12 file and passphrase are, and its TSA.

The database holds no secret: the key stays in the PKCS#12 file, the passphrase in a file or an
environment variable named here (docs/configuration.md, "Electronic seal"). The certificates,
which are public, are kept here too, so that validation needs no key and a replaced seal's
Bescheide stay trusted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models.mandant import MandantScoped


class Siegel(MandantScoped):
    """One per Mandant: the configuration ``siegel.services.seal_pdf`` seals with."""

    pkcs12_path = models.CharField(_("PKCS#12 file"), max_length=500)
    passphrase_file = models.CharField(
        _("passphrase file"), max_length=500, blank=True, help_text=_("first line is used")
    )
    passphrase_env = models.CharField(
        _("passphrase environment variable"), max_length=100, blank=True
    )
    tsa_url = models.URLField(_("time-stamp authority (RFC 3161)"), blank=True)
    tsa_certificate_pem = models.TextField(
        _("TSA trust anchor (PEM)"),
        blank=True,
        help_text=_("certificate the TSA's time-stamp tokens are validated against"),
    )
    certificate_pem = models.TextField(
        _("seal certificate (PEM)"),
        blank=True,
        help_text=_("copied from the PKCS#12 file when configured; seals are validated against it"),
    )
    former_certificates_pem = models.TextField(
        _("former seal certificates (PEM)"),
        blank=True,
        help_text=_("certificates replaced by a new seal: what they sealed stays trusted"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("electronic seal")
        verbose_name_plural = _("electronic seals")
        constraints = [models.UniqueConstraint(fields=["mandant"], name="siegel_one_per_mandant")]

    def __str__(self) -> str:
        return f"{self.mandant_id}: {self.pkcs12_path}"

"""The citizen account: a table of its own, not the staff ``core.User``.

A citizen is never an ``AUTH_USER_MODEL`` row, so ``request.user`` stays anonymous for them:
no staff permission check, no ``login_required`` staff page and no ``/intern/`` view can be
passed with a citizen session. The citizen session is separate keys in the session (see
``konto.session``), pinned to the Mandant it was opened on.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import MandantScoped


class Buerger(MandantScoped):
    """One citizen account of one Mandant; the e-mail address is unique per Mandant."""

    email = models.EmailField(_("e-mail address"), max_length=254)
    password = models.CharField(max_length=128)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login = models.DateTimeField(null=True, blank=True)
    # profile: used to prefill application forms (konto.selectors.prefill_for)
    vorname = models.CharField(_("first name"), max_length=100, blank=True)
    nachname = models.CharField(_("last name"), max_length=100, blank=True)
    strasse = models.CharField(_("street"), max_length=140, blank=True)
    hausnummer = models.CharField(_("house number"), max_length=10, blank=True)
    zusatz = models.CharField(_("address line 2"), max_length=150, blank=True)
    plz = models.CharField(_("postcode"), max_length=5, blank=True)
    ort = models.CharField(_("town"), max_length=100, blank=True)
    telefon = models.CharField(_("telephone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")
        constraints = [
            models.UniqueConstraint(
                "mandant", Lower("email"), name="konto_buerger_unique_email_per_mandant"
            )
        ]

    def __str__(self) -> str:
        return f"Bürgerkonto {self.pk}"

    # Django's password validators look at these attributes of "the user"
    @property
    def first_name(self) -> str:
        return self.vorname

    @property
    def last_name(self) -> str:
        return self.nachname

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

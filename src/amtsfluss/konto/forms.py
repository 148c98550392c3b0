"""Forms of the account pages: they clean input; the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import Mandant
from amtsfluss.dienste.formdef.cleaning import has_forbidden_characters
from amtsfluss.konto.services import check_password_rules
from amtsfluss.web.forms import KernForm

_PLZ = re.compile(r"\d{5}")
_TELEFON = re.compile(r"\+?[0-9 ()/-]{3,40}")


class _EmailField(forms.EmailField):
    def clean(self, value: Any) -> str:
        email: str = super().clean(value)
        if has_forbidden_characters(email):
            raise ValidationError(_("The entry contains characters that are not allowed."))
        return email


def _email_field() -> forms.EmailField:
    return _EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )


def _password_field(label: Any, autocomplete: str, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class _NewPasswordForm(KernForm):
    """Two password inputs, checked against the password rules for the account's address."""

    password = _password_field(
        _("Password"), "new-password", _("At least 12 characters; not a common password.")
    )
    password2 = _password_field(_("Repeat password"), "new-password")

    def __init__(self, *args: Any, mandant: Mandant, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mandant = mandant
        self.account_email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, again = cleaned.get("password"), cleaned.get("password2")
        if password and again and password != again:
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            email = self.account_email or cleaned.get("email") or ""
            try:
                check_password_rules(password, email=email, mandant=self.mandant)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class RegistrierungForm(_NewPasswordForm):
    email = _email_field()
    field_order = ["email", "password", "password2"]


class PasswortNeuForm(_NewPasswordForm):
    pass


class AnmeldeForm(KernForm):
    email = _email_field()
    password = _password_field(_("Password"), "current-password")

    def refuse(self, message: str) -> None:
        """A refusal of the credentials as a whole: both inputs point at the alert."""
        self.add_error(None, message)
        for field in self.fields.values():
            field.widget.attrs["aria-describedby"] = "konto-error"
            field.widget.attrs["aria-invalid"] = "true"


class BestaetigenForm(AnmeldeForm):
    """The confirmation page: the password of the account the link names."""

    email = None  # type: ignore[assignment]  # the link names the account


class ResetAnfordernForm(KernForm):
    email = _email_field()


def _text(label: Any, max_length: int, autocomplete: str, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete, **attrs}),
    )


class ProfilForm(KernForm):
    vorname = _text(_("First name"), 100, "given-name")
    nachname = _text(_("Last name"), 100, "family-name")
    strasse = _text(_("Street"), 140, "address-line1")
    hausnummer = _text(_("House number"), 10, "off")
    zusatz = _text(_("Address line 2"), 150, "address-line2")
    plz = _text(_("Postcode"), 5, "postal-code", inputmode="numeric")
    ort = _text(_("Town"), 100, "address-level2")
    telefon = _text(_("Telephone"), 40, "tel", type="tel")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and has_forbidden_characters(value):
                self.add_error(name, _("The entry contains characters that are not allowed."))
        plz = cleaned.get("plz")
        if plz and not _PLZ.fullmatch(plz):
            self.add_error("plz", _("Please enter a five-digit postcode."))
        telefon = cleaned.get("telefon")
        if telefon and not _TELEFON.fullmatch(telefon):
            self.add_error("telefon", _("Please enter a telephone number (digits, +, spaces)."))
        return cleaned

"""Forms of the E-Rechnung pages: they clean input; the services decide. KERN classes on widgets.

Choices that name other objects (units, invoices to pay) come from the permission engine; a
choice the principal may not see is not offered and not accepted.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.forms import UnitChoiceField
from amtsfluss.core.models import Organisationseinheit
from amtsfluss.rechnung.models import Rechnung, RechnungStatus
from amtsfluss.rechnung.selectors.pages import DEFAULT_SORT, EingangsbuchFilter
from amtsfluss.web.forms import KernForm, MultipleFileField

_SELECT = {"class": "kern-form-input__select"}
_CHECK = {"class": "kern-form-check__checkbox"}

SORT_CHOICES = [
    ("eingang", _("Receipt, newest first")),
    ("eingang_alt", _("Receipt, oldest first")),
    ("faellig", _("Due date, earliest first")),
    ("faellig_spaet", _("Due date, latest first")),
]


class EingangsbuchFilterForm(forms.Form):
    """The filters above the register (GET; invalid input falls back to the whole register)."""

    q = forms.CharField(
        label=_("Seller, invoice number or Eingangsnummer"),
        max_length=200,
        required=False,
        widget=forms.SearchInput(attrs={"class": "kern-form-input__input"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("all")), *RechnungStatus.choices],
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )
    unit = forms.TypedChoiceField(
        label=_("Unit"), coerce=int, required=False, widget=forms.Select(attrs=_SELECT)
    )
    dubletten = forms.BooleanField(
        label=_("Duplicates only"), required=False, widget=forms.CheckboxInput(attrs=_CHECK)
    )
    klaerung = forms.BooleanField(
        label=_("Klärung only (no responsible unit)"),
        required=False,
        widget=forms.CheckboxInput(attrs=_CHECK),
    )
    sortierung = forms.ChoiceField(
        label=_("Order"),
        choices=SORT_CHOICES,
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(self, *args: Any, units: QuerySet[Organisationseinheit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["unit"])
        field.choices = [("", _("all")), *((u.pk, f"{u.code} {u.name}") for u in units)]

    def filters(self) -> EingangsbuchFilter:
        if not self.is_valid():
            return EingangsbuchFilter()
        data = self.cleaned_data
        return EingangsbuchFilter(
            status=(data["status"],) if data["status"] else (),
            unit_id=data["unit"] if data["unit"] != "" else None,
            nur_dubletten=data["dubletten"],
            nur_klaerung=data["klaerung"],
            query=data["q"].strip(),
            sort=data["sortierung"] or DEFAULT_SORT,
        )


# --- upload ---------------------------------------------------------------------------------


class UploadForm(KernForm):
    dateien = MultipleFileField(
        label=_("Invoice files"),
        error_messages={"required": _("Please choose at least one file.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dateien"].help_text = _(
            "XRechnung (UBL or CII) or ZUGFeRD/Factur-X PDF; several files at once; "
            "at most %s each."
        ) % filesizeformat(settings.AMTSFLUSS_MAX_UPLOAD_BYTES)
        self.fields["dateien"].widget.attrs["accept"] = ".xml,.pdf,application/xml,application/pdf"


# --- the approval ---------------------------------------------------------------------------


class _Decision(KernForm):
    """Every decision carries the status the person saw: a later status is a conflict."""

    status = forms.CharField(widget=forms.HiddenInput, max_length=20)


class BestaetigenForm(_Decision):
    bemerkung = forms.CharField(
        label=_("Remark"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ZurueckweisenForm(_Decision):
    begruendung = forms.CharField(
        label=_("Reason for the rejection"),
        help_text=_("The seller receives it by e-mail."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give the reason for the rejection.")},
    )


class ZuordnenForm(KernForm):
    unit = UnitChoiceField(
        label=_("Responsible unit"),
        help_text=_("The invoice is filed in this unit's Akte and enters its approval."),
    )

    def __init__(self, *args: Any, units: QuerySet[Organisationseinheit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["unit"]).queryset = units


# --- Zahlungslauf ---------------------------------------------------------------------------


class _RechnungChoices(forms.ModelMultipleChoiceField[Rechnung]):
    def label_from_instance(self, obj: Rechnung) -> str:
        return f"{obj.eingangsnummer} {obj.verkaeufer_name} {obj.rechnungsnummer}"


class ZahlungslaufForm(KernForm):
    rechnungen = _RechnungChoices(
        label=_("Invoices to pay"),
        queryset=Rechnung.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose the invoices to pay.")},
    )
    ausfuehrungsdatum = forms.DateField(
        label=_("Execution date"),
        help_text=_("Skonto is deducted where this day is on or before the Skonto deadline."),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, payable: QuerySet[Rechnung], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(_RechnungChoices, self.fields["rechnungen"]).queryset = payable

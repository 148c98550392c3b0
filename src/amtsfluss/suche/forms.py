"""The search page's form: query text, filters and order, all from the query string."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models import AktenStatus, Dokumenttyp
from amtsfluss.core.models import Organisationseinheit
from amtsfluss.suche.backends.base import Filters, Order
from amtsfluss.suche.query import MAX_QUERY_CHARS


def unit_label(unit: Organisationseinheit) -> str:
    return f"{unit.code} {unit.name}"


class _UnitChoices(forms.ModelMultipleChoiceField[Organisationseinheit]):
    def label_from_instance(self, obj: Organisationseinheit) -> str:
        return unit_label(obj)


class SucheForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY_CHARS,
        help_text=_('Words, a "phrase" in quotes, or the beginning of a word with *.'),
    )
    oe = _UnitChoices(
        label=_("Lead unit"), queryset=Organisationseinheit.objects.none(), required=False
    )
    typ = forms.MultipleChoiceField(
        label=_("Dokumenttyp"), choices=Dokumenttyp.choices, required=False
    )
    von = forms.DateField(
        label=_("Dated from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    bis = forms.DateField(
        label=_("Dated until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(
        label=_("Akte"),
        choices=[("", _("open and closed")), *AktenStatus.choices],
        required=False,
    )
    reihenfolge = forms.ChoiceField(
        label=_("Order"),
        choices=[(Order.RELEVANCE.value, _("best match")), (Order.DATE.value, _("newest"))],
        required=False,
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["oe"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        von, bis = cleaned.get("von"), cleaned.get("bis")
        if von and bis and von > bis:
            self.add_error("bis", _("The end date lies before the start date."))
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            unit_ids=tuple(unit.pk for unit in data.get("oe") or ()),
            date_from=data.get("von"),
            date_to=data.get("bis"),
            dokumenttypen=tuple(data.get("typ") or ()),
            akte_status=data.get("status") or "",
        )

    def order(self) -> Order:
        return Order(self.cleaned_data.get("reihenfolge") or Order.RELEVANCE)

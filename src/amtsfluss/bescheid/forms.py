from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from amtsfluss.bescheid.services.bescheid import MAX_TEXT
from amtsfluss.core.models import User
from amtsfluss.dienste.models import Leistung


class EntwerfenForm(forms.Form):
    leistung = forms.ModelChoiceField(queryset=Leistung.objects.none(), label=_("Leistung"))

    def __init__(self, *args: Any, leistungen: QuerySet[Leistung], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["leistung"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = leistungen


class BearbeitenForm(forms.Form):
    titel = forms.CharField(label=_("Title"), max_length=200)
    tenor_zusatz = forms.CharField(
        label=_("Addition to the Tenor"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    begruendung = forms.CharField(
        label=_("Begründung"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class SignerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AnfordernForm(forms.Form):
    signer = SignerField(
        queryset=User.objects.none(), label=_("Schlusszeichnung by"), empty_label=None
    )

    def __init__(self, *args: Any, signers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["signer"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = signers

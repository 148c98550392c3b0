"""Forms of the Posteingang pages: they clean input; the services decide.

The choices (receiving units, target Akten and Vorgänge) are querysets the view takes from the
permission engine; what the principal may not see or work on is not offered and not accepted.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.forms import UnitChoiceField
from amtsfluss.akte.models import Akte, Vorgang
from amtsfluss.core.models import Organisationseinheit
from amtsfluss.posteingang.services.eingang import Datei
from amtsfluss.posteingang.uploads import BatchLimitHandler, too_many_message
from amtsfluss.web.forms import KernForm, MultipleFileField

#: What the file input offers in the browser's dialog (the server decides by content).
ACCEPT = ".pdf,.tif,.tiff,.jpg,.jpeg,.png,.docx,.xlsx,.odt,.ods,.doc,.xls,.rtf,.txt,.eml"


class UploadForm(KernForm):
    unit = UnitChoiceField(
        label=_("Receiving unit"),
        help_text=_("The files are filed for this unit and appear in its intake."),
    )
    betreff = forms.CharField(
        label=_("Subject"),
        help_text=_("The subject of the Vorgang; without one, the file names are used."),
        max_length=300,
        required=False,
    )
    aktenzeichen = forms.CharField(
        label=_("Aktenzeichen of the target Akte"),
        help_text=_(
            "An open Akte that you may work on; the files become a new Vorgang there. Without "
            "one, they go to the unit's Akte “Posteingang” of the year."
        ),
        max_length=120,
        required=False,
    )
    vorgang = forms.ModelChoiceField(
        queryset=Vorgang.objects.none(), required=False, widget=forms.HiddenInput
    )
    dateien = MultipleFileField(
        label=_("Files"), error_messages={"required": _("Please choose at least one file.")}
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Organisationseinheit],
        akten: QuerySet[Akte],
        vorgaenge: QuerySet[Vorgang],
        batch: BatchLimitHandler | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.akten = akten
        self.batch = batch
        cast(UnitChoiceField, self.fields["unit"]).queryset = units
        cast(forms.ModelChoiceField[Vorgang], self.fields["vorgang"]).queryset = vorgaenge
        files = self.fields["dateien"]
        if batch is not None and batch.cut_off:  # sent, but not among the request's files
            files.required = False
        files.help_text = _(
            "PDF, scans (TIFF, JPEG, PNG), Office documents, RTF, text or e-mail files; up to "
            "%(count)d files at once, at most %(size)s each."
        ) % {
            "count": settings.AMTSFLUSS_MAX_UPLOAD_FILES,
            "size": filesizeformat(settings.AMTSFLUSS_MAX_UPLOAD_BYTES),
        }
        files.widget.attrs["accept"] = ACCEPT

    def clean_aktenzeichen(self) -> Akte | None:
        aktenzeichen = self.cleaned_data["aktenzeichen"].strip()
        if not aktenzeichen:
            return None
        akte = self.akten.filter(aktenzeichen=aktenzeichen).first()
        if akte is None:
            raise forms.ValidationError(
                _("There is no open Akte “%(aktenzeichen)s” that you may work on."),
                code="unknown",
                params={"aktenzeichen": aktenzeichen},
            )
        return akte

    def clean_dateien(self) -> list[Datei]:
        """The files in the order they were sent, those cut off at the size limit included
        (they are received as refused); too many files refuse the whole upload."""
        batch = self.batch
        if batch is None:
            raise RuntimeError("a bound upload form needs the request's BatchLimitHandler")
        if batch.too_many:
            raise forms.ValidationError(too_many_message(batch.count), code="too_many")
        return batch.files(self.cleaned_data["dateien"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("aktenzeichen") and cleaned.get("vorgang"):
            self.add_error(
                "aktenzeichen", _("The files go into the Vorgang named above; leave this empty.")
            )
        return cleaned


class EingangFilterForm(forms.Form):
    """The unit filter of the intake page (GET; an invalid choice shows every unit)."""

    oe = UnitChoiceField(label=_("Unit"), required=False, empty_label=_("all my units"))

    def __init__(self, *args: Any, units: QuerySet[Organisationseinheit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(UnitChoiceField, self.fields["oe"])
        field.queryset = units
        field.widget.attrs["class"] = "kern-form-input__select"

    def unit(self) -> Organisationseinheit | None:
        return self.cleaned_data.get("oe") if self.is_valid() else None

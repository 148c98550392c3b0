"""Forms of the Postfach: the clerk's Rückfrage and the applicant's answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsfluss.posteingang.forms import ACCEPT
from amtsfluss.posteingang.services.eingang import Datei
from amtsfluss.posteingang.uploads import BatchLimitHandler, too_many_message
from amtsfluss.postfach.services import MAX_TEXT
from amtsfluss.web.forms import KernForm, MultipleFileField

FILES_FIELD = "dateien"


class RueckfrageForm(KernForm):
    betreff = forms.CharField(label=_("Subject"), max_length=300)
    text = forms.CharField(
        label=_("What do you need from the applicant?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    frist = forms.DateField(
        label=_("Deadline for the answer"),
        required=False,
        help_text=_("Optional. You get a Wiedervorlage of the Vorgang on this day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    empfaenger_email = forms.EmailField(label=_("Applicant's e-mail"), max_length=254)

    def clean_frist(self) -> Any:
        frist = self.cleaned_data["frist"]
        if frist is not None and frist < timezone.localdate():
            raise forms.ValidationError(_("The deadline lies in the past."), code="past")
        return frist


class AntwortForm(KernForm):
    """The applicant's answer: text and files (each file is judged by the Posteingang)."""

    text = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    dateien = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args: Any, batch: BatchLimitHandler | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch
        files = self.fields[FILES_FIELD]
        files.help_text = _(
            "PDF, scans (TIFF, JPEG, PNG), Office documents, RTF or text; up to %(count)d files "
            "at once, at most %(size)s each."
        ) % {
            "count": settings.AMTSFLUSS_MAX_UPLOAD_FILES,
            "size": filesizeformat(settings.AMTSFLUSS_MAX_UPLOAD_BYTES),
        }
        files.widget.attrs["accept"] = ACCEPT

    def clean_dateien(self) -> list[Datei]:
        batch = self.batch
        if batch is None:
            raise RuntimeError("a bound answer form needs the request's BatchLimitHandler")
        if batch.too_many:
            raise forms.ValidationError(too_many_message(batch.count), code="too_many")
        return batch.files(self.files.getlist(self.add_prefix(FILES_FIELD)))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("text") or "").strip() and not cleaned.get(FILES_FIELD):
            raise forms.ValidationError(_("Please write an answer or attach a file."), code="empty")
        return cleaned

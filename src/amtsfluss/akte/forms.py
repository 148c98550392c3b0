"""Forms of the E-Akte pages: they clean input; the services decide. Widgets carry KERN classes.

Choices that name other objects (units, staff, positions, Akten, Vorgänge) come from the
permission engine; a choice the principal may not see is not offered, and typed references
(Kennzeichen, Aktenzeichen) resolve only to what the principal may see or change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsfluss.akte.models import (
    Akte,
    Aktenplanposition,
    AktenStatus,
    Dokumenttyp,
    Rendition,
    Richtung,
    Vertraulichkeit,
    VorgangStatus,
)
from amtsfluss.core.models import Organisationseinheit, User
from amtsfluss.core.permissions import Action, Principal, permitted
from amtsfluss.web.forms import KernForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_EMPTY = _("Please choose")


class UnitChoiceField(forms.ModelChoiceField[Organisationseinheit]):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _EMPTY)
        super().__init__(queryset=Organisationseinheit.objects.none(), **kwargs)

    def label_from_instance(self, obj: Organisationseinheit) -> str:
        return f"{obj.code} {obj.name}"


class StaffChoiceField(forms.ModelChoiceField[User]):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _EMPTY)
        super().__init__(queryset=User.objects.none(), **kwargs)

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.username})" if obj.get_full_name() else obj.username


def _date_field(label: StrOrPromise, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast(forms.ModelChoiceField[Any], form.fields[name]).queryset = queryset


# --- Akte ---------------------------------------------------------------------------------------


class AkteCreateForm(KernForm):
    """A new Akte at a leaf of the Aktenplan; the units offered are those one works in."""

    titel = forms.CharField(
        label=_("Title"),
        help_text=_("What the Akte is about, for example the name of a business."),
        max_length=300,
    )
    federfuehrende_oe = UnitChoiceField(
        label=_("Lead unit (federführende OE)"),
        help_text=_("The unit in charge of the Akte; it appears in the Aktenzeichen."),
    )
    vertraulichkeit = forms.ChoiceField(
        label=_("Confidentiality"),
        help_text=_(
            "Confidential Akten are seen only by named persons; you are named automatically."
        ),
        choices=Vertraulichkeit.choices,
        initial=Vertraulichkeit.OFFEN,
    )

    def __init__(self, *args: Any, units: QuerySet[Organisationseinheit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "federfuehrende_oe", units)


class RefileForm(KernForm):
    """Umprotokollieren: the target position by its Kennzeichen."""

    kennzeichen = forms.CharField(
        label=_("New Aktenplan position (Kennzeichen)"),
        help_text=_("A position at the lowest level of the Aktenplan, for example 1.2.1."),
        max_length=40,
    )

    def __init__(self, *args: Any, principal: Principal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.principal = principal

    def clean_kennzeichen(self) -> Aktenplanposition:
        kennzeichen = self.cleaned_data["kennzeichen"].strip()
        position = (
            permitted(Aktenplanposition, principal=self.principal, action=Action.VIEW)
            .filter(kennzeichen=kennzeichen)
            .first()
        )
        if position is None:
            raise forms.ValidationError(
                _("There is no Aktenplan position with the Kennzeichen “%(kennzeichen)s”."),
                code="unknown",
                params={"kennzeichen": kennzeichen},
            )
        return position


class BeteiligungForm(KernForm):
    """Grant a unit or a named person access to the Akte (confidential Akten: persons only)."""

    user = StaffChoiceField(label=_("Person"), required=False)
    unit = UnitChoiceField(label=_("Unit"), required=False)
    darf_bearbeiten = forms.BooleanField(label=_("May also work on the Akte"), required=False)
    gueltig_bis = forms.DateTimeField(
        label=_("Valid until"),
        help_text=_("Leave empty for access without an end."),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(
        self,
        *args: Any,
        staff: QuerySet[User],
        units: QuerySet[Organisationseinheit] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "user", staff)
        if units is None:  # a confidential Akte is shared with named persons only
            del self.fields["unit"]
            self.fields["user"].required = True
        else:
            _set_queryset(self, "unit", units)
            self.fields["user"].help_text = _("Choose either a person or a unit.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "unit" in self.fields and (cleaned.get("user") is None) == (cleaned.get("unit") is None):
            self.add_error(None, _("Choose either a person or a unit, not both."))
        return cleaned


# --- Vorgang ------------------------------------------------------------------------------------


class BearbeiterChoiceField(StaffChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(empty_label=_("not assigned"), **kwargs)


class VorgangCreateForm(KernForm):
    betreff = forms.CharField(label=_("Subject (Betreff)"), max_length=300)
    eingangsdatum = _date_field(_("Date received"), initial=timezone.localdate)
    bearbeiter = BearbeiterChoiceField(label=_("Assigned to"), required=False)
    frist = _date_field(_("Deadline"), required=False)

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "bearbeiter", staff)


class VorgangUpdateForm(KernForm):
    status = forms.ChoiceField(label=_("Status"), choices=VorgangStatus.choices)
    bearbeiter = BearbeiterChoiceField(
        label=_("Assigned to"),
        help_text=_("Staff of the unit that works on the Vorgang."),
        required=False,
    )
    frist = _date_field(
        _("Deadline"), help_text=_("An empty field keeps the deadline as it is."), required=False
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "bearbeiter", staff)


class VorgangMoveForm(KernForm):
    """Move a Vorgang into another Akte, named by its Aktenzeichen."""

    aktenzeichen = forms.CharField(
        label=_("Aktenzeichen of the target Akte"),
        help_text=_("An open Akte that you may work on."),
        max_length=120,
    )

    def __init__(self, *args: Any, principal: Principal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.principal = principal

    def clean_aktenzeichen(self) -> int:
        """The id of the target Akte; the view fetches it with ``access_akte(..., 'change')``."""
        aktenzeichen = self.cleaned_data["aktenzeichen"].strip()
        pk = (
            permitted(Akte, principal=self.principal, action=Action.CHANGE)
            .filter(aktenzeichen=aktenzeichen)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise forms.ValidationError(
                _("There is no Akte “%(aktenzeichen)s” that you may work on."),
                code="unknown",
                params={"aktenzeichen": aktenzeichen},
            )
        return pk


class WiedervorlageForm(KernForm):
    faellig_am = _date_field(_("Due on"))
    fuer_user = StaffChoiceField(
        label=_("For person"),
        help_text=_("Leave both empty to remind yourself."),
        required=False,
    )
    fuer_oe = UnitChoiceField(label=_("Or for a unit"), required=False)
    notiz = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        staff: QuerySet[User],
        units: QuerySet[Organisationseinheit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "fuer_user", staff)
        _set_queryset(self, "fuer_oe", units)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("fuer_user") is not None and cleaned.get("fuer_oe") is not None:
            self.add_error("fuer_oe", _("Choose a person or a unit, not both."))
        return cleaned


# --- Dokumente ----------------------------------------------------------------------------------


class DokumentCreateForm(KernForm):
    titel = forms.CharField(label=_("Title"), max_length=300)
    dokumentdatum = _date_field(_("Date of the document"), initial=timezone.localdate)
    richtung = forms.ChoiceField(label=_("Direction"), choices=Richtung.choices)
    dokumenttyp = forms.ChoiceField(
        label=_("Type of document"), choices=Dokumenttyp.choices, initial=Dokumenttyp.SCHREIBEN
    )
    absender_empfaenger = forms.CharField(
        label=_("Sender or recipient"), max_length=300, required=False
    )
    datei = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["datei"].help_text = _upload_help()


def _upload_help() -> str:
    return _("At most %s.") % filesizeformat(settings.AMTSFLUSS_MAX_UPLOAD_BYTES)


class VersionForm(KernForm):
    datei = forms.FileField(label=_("File"))
    kommentar = forms.CharField(
        label=_("Reason for the new version"),
        help_text=_("Needed for a new original, for example: corrected after a call."),
        max_length=300,
        required=False,
    )
    rendition = forms.ChoiceField(
        label=_("Kind of file"),
        help_text=_("An archival rendition (PDF/A) belongs beside the current original."),
        choices=Rendition.choices,
        initial=Rendition.ORIGINAL,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["datei"].help_text = _upload_help()


class DokumentMoveForm(KernForm):
    """Move a Dokument to another Vorgang of the same Akte (choices computed once per page)."""

    vorgang = forms.TypedChoiceField(label=_("Target Vorgang"), coerce=int)

    def __init__(self, *args: Any, choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["vorgang"]).choices = [("", _EMPTY), *choices]


class AkteSearchForm(forms.Form):
    """The search above the list of Akten (GET; invalid input falls back to the whole list)."""

    q = forms.CharField(
        label=_("Aktenzeichen or title"),
        max_length=200,
        required=False,
        widget=forms.SearchInput(attrs={"class": "kern-form-input__input"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("all")), *AktenStatus.choices],
        required=False,
        widget=forms.Select(attrs={"class": "kern-form-input__select"}),
    )

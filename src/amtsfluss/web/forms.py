"""Forms of the pages: they clean input; the services decide. Widgets carry KERN classes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsfluss.core.models import User
from amtsfluss.core.permissions import Action, Principal, permitted

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: KERN class of each kind of widget, by ``input_type`` (selects and checkboxes differ).
_WIDGET_CLASSES = {
    "select": "kern-form-input__select",
    "checkbox": "kern-form-check__checkbox",
}
_INPUT_CLASS = "kern-form-input__input"


class KernForm(forms.Form):
    """A form whose widgets carry the KERN classes, and their error variants after validation.

    Django itself links each input to its help text (``<id>_helptext``) and its errors
    (``<id>_error``) with ``aria-describedby``; ``web/includes/field.html`` renders those ids.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            kind = getattr(field.widget, "input_type", "text")
            field.widget.attrs["class"] = _WIDGET_CLASSES.get(kind, _INPUT_CLASS)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", _INPUT_CLASS).split()
                error_class = f"{classes[0]}--error"
                if error_class not in classes:
                    widget.attrs["class"] = " ".join([*classes, error_class])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (``<input type=file multiple>``).

    Cleaning only asks for at least one file: each file is then judged on its own (an empty or
    hostile file is refused with its reason while the rest of the batch goes on).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class LoginForm(KernForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def refuse(self, message: str) -> None:
        """Show a refusal of the credentials as a whole: both inputs point at the alert."""
        self.add_error(None, message)
        for field in self.fields.values():
            field.widget.attrs["aria-describedby"] = "login-error"
            field.widget.attrs["aria-invalid"] = "true"


class TokenForm(KernForm):
    token = forms.CharField(
        label=_("Six-digit code"),
        help_text=_("The code your authenticator app shows right now."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs["class"] += f" {_INPUT_CLASS}--width-4"

    def clean_token(self) -> str:
        token = re.sub(r"\s+", "", self.cleaned_data["token"])
        if not re.fullmatch(r"\d{6}", token):
            raise forms.ValidationError(_("Enter the six digits of the code."), code="format")
        return token


class _StaffChoiceField(forms.ModelChoiceField[User]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(empty_label=_("Please choose"), **kwargs)

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.username})" if obj.get_full_name() else obj.username


def _datetime_field(label: StrOrPromise) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class VertretungForm(KernForm):
    """Arrange a Vertretung; the choices are the staff the principal may see, nobody else."""

    vertretene_person = _StaffChoiceField(
        label=_("Represented person"),
        help_text=_("The person who is absent."),
        queryset=User.objects.none(),
    )
    vertretung = _StaffChoiceField(
        label=_("Deputy"),
        help_text=_("The person who acts with the absent person's rights."),
        queryset=User.objects.none(),
    )
    valid_from = _datetime_field(_("From"))
    valid_until = _datetime_field(_("Until"))
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("For example: holiday, training."),
        max_length=200,
        required=False,
    )

    def __init__(self, *args: Any, principal: Principal, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"vertretene_person": principal.user.pk})
        super().__init__(*args, **kwargs)
        staff = (
            permitted(User, principal=principal, action=Action.VIEW)
            .filter(is_active=True)
            .order_by("last_name", "first_name", "username")
        )
        for name in ("vertretene_person", "vertretung"):
            cast(_StaffChoiceField, self.fields[name]).queryset = staff

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start is not None and end is not None and end <= start:
            self.add_error("valid_until", _("The end of a Vertretung must lie after its start."))
        return cleaned


#: One label of a DNS name; the whole name is at most 253 characters (RFC 1035).
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def parse_hosts(text: str) -> list[str]:
    """Host names, one per line or separated by commas or spaces; lower case, no duplicates."""
    hosts: list[str] = []
    for raw in re.split(r"[\s,]+", text.strip()):
        host = raw.strip().lower().rstrip(".")
        if not host:
            continue
        if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in host.split(".")):
            raise forms.ValidationError(
                _("“%(host)s” is not a valid host name."), code="host", params={"host": raw}
            )
        if host not in hosts:
            hosts.append(host)
    if not hosts:
        raise forms.ValidationError(_("Enter at least one host name."), code="required")
    return hosts


class _MandantFields(KernForm):
    name = forms.CharField(
        label=_("Name"),
        help_text=_("As citizens know it, for example “Stadt Musterstadt”."),
        max_length=200,
    )
    hosts = forms.CharField(
        label=_("Host names"),
        help_text=_("One per line, for example service.musterstadt.de."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_hosts(self) -> list[str]:
        return parse_hosts(self.cleaned_data["hosts"])


class MandantCreateForm(_MandantFields):
    slug = forms.SlugField(
        label=_("Short name"),
        help_text=_("Lower-case letters, digits and hyphens; cannot be changed later."),
        max_length=63,
    )
    is_default = forms.BooleanField(
        label=_("Default Mandant (answers host names that belong to no Mandant)"),
        required=False,
    )

    field_order = ["name", "slug", "hosts", "is_default"]


class MandantUpdateForm(_MandantFields):
    is_active = forms.BooleanField(label=_("Active"), required=False)

"""Labels the engine itself shows (the definition's own texts are the Mandant's data)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ADDRESS_LABELS = {
    "strasse": _("Street and house number"),
    "zusatz": _("Address line 2"),
    "plz": _("Postcode"),
    "ort": _("Town"),
}

"""Language of stored text."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def stored_text(message: str) -> str:
    """``message`` translated into the administration's language (``LANGUAGE_CODE``).

    For text that becomes data — a Dokument's title, a Vorgang's Betreff, a Wiedervorlage's
    note — and so must not depend on the language of the request or API client that caused it.
    Mark the literal with ``gettext_noop`` so that makemessages finds it.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)

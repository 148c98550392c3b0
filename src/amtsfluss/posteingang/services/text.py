"""Where the extracted text goes: the search app's ``Dokumenttext`` when it is installed,
otherwise the Eingang row (so nothing is lost until the search app arrives)."""

from __future__ import annotations

import re

from django.apps import apps
from django.db.models import Model

from amtsfluss.akte.models import Dokumentversion

_GERMAN = frozenset(
    "der die das und ist nicht mit für auf den dem sie ein eine ihr wir".split()  # noqa: SIM905
)
_ENGLISH = frozenset("the and is not with for on you your we a an of to".split())  # noqa: SIM905
_WORD = re.compile(r"\w+")


def guess_language(text: str) -> str:
    """``deu`` or ``eng`` (Tesseract's codes, as the search app keeps them) by counting
    frequent function words of the first 20,000 characters."""
    words = [w.lower() for w in _WORD.findall(text[:20_000])]
    german = sum(1 for w in words if w in _GERMAN)
    english = sum(1 for w in words if w in _ENGLISH)
    return "eng" if english > german else "deu"


def search_text_model() -> type[Model] | None:
    try:
        return apps.get_model("suche", "Dokumenttext")
    except LookupError:
        return None


def store_text(dokumentversion: Dokumentversion, text: str, source: str) -> bool:
    """Keep ``text`` (from ``source``: textlayer, ocr, office, mail) of a version just filed
    for the search; False when the search app is not installed — the Eingang keeps it then."""
    model = search_text_model()
    if model is None:
        return False
    text = text.replace("\x00", "")
    fields: dict[str, object] = {"text": text, "source": source, "language": guess_language(text)}
    if any(field.name == "mandant" for field in model._meta.get_fields()):
        fields["mandant_id"] = dokumentversion.mandant_id
    model._default_manager.create(dokumentversion=dokumentversion, **fields)
    return True

"""Drafts by their link: the only way to reach one."""

from __future__ import annotations

import re

from django.http import Http404
from django.utils import timezone

from amtsfluss.core.models import Mandant
from amtsfluss.dienste.formdef.loader import load
from amtsfluss.dienste.formdef.model import Definition
from amtsfluss.dienste.models import Entwurf, Formularversion
from amtsfluss.dienste.services.entwurf import token_hash

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
_CACHE_SIZE = 128
_DEFINITIONS: dict[tuple[int, str], Definition] = {}


def access_entwurf(*, mandant: Mandant, token: str) -> Entwurf:
    """The Mandant's unexpired draft with this token; anything else (unknown, guessed, expired,
    another Mandant's) is 404 — the same answer, so a guess learns nothing."""
    if not _TOKEN.fullmatch(token):
        raise Http404
    found = (
        Entwurf.objects.filter(
            mandant=mandant, token_hash=token_hash(token), gueltig_bis__gt=timezone.now()
        )
        .select_related("formularversion__formular__leistung")
        .first()
    )
    if found is None:
        raise Http404
    return found


def definition_of(version: Formularversion) -> Definition:
    """The checked definition of a version, cached by version and content hash (a published
    version never changes; a changed unpublished one has another hash)."""
    key = (version.pk, version.sha256)
    found = _DEFINITIONS.get(key)
    if found is None:
        found = load(version.definition)
        if len(_DEFINITIONS) >= _CACHE_SIZE:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = found
    return found

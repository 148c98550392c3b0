"""What every public page of the online services needs: the Mandant of the host name."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from amtsfluss.core.models import Mandant


def public_mandant(request: HttpRequest) -> Mandant:
    """The Mandant whose public site this host name serves (the middleware has set it)."""
    mandant = getattr(request, "mandant", None)
    if not isinstance(mandant, Mandant):
        raise Http404
    return mandant

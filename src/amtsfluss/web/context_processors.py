from __future__ import annotations

from django.http import HttpRequest


def mandant(request: HttpRequest) -> dict[str, object]:
    return {"mandant": getattr(request, "mandant", None)}

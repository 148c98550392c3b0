"""Uploads on the pages: the limiting upload handler goes first, before anything reads the body.

Django's CSRF check reads the body (the token is a form field), so a limit installed in the
view would come too late; Django's documentation therefore has the view ``csrf_exempt`` and the
check run inside, after the handler is in place. A body the handler refused to read lacks its
token too: the page then answers with the handler's reason (413), not with a CSRF refusal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt, csrf_protect

type View = Callable[..., HttpResponse]
type GuardedView = Callable[..., HttpResponseBase]


def first_upload_handler[H: FileUploadHandler](request: HttpRequest, handler: H) -> H:
    """Put ``handler`` first among the request's upload handlers (before the body is read)."""
    if hasattr(request, "_files"):
        raise RuntimeError("the upload was read before its limits were installed")
    request.upload_handlers.insert(0, handler)
    return handler


def limit_before_csrf[H: FileUploadHandler](
    install: Callable[[HttpRequest], H],
    refused: Callable[[HttpRequest, H], HttpResponseBase | None],
) -> Callable[[View], GuardedView]:
    """Decorator: on POST, ``install(request)`` puts the limiting handler first, then the CSRF
    check and the view run; a CSRF refusal becomes ``refused(request, handler)`` when that
    answers (the handler did not read the body)."""

    def decorate(view: View) -> GuardedView:
        protected = csrf_protect(view)

        @csrf_exempt
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method != "POST":
                return protected(request, *args, **kwargs)
            handler = install(request)
            response = protected(request, *args, **kwargs)
            if response.status_code == 403:
                return refused(request, handler) or response
            return response

        return guarded

    return decorate

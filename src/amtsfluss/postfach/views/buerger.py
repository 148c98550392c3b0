"""The applicant's side of the Postfach, reached only through the Antrag's status token.

``dienste`` owns the status page ``/dienste/status/<token>/``; it includes the partial
``postfach/_buerger.html`` with the context of :func:`postfach_context`. The answer form posts
to :func:`antwort` and the downloads go through :func:`dokument` — both resolve the Vorgang
from the token first (``dienste.selectors.antrag.antrag_by_token``: 404 otherwise), so one
applicant never reaches another's messages. Downloads are limited to Dokumente attached to
messages sent to the applicant of that Vorgang.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.akte.models import AktenStatus, Dokumentversion, Vorgang
from amtsfluss.api.downloads import verified_blob_response
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models.audit import Outcome
from amtsfluss.core.services.technical_users import technical_principal
from amtsfluss.dienste.selectors.antrag import antrag_by_token
from amtsfluss.dienste.views.common import public_mandant
from amtsfluss.posteingang.uploads import (
    BatchLimitHandler,
    batch_limit_of,
    batch_too_large_message,
    install_batch_limit,
)
from amtsfluss.postfach.forms import FILES_FIELD, AntwortForm
from amtsfluss.postfach.selectors import buerger_dokumentversion, nachrichten_for_vorgang
from amtsfluss.postfach.services import antwort_empfangen, nachrichten_zugestellt
from amtsfluss.web.schutz.ratelimit import ratelimited
from amtsfluss.web.uploads import limit_before_csrf

logger = logging.getLogger(__name__)

#: answers per client address (a person answers a Rückfrage a few times, a bot many)
ANTWORT_RATE = "20/h"


def vorgang_for_token(request: HttpRequest, token: str) -> Vorgang:
    """The Vorgang of the Antrag whose status link is ``token`` in the request's Mandant."""
    mandant = public_mandant(request)
    vorgang = antrag_by_token(mandant=mandant, token=token).vorgang
    if vorgang.mandant_id != mandant.pk:  # an Antrag and its Vorgang share the Mandant
        raise Http404
    return vorgang


def status_url(token: str) -> str:
    try:
        return reverse("dienste:status", args=[token])
    except NoReverseMatch:
        return f"/dienste/status/{token}/"


def postfach_context(
    request: HttpRequest, *, vorgang: Vorgang, token: str, form: AntwortForm | None = None
) -> dict[str, Any]:
    """Context of ``postfach/_buerger.html`` for the status page of ``vorgang`` (reached by
    ``token``). Showing the messages to the applicant marks them read."""
    nachrichten = list(nachrichten_for_vorgang(vorgang))
    nachrichten_zugestellt(vorgang=vorgang)
    offen = vorgang.akte.status == AktenStatus.OFFEN
    return {
        "postfach_url": reverse("postfach-buerger:postfach", args=[token]),
        "postfach_nachrichten": nachrichten,
        "postfach_form": (form or AntwortForm(prefix="antwort")) if offen else None,
        "postfach_antwort_url": reverse("postfach-buerger:antwort", args=[token]),
        "postfach_token": token,
    }


def _page(
    request: HttpRequest, vorgang: Vorgang, token: str, form: AntwortForm, status: int
) -> HttpResponse:
    context = postfach_context(request, vorgang=vorgang, token=token, form=form)
    context["status_url"] = status_url(token)
    return render(request, "postfach/buerger.html", context, status=status)


def _too_large(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "postfach/abgelehnt.html",
        {"message": batch_too_large_message()},
        status=413,
    )


def _unread(request: HttpRequest, handler: BatchLimitHandler) -> HttpResponse | None:
    return _too_large(request) if handler.body_too_large else None


with_batch_limit = limit_before_csrf(
    lambda request: install_batch_limit(request, f"antwort-{FILES_FIELD}"), _unread
)


@never_cache
@require_GET
def postfach(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's Postfach on a page of its own (the status page includes the same part;
    an answer with errors is shown here again)."""
    vorgang = vorgang_for_token(request, token)
    return _page(request, vorgang, token, AntwortForm(prefix="antwort"), status=200)


def _receive(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's answer: text and files into the same Vorgang; back to the status page."""
    vorgang = vorgang_for_token(request, token)
    batch = batch_limit_of(request)
    form = AntwortForm(request.POST, request.FILES, prefix="antwort", batch=batch)
    if batch is not None and batch.body_too_large:
        return _too_large(request)
    if form.is_valid():
        try:
            antwort_empfangen(
                vorgang=vorgang,
                text=form.cleaned_data["text"],
                dateien=form.cleaned_data[FILES_FIELD],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your answer has been sent."))
            return HttpResponseRedirect(status_url(token) + "#postfach")
    return _page(request, vorgang, token, form, status=400)


#: The rate limit first (it reads nothing), then the upload limits, CSRF, the answer.
antwort = never_cache(
    require_POST(
        ratelimited("postfach.antwort", ANTWORT_RATE)(
            cast(Callable[..., HttpResponse], with_batch_limit(_receive))
        )
    )
)


def _audit(vorgang: Vorgang, version: Dokumentversion, outcome: str, **details: Any) -> None:
    actor = technical_principal(vorgang.mandant, prefix="postfach", display_name="Postfach")
    audit.record(
        mandant=vorgang.mandant,
        actor=actor.user,
        action="postfach.download",
        object_type="akte.dokument",
        object_id=str(version.dokument_id),
        outcome=outcome,
        details={"vorgang": vorgang.pk, "version": version.pk, **details},
    )


@never_cache
@require_GET
def dokument(request: HttpRequest, token: str, pk: int) -> HttpResponseBase:
    """A Dokument sent to the applicant, as an attachment (verified while it is sent)."""
    vorgang = vorgang_for_token(request, token)
    version = buerger_dokumentversion(vorgang=vorgang, dokument_pk=pk)
    if version is None:
        raise Http404

    def failed(exc: Exception) -> None:
        logger.error("Postfach download of Dokumentversion %s failed: %s", version.pk, exc)
        _audit(vorgang, version, Outcome.FAILURE, reason=type(exc).__name__)

    return verified_blob_response(
        blob=version.blob,
        filename=version.dateiname,
        media_type=version.media_type,
        on_success=lambda: _audit(vorgang, version, Outcome.SUCCESS, sha256=version.blob.sha256),
        on_failure=failed,
    )

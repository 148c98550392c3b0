"""Filling in an application: start a draft, its steps, the summary (submission: ``status``).

A draft started by a signed-in citizen begins with their profile's details (``prefill``).

Every page of a draft is reached only through its link (``access_entwurf``: unknown, expired
or another Mandant's token → 404) and is never cached. Buttons of a step (``aktion``):
``weiter`` checks and saves, ``zurueck`` and ``speichern`` save without blocking on problems,
``add:<group>`` and ``remove:<group>:<n>`` change a repeatable group — all without JavaScript.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from amtsfluss.api.downloads import UploadLimitHandler
from amtsfluss.core.errors import ServiceError
from amtsfluss.dienste.formdef.evaluate import Evaluation, evaluate
from amtsfluss.dienste.formdef.keys import html_id
from amtsfluss.dienste.formdef.model import Definition, FieldType, Step
from amtsfluss.dienste.formdef.raw import read_step
from amtsfluss.dienste.formdef.render import step_view
from amtsfluss.dienste.models import Entwurf
from amtsfluss.dienste.prefill import prefill_entries
from amtsfluss.dienste.selectors.entwurf import access_entwurf, definition_of
from amtsfluss.dienste.selectors.katalog import access_published_leistung, current_version
from amtsfluss.dienste.services import entwurf as drafts
from amtsfluss.dienste.services.antrag_dokumente import lesefassung
from amtsfluss.dienste.views.common import public_mandant
from amtsfluss.konto.selectors import prefill_for
from amtsfluss.web.schutz import pow
from amtsfluss.web.uploads import first_upload_handler, limit_before_csrf

MAX_ACTION = 100
MAX_UPLOAD_MEGABYTES = 100  # the largest ``max_megabytes`` a form may give a file field
#: proof of work and rate limit of sending an application (``status.einreichen``)
SUBMIT_SCOPE = "dienste.antrag"


@never_cache
@require_http_methods(["GET", "POST"])
def antrag_start(request: HttpRequest, leika: str) -> HttpResponse:
    leistung = access_published_leistung(mandant=public_mandant(request), leika=leika)
    version = current_version(leistung=leistung)
    if version is None:
        raise Http404
    definition = definition_of(version)
    if request.method == "POST":
        profile = prefill_for(request)  # empty without a signed-in citizen of this Mandant
        entries = prefill_entries(definition, profile) if profile else None
        _entwurf, token = drafts.entwurf_create(version=version, entries=entries)
        return HttpResponseRedirect(reverse("dienste:schritt", args=[token, 1]))
    return render(
        request,
        "dienste/antrag_start.html",
        {
            "leistung": leistung,
            "steps": definition.steps,
            "gueltig_tage": drafts.ENTWURF_GUELTIG_TAGE,
        },
    )


def _evaluate(entwurf: Entwurf, definition: Definition) -> Evaluation:
    return evaluate(definition, entwurf.daten, entwurf.wiederholungen, today=timezone.localdate())


def _install_limit(request: HttpRequest) -> UploadLimitHandler:
    limit = min(settings.AMTSFLUSS_MAX_UPLOAD_BYTES, MAX_UPLOAD_MEGABYTES * drafts.MEGABYTE)
    return first_upload_handler(request, UploadLimitHandler(request, limit))


def _unread(request: HttpRequest, handler: UploadLimitHandler) -> HttpResponse | None:
    """A body declared far beyond the limit was not read (nor its CSRF token): say why."""
    if not handler.exceeded:
        return None
    messages.error(request, _("The file is too large; nothing of this step was saved."))
    return HttpResponseRedirect(request.path)


def _cut_off(request: HttpRequest) -> bool:
    return any(
        isinstance(handler, UploadLimitHandler) and handler.exceeded
        for handler in request.upload_handlers
    )


def _store_files(request: HttpRequest, entwurf: Entwurf, step: Step) -> tuple[Entwurf, bool]:
    """Keep the files posted for the step's (top-level) file fields; problems as messages."""
    ok = True
    for item in step.fields:
        if item.type != FieldType.FILE:
            continue
        for upload in request.FILES.getlist(item.id)[: drafts.MAX_FILES_PER_FIELD]:
            try:
                entwurf = drafts.entwurf_datei_add(
                    entwurf=entwurf,
                    field=item,
                    filename=upload.name or "",
                    data=upload.read(drafts.file_limit(item) + 1),
                )
            except ServiceError as exc:
                messages.error(request, f"{upload.name}: {exc.message}")
                ok = False
    return entwurf, ok


@never_cache
@limit_before_csrf(_install_limit, _unread)
@require_http_methods(["GET", "POST"])
def schritt(request: HttpRequest, token: str, schritt: int) -> HttpResponse:
    entwurf = access_entwurf(mandant=public_mandant(request), token=token)
    definition = definition_of(entwurf.formularversion)
    index = schritt - 1
    if not 0 <= index < len(definition.steps):
        raise Http404
    step = definition.steps[index]
    show_problems = False
    if request.method == "POST":
        here = reverse("dienste:schritt", args=[token, schritt])
        if _cut_off(request):  # the rest of the form was not read either: keep what was saved
            messages.error(request, _("The file is too large; nothing of this step was saved."))
            return HttpResponseRedirect(here)
        entwurf, files_ok = _store_files(request, entwurf, step)
        action = request.POST.get("aktion", "weiter")[:MAX_ACTION]
        entries = read_step(step, request.POST, entwurf.wiederholungen)
        merged = drafts.merge_step(entwurf, step, entries)
        evaluation = evaluate(
            definition, merged, entwurf.wiederholungen, today=timezone.localdate()
        )
        complete = not evaluation.step_problems.get(index)
        entwurf = drafts.entwurf_save_step(
            entwurf=entwurf, step=step, entries=entries, complete=complete
        )
        if action.startswith("datei-entfernen:"):
            return _remove_file(entwurf, step, action, here)
        if not files_ok:
            return HttpResponseRedirect(here)
        redirect = _after(request, entwurf, definition, token, index, action, complete)
        if redirect is not None:
            return redirect
        show_problems = True
    evaluation = _evaluate(entwurf, definition)
    view = step_view(
        definition,
        index,
        entwurf.daten,
        entwurf.wiederholungen,
        evaluation,
        show_problems=show_problems,
    )
    return render(
        request,
        "dienste/schritt.html",
        {
            "leistung": entwurf.formularversion.formular.leistung,
            "definition": definition,
            "step": step,
            "number": schritt,
            "total": len(definition.steps),
            "view": view,
            "token": token,
            "link": request.build_absolute_uri(reverse("dienste:schritt", args=[token, schritt])),
            "gueltig_bis": entwurf.gueltig_bis,
        },
    )


def _after(
    request: HttpRequest,
    entwurf: Entwurf,
    definition: Definition,
    token: str,
    index: int,
    action: str,
    complete: bool,
) -> HttpResponse | None:
    """Where a posted step leads; None: show the step again with its problems."""
    here = reverse("dienste:schritt", args=[token, index + 1])
    if action == "zurueck":
        return HttpResponseRedirect(reverse("dienste:schritt", args=[token, max(index, 1)]))
    if action == "speichern":
        messages.success(
            request, _("Your entries are saved. Keep the link of this page to continue later.")
        )
        return HttpResponseRedirect(here)
    if action.startswith(("add:", "remove:")):
        return _change_group(request, entwurf, definition, action, here)
    if action != "weiter" or not complete:
        return None
    if index + 1 < len(definition.steps):
        return HttpResponseRedirect(reverse("dienste:schritt", args=[token, index + 2]))
    return HttpResponseRedirect(reverse("dienste:zusammenfassung", args=[token]))


def _remove_file(entwurf: Entwurf, step: Step, action: str, here: str) -> HttpResponse:
    _verb, _sep, rest = action.partition(":")
    field_id, _sep, number = rest.partition(":")
    item = next((f for f in step.fields if f.id == field_id and f.type == FieldType.FILE), None)
    if item is None or not number.isdigit() or len(number) > 3:
        raise Http404
    drafts.entwurf_datei_remove(entwurf=entwurf, field=item, number=int(number))
    return HttpResponseRedirect(f"{here}#{html_id(item.id)}")


def _change_group(
    request: HttpRequest, entwurf: Entwurf, definition: Definition, action: str, here: str
) -> HttpResponse:
    verb, _sep, rest = action.partition(":")
    group_id, _sep, number = rest.partition(":")
    group = definition.by_id.get(group_id)
    if group is None or group.type != FieldType.GROUP or not group.repeatable:
        raise Http404
    try:
        if verb == "add":
            drafts.entwurf_add_item(entwurf=entwurf, group=group)
        elif number.isdigit() and len(number) < 4:
            drafts.entwurf_remove_item(entwurf=entwurf, group=group, number=int(number))
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(f"{here}#f-{group_id}")


@never_cache
@require_http_methods(["GET"])
def zusammenfassung(request: HttpRequest, token: str) -> HttpResponse:
    entwurf = access_entwurf(mandant=public_mandant(request), token=token)
    return summary_page(request, entwurf, token, pow.challenge_for(request, SUBMIT_SCOPE))


def summary_page(
    request: HttpRequest,
    entwurf: Entwurf,
    token: str,
    challenge: pow.Challenge,
    *,
    problem: str = "",
) -> HttpResponse:
    """The summary with every entry, the fee and the send button (with its proof of work);
    ``problem``: why the last send was not accepted."""
    definition = definition_of(entwurf.formularversion)
    evaluation = _evaluate(entwurf, definition)
    incomplete = evaluation.first_incomplete_step()
    leistung = entwurf.formularversion.formular.leistung
    fassung = lesefassung(leistung, definition, evaluation)
    return render(
        request,
        "dienste/zusammenfassung.html",
        {
            "leistung": leistung,
            "steps": fassung.steps,
            "incomplete": None if incomplete is None else incomplete + 1,
            "incomplete_title": None if incomplete is None else definition.steps[incomplete].title,
            "token": token,
            "fee_lines": fassung.fee_lines,
            "fee_total": fassung.fee_total,
            "gueltig_bis": entwurf.gueltig_bis,
            "pow": challenge,
            "problem": problem,
        },
    )

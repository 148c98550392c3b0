"""Filling in an application: start a draft, its steps, the summary (no submission yet).

Every page of a draft is reached only through its link (``access_entwurf``: unknown, expired
or another Mandant's token → 404) and is never cached. Buttons of a step (``aktion``):
``weiter`` checks and saves, ``zurueck`` and ``speichern`` save without blocking on problems,
``add:<group>`` and ``remove:<group>:<n>`` change a repeatable group — all without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from amtsfluss.core.errors import ServiceError
from amtsfluss.dienste import gebuehren
from amtsfluss.dienste.formdef.evaluate import Evaluation, evaluate
from amtsfluss.dienste.formdef.model import Definition, FieldType
from amtsfluss.dienste.formdef.raw import read_step
from amtsfluss.dienste.formdef.render import step_view
from amtsfluss.dienste.formdef.summary import summarize
from amtsfluss.dienste.models import Entwurf
from amtsfluss.dienste.selectors.entwurf import access_entwurf, definition_of
from amtsfluss.dienste.selectors.katalog import access_published_leistung, current_version
from amtsfluss.dienste.services import entwurf as drafts
from amtsfluss.dienste.views.common import public_mandant

MAX_ACTION = 100


@never_cache
@require_http_methods(["GET", "POST"])
def antrag_start(request: HttpRequest, leika: str) -> HttpResponse:
    leistung = access_published_leistung(mandant=public_mandant(request), leika=leika)
    version = current_version(leistung=leistung)
    if version is None:
        raise Http404
    if request.method == "POST":
        _entwurf, token = drafts.entwurf_create(version=version)
        return HttpResponseRedirect(reverse("dienste:schritt", args=[token, 1]))
    definition = definition_of(version)
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


@never_cache
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
    definition = definition_of(entwurf.formularversion)
    evaluation = _evaluate(entwurf, definition)
    incomplete = evaluation.first_incomplete_step()
    leistung = entwurf.formularversion.formular.leistung
    fee = gebuehren.compute(
        gebuehren.check_rule(leistung.gebuehr, definition=None), evaluation.values
    )
    return render(
        request,
        "dienste/zusammenfassung.html",
        {
            "leistung": leistung,
            "steps": summarize(definition, evaluation),
            "incomplete": None if incomplete is None else incomplete + 1,
            "incomplete_title": None if incomplete is None else definition.steps[incomplete].title,
            "token": token,
            "fee_lines": [(label, gebuehren.money(amount)) for label, amount in fee.lines],
            "fee_total": gebuehren.money(fee.total),
            "gueltig_bis": entwurf.gueltig_bis,
        },
    )

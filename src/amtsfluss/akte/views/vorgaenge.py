"""The Vorgang page: its data and their change, its Dokumente with versions, the PDF view,
uploads, moving a Dokument or the whole Vorgang, and Wiedervorlagen.

Like the Akte page, each action has its own URL; a form with errors re-renders the page with
that form and its messages (uploads over the size limit answer 413 with the service's message).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amtsfluss.akte.access import access_akte, access_dokument, access_vorgang
from amtsfluss.akte.forms import (
    DokumentCreateForm,
    DokumentMoveForm,
    VersionForm,
    VorgangMoveForm,
    VorgangUpdateForm,
    WiedervorlageForm,
)
from amtsfluss.akte.models import (
    AktenStatus,
    Dokument,
    Dokumentversion,
    Rendition,
    Vorgang,
    Wiedervorlage,
)
from amtsfluss.akte.selectors.akte import vorgang_dokumente
from amtsfluss.akte.services.dokument import dokument_create, dokument_move, dokumentversion_add
from amtsfluss.akte.services.vorgang import vorgang_move, vorgang_update
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.akte.views.common import (
    active_staff,
    all_units,
    back_to,
    may_change_akte,
    staff_of_unit,
)
from amtsfluss.akte.views.files import (
    is_viewable,
    media_type_of,
    too_large_message,
    upload_exceeded,
    with_upload_limit,
)
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.permissions import Action, Principal
from amtsfluss.web.access import staff_principal


@dataclass(frozen=True)
class DokumentRow:
    dokument: Dokument
    versionen: list[Dokumentversion]
    """All versions, newest first (original before its PDF/A rendition)."""
    viewable: Dokumentversion | None
    """The current version the browser can show: the PDF/A rendition, else a PDF original."""
    version_form: forms.Form
    move_form: forms.Form | None
    opened: str | None
    """Which of the Dokument's forms to show open (the one that failed)."""

    @property
    def version_anchor(self) -> str:
        return f"version-{self.dokument.pk}"

    @property
    def move_anchor(self) -> str:
        return f"dokument-verschieben-{self.dokument.pk}"


def _viewable(versionen: list[Dokumentversion]) -> Dokumentversion | None:
    current = [v for v in versionen if v.ist_aktuell and is_viewable(v)]
    current.sort(key=lambda v: v.rendition != Rendition.ARCHIV)
    return current[0] if current else None


def _move_choices(vorgang: Vorgang) -> list[tuple[Any, str]]:
    """The other Vorgänge of the same Akte, as choices (one query, shared by every Dokument)."""
    return [
        (pk, f"{betreff} ({eingang:%d.%m.%Y})")
        for pk, betreff, eingang in Vorgang.objects.filter(akte_id=vorgang.akte_id)
        .exclude(pk=vorgang.pk)
        .order_by("eingangsdatum", "pk")
        .values_list("pk", "betreff", "eingangsdatum")
    ]


def _version_form(dokument_pk: int, data: Any = None, files: Any = None) -> VersionForm:
    return VersionForm(data, files, prefix=f"version-{dokument_pk}")


def _dokument_move_form(
    dokument_pk: int, choices: list[tuple[Any, str]], data: Any = None
) -> DokumentMoveForm:
    return DokumentMoveForm(data, choices=choices, prefix=f"dokument-{dokument_pk}")


def _vorgang_forms(
    principal: Principal,
    vorgang: Vorgang,
    data: Any = None,
    files: Any = None,
    only: str | None = None,
) -> dict[str, forms.Form]:
    def bound(name: str) -> dict[str, Any]:
        return {"data": data if name == only else None, "files": files if name == only else None}

    return {
        "update_form": VorgangUpdateForm(
            staff=staff_of_unit(principal, vorgang.bearbeitende_oe_id, keep=vorgang.bearbeiter_id),
            initial={
                "status": vorgang.status,
                "bearbeiter": vorgang.bearbeiter_id,
                "frist": vorgang.frist,
            },
            prefix="bearbeiten",
            **bound("update_form"),
        ),
        "dokument_form": DokumentCreateForm(prefix="dokument", **bound("dokument_form")),
        "move_form": VorgangMoveForm(
            principal=principal, prefix="verschieben", **bound("move_form")
        ),
        "wiedervorlage_form": WiedervorlageForm(
            staff=active_staff(principal),
            units=all_units(principal),
            prefix="wv",
            **bound("wiedervorlage_form"),
        ),
    }


def _render_vorgang(
    request: HttpRequest,
    principal: Principal,
    pk: int,
    *,
    bound: dict[str, forms.Form] | None = None,
    dokument_forms: dict[tuple[int, str], forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The Vorgang page; ``dokument_forms``: (Dokument id, "version"|"move") → a failed form."""
    vorgang = access_vorgang(principal, pk)
    may_change = may_change_akte(principal, vorgang.akte_id)
    akte_open = vorgang.akte.status != AktenStatus.ZDA
    dokumente = vorgang_dokumente(vorgang=vorgang)
    choices = _move_choices(vorgang) if may_change and akte_open and dokumente else []
    failed = dokument_forms or {}
    rows = []
    for dokument in dokumente:
        versionen = list(dokument.versionen.all())
        version_form = failed.get((dokument.pk, "version"))
        if version_form is None:
            version_form = _version_form(dokument.pk)
        move_form = failed.get((dokument.pk, "move"))
        if move_form is None and choices:
            move_form = _dokument_move_form(dokument.pk, choices)
        opened = next((kind for (pk_, kind) in failed if pk_ == dokument.pk), None)
        rows.append(
            DokumentRow(dokument, versionen, _viewable(versionen), version_form, move_form, opened)
        )
    pdfs = {v.pk: v for row in rows for v in row.versionen if is_viewable(v)}
    wanted = request.GET.get("ansicht", "")
    shown = pdfs.get(int(wanted)) if wanted.isdigit() else None
    if shown is None:
        shown = next((row.viewable for row in rows if row.viewable is not None), None)
    page_forms = _vorgang_forms(principal, vorgang)
    page_forms.update(bound or {})
    return render(
        request,
        "akte/vorgang.html",
        {
            "vorgang": vorgang,
            "akte": vorgang.akte,
            "may_change": may_change,
            "akte_open": akte_open,
            # a form that failed is shown with its message, even if the Akte was closed meanwhile
            "show_actions": may_change and (akte_open or bool(bound) or bool(failed)),
            "rows": rows,
            "shown": shown,
            "viewable_ids": set(pdfs),
            "wiedervorlagen": [
                (row, may_change, None)
                for row in Wiedervorlage.objects.filter(vorgang=vorgang, erledigt_am__isnull=True)
                .select_related("fuer_user", "fuer_oe")
                .order_by("faellig_am", "pk")
            ],
            "opened": next(iter(bound or {}), None),
            "today": timezone.localdate(),
            **page_forms,
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def vorgang(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_vorgang(request, staff_principal(request), pk)


def _back(vorgang_pk: int) -> HttpResponse:
    return back_to("akte:vorgang", vorgang_pk)


@never_cache
@login_required
@require_POST
def vorgang_bearbeiten(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    vorgang = access_vorgang(principal, pk, Action.CHANGE)
    form = _vorgang_forms(principal, vorgang, request.POST, only="update_form")["update_form"]
    if form.is_valid():
        bearbeiter = form.cleaned_data["bearbeiter"]
        try:
            vorgang_update(
                principal=principal,
                vorgang=vorgang,
                status=form.cleaned_data["status"],
                bearbeiter=bearbeiter,
                unassign=bearbeiter is None and vorgang.bearbeiter_id is not None,
                frist=form.cleaned_data["frist"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The Vorgang has been saved."))
            return _back(vorgang.pk)
    return _render_vorgang(request, principal, vorgang.pk, bound={"update_form": form}, status=400)


@never_cache
@login_required
@require_POST
def vorgang_verschieben(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the Vorgang into another Akte, named by its Aktenzeichen (both must be open)."""
    principal = staff_principal(request)
    vorgang = access_vorgang(principal, pk, Action.CHANGE)
    form = _vorgang_forms(principal, vorgang, request.POST, only="move_form")["move_form"]
    if form.is_valid():
        target = access_akte(principal, form.cleaned_data["aktenzeichen"], Action.CHANGE)
        try:
            vorgang_move(principal=principal, vorgang=vorgang, target=target)
        except ServiceError as exc:
            form.add_error("aktenzeichen", exc.message)
        else:
            messages.success(request, _("The Vorgang is now in the Akte %s.") % target.aktenzeichen)
            return _back(vorgang.pk)
    return _render_vorgang(request, principal, vorgang.pk, bound={"move_form": form}, status=400)


@never_cache
@login_required
@require_POST
def wiedervorlage_neu(request: HttpRequest, pk: int) -> HttpResponse:
    principal = staff_principal(request)
    vorgang = access_vorgang(principal, pk)
    form = _vorgang_forms(principal, vorgang, request.POST, only="wiedervorlage_form")[
        "wiedervorlage_form"
    ]
    if form.is_valid():
        try:
            wiedervorlage_create(principal=principal, vorgang=vorgang, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The Wiedervorlage has been set."))
            return _back(vorgang.pk)
    return _render_vorgang(
        request, principal, vorgang.pk, bound={"wiedervorlage_form": form}, status=400
    )


@never_cache
@login_required
@require_POST
@with_upload_limit
def dokument_neu(request: HttpRequest, pk: int) -> HttpResponse:
    """File a new Dokument with its first version (multipart)."""
    principal = staff_principal(request)
    vorgang = access_vorgang(principal, pk, Action.CHANGE)
    form = _vorgang_forms(principal, vorgang, request.POST, request.FILES, only="dokument_form")[
        "dokument_form"
    ]
    status = 400
    if upload_exceeded(request):
        form.add_error("datei", too_large_message())
        status = 413
    elif form.is_valid():
        upload = form.cleaned_data.pop("datei")
        name = upload.name or ""
        try:
            dokument_create(
                principal=principal,
                vorgang=vorgang,
                content=upload,
                dateiname=name,
                media_type=media_type_of(name),
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form.add_error("datei" if exc.code == "too_large" else None, exc.message)
            status = 413 if exc.code == "too_large" else 400
        else:
            messages.success(request, _("The Dokument has been filed."))
            return _back(vorgang.pk)
    return _render_vorgang(
        request, principal, vorgang.pk, bound={"dokument_form": form}, status=status
    )


@never_cache
@login_required
@require_POST
@with_upload_limit
def version_neu(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a version to a Dokument (multipart): an original, or the PDF/A rendition."""
    principal = staff_principal(request)
    dokument = access_dokument(principal, pk, Action.CHANGE)
    form = _version_form(dokument.pk, request.POST, request.FILES)
    status = 400
    if upload_exceeded(request):
        form.add_error("datei", too_large_message())
        status = 413
    elif form.is_valid():
        upload = form.cleaned_data["datei"]
        name = upload.name or ""
        try:
            dokumentversion_add(
                principal=principal,
                dokument=dokument,
                content=upload,
                dateiname=name,
                media_type=media_type_of(name),
                kommentar=form.cleaned_data["kommentar"],
                rendition=form.cleaned_data["rendition"],
            )
        except ServiceError as exc:
            form.add_error("datei" if exc.code == "too_large" else None, exc.message)
            status = 413 if exc.code == "too_large" else 400
        else:
            messages.success(request, _("The new version of “%s” has been saved.") % dokument.titel)
            return _back(dokument.vorgang_id)
    return _render_vorgang(
        request,
        principal,
        dokument.vorgang_id,
        dokument_forms={(dokument.pk, "version"): form},
        status=status,
    )


@never_cache
@login_required
@require_POST
def dokument_verschieben(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a Dokument (all versions) to another Vorgang of its Akte."""
    principal = staff_principal(request)
    dokument = access_dokument(principal, pk, Action.CHANGE)
    source = dokument.vorgang
    form = _dokument_move_form(dokument.pk, _move_choices(source), request.POST)
    if form.is_valid():
        target = access_vorgang(principal, form.cleaned_data["vorgang"], Action.CHANGE)
        try:
            dokument_move(principal=principal, dokument=dokument, target=target)
        except ServiceError as exc:
            form.add_error("vorgang", exc.message)
        else:
            messages.success(
                request,
                _("“%(titel)s” is now in the Vorgang “%(betreff)s”.")
                % {"titel": dokument.titel, "betreff": target.betreff},
            )
            return _back(source.pk)
    return _render_vorgang(
        request, principal, source.pk, dokument_forms={(dokument.pk, "move"): form}, status=400
    )

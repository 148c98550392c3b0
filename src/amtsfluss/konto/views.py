"""Pages of the citizen account under /konto/ (no JavaScript needed; the proof of work has a
waiting fallback). Thin: forms clean, services decide."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant
from amtsfluss.dienste.services.antrag import status_path
from amtsfluss.konto import services
from amtsfluss.konto.forms import (
    AnmeldeForm,
    BestaetigenForm,
    PasswortNeuForm,
    ProfilForm,
    RegistrierungForm,
    ResetAnfordernForm,
)
from amtsfluss.konto.models import Buerger
from amtsfluss.konto.selectors import antraege_of, buerger_from_request
from amtsfluss.web.schutz import pow
from amtsfluss.web.schutz.ratelimit import RateLimited, ratelimited, too_many_requests

SCOPE_REGISTER = "konto.registrieren"
SCOPE_RESET = "konto.passwort"


def _mandant(request: HttpRequest) -> Mandant:
    mandant: Mandant = request.mandant  # type: ignore[attr-defined]  # MandantMiddleware
    return mandant


def _link(request: HttpRequest, name: str) -> services.LinkBuilder:
    return lambda token: request.build_absolute_uri(reverse(name, args=[token]))


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("konto:profil")


def buerger_required[**P](view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """The page needs a signed-in citizen; otherwise to the sign-in page and back."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        request = args[0]
        assert isinstance(request, HttpRequest)  # noqa: S101 — the view's first argument
        if buerger_from_request(request) is None:
            return redirect(f"{reverse('konto:anmelden')}?{urlencode({'next': request.path})}")
        return view(*args, **kwargs)

    return wrapped


def _protected_form_page[F: forms.Form](
    request: HttpRequest, scope: str, form: F, template: str, *, on_valid: Callable[[F], str]
) -> HttpResponse:
    """A public form behind the proof of work: ``on_valid`` acts and names where to go next;
    otherwise the page again, with the posted challenge while it is usable."""
    if request.method == "POST" and form.is_valid() and pow.guard_form(request, scope, form):
        return redirect(on_valid(form))
    context = {"form": form, "pow": pow.challenge_again(request, scope, request.POST)}
    return render(request, template, context, status=400 if request.method == "POST" else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimited(SCOPE_REGISTER, "10/h")
def registrieren(request: HttpRequest) -> HttpResponse:
    mandant = _mandant(request)

    def register(form: RegistrierungForm) -> str:
        services.buerger_register(
            mandant=mandant,
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            confirm_link=_link(request, "konto:bestaetigen"),
            reset_link=_link(request, "konto:passwort-neu"),
        )
        return reverse("konto:registriert")

    form = RegistrierungForm(request.POST or None, mandant=mandant)
    return _protected_form_page(
        request, SCOPE_REGISTER, form, "konto/registrieren.html", on_valid=register
    )


@require_GET
def registriert(request: HttpRequest) -> HttpResponse:
    return render(request, "konto/gesendet.html", {"what": "registrierung"})


def _sign_in_page(
    request: HttpRequest,
    form: AnmeldeForm | BestaetigenForm,
    template: str,
    context: dict[str, object],
    *,
    sign_in: Callable[[], str],
) -> HttpResponse:
    """A page whose form signs the citizen in: ``sign_in`` acts and names where to go next;
    a refusal shows the page again (429 with Retry-After when throttled)."""
    status, retry_after = 200, 0
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                return redirect(sign_in())
            except RateLimited as exc:
                return too_many_requests(request, exc)
            except services.LoginThrottled as exc:
                form.refuse(exc.message)
                status, retry_after = 429, exc.retry_after
            except ServiceError as exc:
                form.refuse(exc.message)
    response = render(request, template, {**context, "form": form}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def bestaetigen(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation link asks for the password: link and password together confirm."""
    mandant = _mandant(request)
    try:
        buerger = services.buerger_for_confirmation(mandant=mandant, token=token)
    except ServiceError as exc:
        return render(request, "konto/link_ungueltig.html", {"message": exc.message}, status=400)
    form = BestaetigenForm(request.POST or None)

    def confirm() -> str:
        services.buerger_confirm(
            request=request, mandant=mandant, token=token, password=form.cleaned_data["password"]
        )
        messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
        return reverse("konto:profil")

    context: dict[str, object] = {"email": buerger.email}
    return _sign_in_page(request, form, "konto/bestaetigen.html", context, sign_in=confirm)


@never_cache
@require_http_methods(["GET", "POST"])
def anmelden(request: HttpRequest) -> HttpResponse:
    form = AnmeldeForm(request.POST or None)

    def sign_in() -> str:
        services.buerger_login(
            request=request,
            mandant=_mandant(request),
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
        )
        return _next_url(request)

    next_url = request.POST.get("next") or request.GET.get("next") or ""
    context: dict[str, object] = {"next": next_url if _next_url(request) == next_url else ""}
    return _sign_in_page(request, form, "konto/anmelden.html", context, sign_in=sign_in)


@require_POST
def abmelden(request: HttpRequest) -> HttpResponse:
    buerger = buerger_from_request(request)
    if buerger is not None:
        services.buerger_logout(request=request, buerger=buerger)
        messages.success(request, _("You have been signed out."))
    return redirect("web:home")


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimited(SCOPE_RESET, "10/h")
def passwort_vergessen(request: HttpRequest) -> HttpResponse:
    def request_reset(form: ResetAnfordernForm) -> str:
        services.passwort_reset_anfordern(
            mandant=_mandant(request),
            email=form.cleaned_data["email"],
            reset_link=_link(request, "konto:passwort-neu"),
        )
        return reverse("konto:passwort-gesendet")

    form = ResetAnfordernForm(request.POST or None)
    return _protected_form_page(
        request, SCOPE_RESET, form, "konto/passwort_vergessen.html", on_valid=request_reset
    )


@require_GET
def passwort_gesendet(request: HttpRequest) -> HttpResponse:
    return render(request, "konto/gesendet.html", {"what": "passwort"})


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimited("konto.passwort_neu", "30/h")
def passwort_neu(request: HttpRequest, token: str) -> HttpResponse:
    mandant = _mandant(request)
    try:
        buerger = services.buerger_for_reset(mandant=mandant, token=token)
    except ServiceError as exc:
        return render(request, "konto/link_ungueltig.html", {"message": exc.message}, status=400)
    form = PasswortNeuForm(request.POST or None, mandant=mandant, email=buerger.email)
    if request.method == "POST" and form.is_valid():
        try:
            services.passwort_reset(
                mandant=mandant, token=token, password=form.cleaned_data["password"]
            )
        except ServiceError as exc:
            return render(
                request, "konto/link_ungueltig.html", {"message": exc.message}, status=400
            )
        messages.success(request, _("Your new password is set. You can sign in with it now."))
        return redirect("konto:anmelden")
    status = 400 if request.method == "POST" else 200
    return render(request, "konto/passwort_neu.html", {"form": form}, status=status)


@never_cache
@buerger_required
@require_http_methods(["GET", "POST"])
def profil(request: HttpRequest) -> HttpResponse:
    buerger = buerger_from_request(request)
    assert isinstance(buerger, Buerger)  # noqa: S101 — buerger_required
    initial = {name: getattr(buerger, name) for name in services.PROFILE_FIELDS}
    form = ProfilForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.profil_update(buerger=buerger, data=form.cleaned_data)
        messages.success(request, _("Your details are saved."))
        return redirect("konto:profil")
    status = 400 if request.method == "POST" else 200
    antraege = [(antrag, status_path(antrag)) for antrag in antraege_of(buerger)]
    context = {"form": form, "buerger": buerger, "antraege": antraege}
    return render(request, "konto/profil.html", context, status=status)

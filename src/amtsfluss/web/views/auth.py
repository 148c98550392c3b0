"""Staff sign-in (password, then TOTP) and sign-out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import User
from amtsfluss.core.services.auth import LoginThrottled, staff_login, staff_logout
from amtsfluss.web import mfa
from amtsfluss.web.access import signed_in_user
from amtsfluss.web.forms import LoginForm, TokenForm


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _home_of(user: User) -> str:
    return reverse("web:platform" if user.is_platform_operator else "web:staff-home")


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = staff_login(
                    request=request,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                )
            except LoginThrottled as exc:
                form.refuse(exc.message)
                status = 429
            except ServiceError as exc:
                form.refuse(exc.message)
            else:
                return redirect(_next_url(request, _home_of(user)))
    response = render(
        request, "web/login.html", {"form": form, "next": _next_url(request, "")}, status=status
    )
    if status == 429:
        response["Retry-After"] = str(settings.AMTSFLUSS_LOGIN_WINDOW_SECONDS)
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    next_url = _next_url(request, _home_of(user))
    if getattr(user, "is_verified", lambda: False)():
        return redirect(next_url)
    device = mfa.confirmed_totp_device(user=user)
    enrolling = device is None
    if device is None:
        device = mfa.totp_enrolment_device(user=user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                mfa.check_totp(
                    request=request, user=user, device=device, token=form.cleaned_data["token"]
                )
            except mfa.TokenThrottled as exc:
                form.add_error("token", exc.message)
                status = 429
            except ServiceError as exc:
                form.add_error("token", exc.message)
            else:
                if enrolling:
                    messages.success(request, _("Two-factor authentication is now set up."))
                return redirect(next_url)
    context: dict[str, object] = {
        "form": form,
        "enrolling": enrolling,
        "next": _next_url(request, ""),
    }
    if enrolling:
        context["qr_code"] = mfa.totp_qr_svg(
            device, title=_("QR code to set up your authenticator app")
        )
        context["secret"] = mfa.totp_secret(device)
    return render(request, "web/mfa.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    was_signed_in = request.user.is_authenticated
    staff_logout(request=request)
    if was_signed_in:
        messages.success(request, _("You have been signed out."))
    # a host that belongs to no Mandant (platform operation) has no public start page
    return redirect("web:home" if getattr(request, "mandant", None) else "web:login")

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.services.auth import staff_login, staff_logout


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            user = staff_login(
                request=request,
                username=request.POST.get("username", ""),
                password=request.POST.get("password", ""),
            )
        except ServiceError as exc:
            error = exc.message
        else:
            default = "/plattform/" if user.is_platform_operator else "/intern/"
            return redirect(_next_url(request, default))
    status = 429 if error and "attempts" in error else 200
    return render(
        request,
        "web/login.html",
        {"error": error, "next": _next_url(request, "")},
        status=status if not error else (status if status == 429 else 400),
    )


def mfa_view(request: HttpRequest) -> HttpResponse:
    return render(request, "web/mfa.html")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    staff_logout(request=request)
    return redirect("web:home")

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/staff_home.html")

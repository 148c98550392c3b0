from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from amtsfluss.core.models import User


class MandantModelBackend(ModelBackend):
    """Password login, limited to the staff of the Mandant the request is addressed to.

    Platform operators log in on any host; they see the platform area only.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if not isinstance(user, User):
            return None
        mandant = getattr(request, "mandant", None)
        if user.is_platform_operator:
            return user
        if mandant is None or user.mandant_id != mandant.pk or not mandant.is_active:
            return None
        return user

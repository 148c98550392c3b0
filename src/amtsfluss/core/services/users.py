from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, User


def staff_user_create(
    *,
    mandant: Mandant,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    by: User | None,
) -> User:
    """Create a staff account of ``mandant``; ``password=None`` leaves it unusable."""
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ServiceError(_("The user name %s is already taken.") % username)
        user = User(
            mandant=mandant,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
        )
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        audit.record(
            mandant=mandant,
            actor=by,
            action="user.create",
            object_type="core.user",
            object_id=str(user.pk),
            details={"username": username},
        )
    return user


def platform_operator_create(*, username: str, password: str, by: User | None) -> User:
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ServiceError(_("The user name %s is already taken.") % username)
        user = User(username=username, is_platform_operator=True)
        user.set_password(password)
        user.save()
        audit.record(
            mandant=None,
            actor=by,
            action="user.create_operator",
            object_type="core.user",
            object_id=str(user.pk),
            details={"username": username},
        )
    return user

"""The acting identity of work without a person: intake by mail, watched folder, bulk import.

Each Mandant gets one technical user per purpose (``rechnungseingang.<slug>``,
``posteingang.<slug>``), created on first use: no password (it cannot log in), no memberships
(it sees nothing through the permission engine). Audit events of that work name it as the actor.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, User
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.users import staff_user_create


def technical_user(mandant: Mandant, *, prefix: str, display_name: str) -> User:
    """The Mandant's technical user ``<prefix>.<slug>``, created on demand (concurrency-safe)."""
    username = f"{prefix}.{mandant.slug}"
    found = User.objects.filter(username=username, mandant=mandant).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return staff_user_create(
                mandant=mandant,
                username=username,
                password=None,
                first_name=display_name,
                last_name="(automatisch)",
                by=None,
            )
    except (IntegrityError, ServiceError):  # created meanwhile by a concurrent intake
        return User.objects.get(username=username, mandant=mandant)


def technical_principal(mandant: Mandant, *, prefix: str, display_name: str) -> Principal:
    user = technical_user(mandant, prefix=prefix, display_name=display_name)
    return Principal(user=user, mandant=mandant)

"""The acting identity of intake without a person (mail, watched folder).

Each Mandant gets one technical user ``rechnungseingang.<slug>``, created on first use: no
password (it cannot log in), no memberships (it sees nothing through the permission engine).
Audit events of unattended intake name it as the actor.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, User
from amtsfluss.core.permissions import Principal
from amtsfluss.core.services.users import staff_user_create

INTAKE_USER_PREFIX = "rechnungseingang."


def intake_username(mandant: Mandant) -> str:
    return f"{INTAKE_USER_PREFIX}{mandant.slug}"


def intake_user(mandant: Mandant) -> User:
    """The Mandant's technical intake user, created on demand (safe under concurrency)."""
    username = intake_username(mandant)
    found = User.objects.filter(username=username, mandant=mandant).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return staff_user_create(
                mandant=mandant,
                username=username,
                password=None,
                first_name="Rechnungseingang",
                last_name="(automatisch)",
                by=None,
            )
    except (IntegrityError, ServiceError):  # created meanwhile by a concurrent intake
        return User.objects.get(username=username, mandant=mandant)


def intake_principal(mandant: Mandant) -> Principal:
    return Principal(user=intake_user(mandant), mandant=mandant)

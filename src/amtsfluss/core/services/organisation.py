from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import (
    Mandant,
    Membership,
    Organisationseinheit,
    OrganisationseinheitClosure,
    Role,
    UnitKind,
    User,
)


def unit_create(
    *,
    mandant: Mandant,
    code: str,
    name: str,
    kind: str,
    parent: Organisationseinheit | None = None,
    email: str = "",
    by: User | None,
) -> Organisationseinheit:
    """Create a unit and its closure rows. Authorization (Fachadministration) is the caller's."""
    if kind not in UnitKind.values:
        raise ServiceError(_("Unknown kind of unit: %s") % kind)
    if parent is not None and parent.mandant_id != mandant.pk:
        raise ServiceError(_("The parent unit belongs to another Mandant."))
    with transaction.atomic():
        if Organisationseinheit.objects.filter(mandant=mandant, code=code).exists():
            raise ServiceError(_("The short code %s is already in use.") % code)
        unit = Organisationseinheit.objects.create(
            mandant=mandant, parent=parent, code=code, name=name, kind=kind, email=email
        )
        links = [
            OrganisationseinheitClosure(mandant=mandant, ancestor=unit, descendant=unit, depth=0)
        ]
        if parent is not None:
            links += [
                OrganisationseinheitClosure(
                    mandant=mandant,
                    ancestor_id=link.ancestor_id,
                    descendant=unit,
                    depth=link.depth + 1,
                )
                for link in OrganisationseinheitClosure.objects.filter(descendant=parent)
            ]
        OrganisationseinheitClosure.objects.bulk_create(links)
        audit.record(
            mandant=mandant,
            actor=by,
            action="organisationseinheit.create",
            object_type="core.organisationseinheit",
            object_id=str(unit.pk),
            details={"code": code, "parent": parent.code if parent else None},
        )
    return unit


def unit_move(
    *, unit: Organisationseinheit, new_parent: Organisationseinheit | None, by: User | None
) -> Organisationseinheit:
    """Re-hang a unit (with its subtree) under another parent; refuses cycles."""
    with transaction.atomic():
        subtree = OrganisationseinheitClosure.objects.filter(ancestor=unit)
        if new_parent is not None:
            if new_parent.mandant_id != unit.mandant_id:
                raise ServiceError(_("The parent unit belongs to another Mandant."))
            if subtree.filter(descendant=new_parent).exists():
                raise ServiceError(_("A unit cannot be placed below itself."))
        subtree_ids = list(subtree.values_list("descendant_id", flat=True))
        # drop links from the old ancestors (outside the subtree) into the subtree
        OrganisationseinheitClosure.objects.filter(descendant_id__in=subtree_ids).exclude(
            ancestor_id__in=subtree_ids
        ).delete()
        if new_parent is not None:
            new_links = [
                OrganisationseinheitClosure(
                    mandant_id=unit.mandant_id,
                    ancestor_id=above.ancestor_id,
                    descendant_id=below.descendant_id,
                    depth=above.depth + below.depth + 1,
                )
                for above in OrganisationseinheitClosure.objects.filter(descendant=new_parent)
                for below in subtree
            ]
            OrganisationseinheitClosure.objects.bulk_create(new_links)
        old_parent = unit.parent
        unit.parent = new_parent
        unit.save(update_fields=["parent"])
        audit.record(
            mandant=unit.mandant,
            actor=by,
            action="organisationseinheit.move",
            object_type="core.organisationseinheit",
            object_id=str(unit.pk),
            details={
                "from": old_parent.code if old_parent else None,
                "to": new_parent.code if new_parent else None,
            },
        )
    return unit


def membership_grant(
    *,
    user: User,
    unit: Organisationseinheit,
    role: str,
    by: User | None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> Membership:
    if role not in Role.values:
        raise ServiceError(_("Unknown role: %s") % role)
    if user.mandant_id != unit.mandant_id:
        raise ServiceError(_("User and unit belong to different Mandanten."))
    with transaction.atomic():
        membership, _created = Membership.objects.update_or_create(
            user=user,
            unit=unit,
            role=role,
            defaults={
                "mandant_id": unit.mandant_id,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
        )
        audit.record(
            mandant=unit.mandant,
            actor=by,
            action="membership.grant",
            object_type="core.membership",
            object_id=str(membership.pk),
            details={"user": user.username, "unit": unit.code, "role": role},
        )
    return membership


def membership_revoke(*, membership: Membership, by: User | None) -> None:
    with transaction.atomic():
        details = {
            "user": membership.user.username,
            "unit": membership.unit.code,
            "role": membership.role,
        }
        pk = membership.pk
        membership.delete()
        audit.record(
            mandant=membership.mandant,
            actor=by,
            action="membership.revoke",
            object_type="core.membership",
            object_id=str(pk),
            details=details,
        )

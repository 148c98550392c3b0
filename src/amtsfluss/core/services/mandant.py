from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import AuditChainHead, Mandant, MandantHost, User

#: a Mandant's short name: also the folder of its search index and its name on the wire to the
#: search machine, so it begins with a letter or digit (never "-x", "_x", "." or "..")
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def _require_operator(by: User | None) -> None:
    if by is not None and not by.is_platform_operator:
        raise PermissionDenied(_("Only the platform operator manages Mandanten."))


def mandant_create(
    *, slug: str, name: str, hosts: list[str], is_default: bool = False, by: User | None
) -> Mandant:
    """Create a Mandant with its host names and an empty audit chain. ``by=None`` is the CLI."""
    _require_operator(by)
    if not SLUG.fullmatch(slug):
        raise ServiceError(
            _(
                "The short name must begin with a lower-case letter or digit and have only "
                "lower-case letters, digits, - and _ (at most 63)."
            )
        )
    hosts = [host.strip().lower() for host in hosts]
    try:
        return _do_mandant_create(slug=slug, name=name, hosts=hosts, is_default=is_default, by=by)
    except IntegrityError as exc:  # created concurrently: same slug or host name
        raise ServiceError(
            _("A Mandant with this short name or host name exists already.")
        ) from exc


def _do_mandant_create(
    *, slug: str, name: str, hosts: list[str], is_default: bool, by: User | None
) -> Mandant:
    with transaction.atomic():
        if Mandant.objects.filter(slug=slug).exists():
            raise ServiceError(_("A Mandant with this short name exists already."))
        taken = MandantHost.objects.filter(hostname__in=hosts).values_list("hostname", flat=True)
        if taken:
            raise ServiceError(_("Host name already in use: %s") % ", ".join(taken))
        if is_default:
            Mandant.objects.filter(is_default=True).update(is_default=False)
        mandant = Mandant.objects.create(slug=slug, name=name, is_default=is_default)
        MandantHost.objects.bulk_create(
            [MandantHost(mandant=mandant, hostname=host) for host in hosts]
        )
        AuditChainHead.objects.create(chain=audit.chain_of(mandant), hash=audit.GENESIS)
        audit.record(
            mandant=None,
            actor=by,
            action="mandant.create",
            object_type="core.mandant",
            object_id=str(mandant.pk),
            details={"slug": slug, "hosts": hosts},
        )
    return mandant


def mandant_update(
    *, mandant: Mandant, name: str, is_active: bool, hosts: list[str], by: User | None
) -> Mandant:
    _require_operator(by)
    hosts = [host.strip().lower() for host in hosts]
    with transaction.atomic():
        taken = (
            MandantHost.objects.filter(hostname__in=hosts)
            .exclude(mandant=mandant)
            .values_list("hostname", flat=True)
        )
        if taken:
            raise ServiceError(_("Host name already in use: %s") % ", ".join(taken))
        mandant.name, mandant.is_active = name, is_active
        mandant.save(update_fields=["name", "is_active"])
        mandant.hosts.exclude(hostname__in=hosts).delete()
        existing = set(mandant.hosts.values_list("hostname", flat=True))
        MandantHost.objects.bulk_create(
            [MandantHost(mandant=mandant, hostname=h.lower()) for h in hosts if h not in existing]
        )
        audit.record(
            mandant=None,
            actor=by,
            action="mandant.update",
            object_type="core.mandant",
            object_id=str(mandant.pk),
            details={"name": name, "is_active": is_active, "hosts": hosts},
        )
    return mandant

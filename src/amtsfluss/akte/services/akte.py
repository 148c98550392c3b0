"""Akten: forming, closing (zdA), reopening, re-filing, grants and involved persons."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.aktenzeichen import AktenzeichenTeile
from amtsfluss.akte.models import (
    Akte,
    Aktenplanposition,
    AktenStatus,
    Beteiligter,
    Beteiligung,
    FruehereAktenzeichen,
    Person,
    PersonArt,
    Vertraulichkeit,
    Vorgang,
    VorgangStatus,
)
from amtsfluss.akte.retention import aufbewahren_bis
from amtsfluss.akte.services.aktenzeichen import next_aktenzeichen
from amtsfluss.core import audit
from amtsfluss.core.errors import PermissionDenied, ServiceError
from amtsfluss.core.models import Organisationseinheit, User
from amtsfluss.core.permissions import Principal


def _require_leaf(position: Aktenplanposition, principal: Principal) -> Aktenplanposition:
    """The position as stored now, if Akten may be formed there; else a clear refusal."""
    fresh = Aktenplanposition.objects.filter(pk=position.pk, mandant=principal.mandant).first()
    if fresh is None:
        raise ServiceError(_("This Aktenplan position does not exist."))
    position = fresh
    if not position.is_leaf:
        raise ServiceError(
            _("Akten are formed only at the lowest level of the Aktenplan; %s has sub-positions.")
            % position.kennzeichen
        )
    if not position.is_active:
        raise ServiceError(
            _("The Aktenplan position %s is no longer in use.") % position.kennzeichen
        )
    return position


def _require_works_in(principal: Principal, unit: Organisationseinheit) -> None:
    if not principal.allows("create"):
        raise PermissionDenied(_("This key may not change anything."))
    if unit.pk not in principal.unit_ids():
        raise PermissionDenied(_("You do not work in the unit %s.") % unit.code)


def check_akte_create(
    *,
    principal: Principal,
    position: Aktenplanposition,
    titel: str,
    federfuehrende_oe: Organisationseinheit | None = None,
    vertraulichkeit: str = Vertraulichkeit.OFFEN,
) -> Akte:
    """Validate and form a new Akte at a leaf position, issuing its Aktenzeichen."""
    position = _require_leaf(position, principal)
    unit = federfuehrende_oe or position.federfuehrende_oe
    if unit is None:
        raise ServiceError(_("Please name the federführende Organisationseinheit."))
    if unit.mandant_id != principal.mandant.pk:
        raise ServiceError(_("This unit does not exist."))
    if vertraulichkeit not in Vertraulichkeit.values:
        raise ServiceError(_("Unknown confidentiality level."))
    titel = titel.strip()
    if not titel:
        raise ServiceError(_("An Akte needs a title."))
    _require_works_in(principal, unit)
    return do_akte_create(
        principal=principal,
        position=position,
        titel=titel,
        unit=unit,
        vertraulichkeit=vertraulichkeit,
    )


def do_akte_create(
    *,
    principal: Principal,
    position: Aktenplanposition,
    titel: str,
    unit: Organisationseinheit,
    vertraulichkeit: str,
) -> Akte:
    jahr = timezone.localdate().year
    teile = AktenzeichenTeile(oe=unit.code, kennzeichen=position.kennzeichen, jahr=jahr)
    with transaction.atomic():
        aktenzeichen, nr = next_aktenzeichen(mandant=principal.mandant, teile=teile)
        akte = Akte.objects.create(
            mandant=principal.mandant,
            position=position,
            aktenzeichen=aktenzeichen,
            laufnummer=nr,
            jahr=jahr,
            titel=titel,
            federfuehrende_oe=unit,
            vertraulichkeit=vertraulichkeit,
            created_by=principal.user,
        )
        if vertraulichkeit != Vertraulichkeit.OFFEN:
            # the creator is named, or a confidential Akte would vanish from its author
            Beteiligung.objects.create(
                mandant=principal.mandant,
                akte=akte,
                user=principal.user,
                darf_bearbeiten=True,
                created_by=principal.user,
            )
        audit.record_action(
            principal,
            "akte.create",
            akte,
            aktenzeichen=akte.aktenzeichen,
            vertraulichkeit=vertraulichkeit,
        )
    return akte


def jahresakte(
    *, principal: Principal, position: Aktenplanposition, unit: Organisationseinheit, titel: str
) -> Akte:
    """The open, unrestricted Akte ``titel`` of this year at ``position`` led by ``unit``, formed
    on first use (the "Posteingang 2026" of a unit, the online applications of a Leistung). The
    caller holds a row lock that makes two concurrent first uses form it once."""
    found = Akte.objects.filter(
        mandant=principal.mandant,
        position=position,
        federfuehrende_oe=unit,
        jahr=timezone.localdate().year,
        titel=titel,
        status=AktenStatus.OFFEN,
    ).first()
    if found is not None:
        return found
    return do_akte_create(
        principal=principal,
        position=position,
        titel=titel,
        unit=unit,
        vertraulichkeit=Vertraulichkeit.OFFEN,
    )


def akte_close(*, principal: Principal, akte: Akte) -> Akte:
    """zdA: close an Akte whose Vorgänge are all done; the retention period starts."""
    with transaction.atomic():
        akte = Akte.objects.select_for_update().select_related("position").get(pk=akte.pk)
        if akte.status == AktenStatus.ZDA:
            raise ServiceError(_("The Akte is already closed."))
        open_cases = Vorgang.objects.filter(akte=akte).exclude(status=VorgangStatus.ERLEDIGT)
        if open_cases.exists():
            raise ServiceError(
                _("The Akte still has %d open Vorgänge; close them first.") % open_cases.count()
            )
        today = timezone.localdate()
        akte.status = AktenStatus.ZDA
        akte.geschlossen_am = today
        akte.aufbewahren_bis = aufbewahren_bis(
            geschlossen_am=today,
            jahre=akte.position.aufbewahrung_jahre,
            dauernd=akte.position.aufbewahrung_dauernd,
        )
        akte.save(update_fields=["status", "geschlossen_am", "aufbewahren_bis"])
        audit.record_action(
            principal,
            "akte.zda",
            akte,
            aktenzeichen=akte.aktenzeichen,
            aufbewahren_bis=str(akte.aufbewahren_bis),
        )
    return akte


def akte_reopen(*, principal: Principal, akte: Akte) -> Akte:
    """Reopen a closed Akte; its retention period no longer runs and restarts on next zdA."""
    with transaction.atomic():
        akte = Akte.objects.select_for_update().get(pk=akte.pk)
        if akte.status != AktenStatus.ZDA:
            raise ServiceError(_("The Akte is not closed."))
        akte.status = AktenStatus.OFFEN
        akte.geschlossen_am = None
        akte.aufbewahren_bis = None
        akte.save(update_fields=["status", "geschlossen_am", "aufbewahren_bis"])
        audit.record_action(principal, "akte.reopen", akte, aktenzeichen=akte.aktenzeichen)
    return akte


def akte_refile(*, principal: Principal, akte: Akte, position: Aktenplanposition) -> Akte:
    """File an Akte under another Aktenplan position; it gets a new Aktenzeichen.

    The former Aktenzeichen is kept in the Akte's history and never issued again.
    """
    position = _require_leaf(position, principal)
    with transaction.atomic():
        akte = Akte.objects.select_for_update().select_related("federfuehrende_oe").get(pk=akte.pk)
        if akte.status == AktenStatus.ZDA:
            raise ServiceError(_("A closed Akte cannot be re-filed; reopen it first."))
        if akte.position_id == position.pk:
            raise ServiceError(_("The Akte is already filed there."))
        old = akte.aktenzeichen
        FruehereAktenzeichen.objects.create(
            mandant=principal.mandant, akte=akte, aktenzeichen=old, bis=timezone.now()
        )
        teile = AktenzeichenTeile(
            oe=akte.federfuehrende_oe.code, kennzeichen=position.kennzeichen, jahr=akte.jahr
        )
        akte.aktenzeichen, akte.laufnummer = next_aktenzeichen(
            mandant=principal.mandant, teile=teile
        )
        akte.position = position
        akte.save(update_fields=["aktenzeichen", "laufnummer", "position"])
        audit.record_action(
            principal,
            "akte.refile",
            akte,
            aktenzeichen=akte.aktenzeichen,
            frueher=old,
            position=position.kennzeichen,
        )
    return akte


def beteiligung_grant(
    *,
    principal: Principal,
    akte: Akte,
    unit: Organisationseinheit | None = None,
    user: User | None = None,
    darf_bearbeiten: bool = False,
    gueltig_bis: datetime | None = None,
) -> Beteiligung:
    """Grant a unit or a named person access to one Akte (optionally until a moment)."""
    if (unit is None) == (user is None):
        raise ServiceError(_("Grant access either to a unit or to a person."))
    target_mandant = unit.mandant_id if unit is not None else user.mandant_id  # type: ignore[union-attr]
    if target_mandant != principal.mandant.pk:
        raise ServiceError(_("Access can only be granted within the same Mandant."))
    if unit is not None and akte.vertraulichkeit != Vertraulichkeit.OFFEN:
        raise ServiceError(_("Confidential Akten are shared with named persons only."))
    with transaction.atomic():
        grant = Beteiligung.objects.create(
            mandant=principal.mandant,
            akte=akte,
            unit=unit,
            user=user,
            darf_bearbeiten=darf_bearbeiten,
            gueltig_bis=gueltig_bis,
            created_by=principal.user,
        )
        audit.record_action(
            principal,
            "akte.beteiligung_grant",
            akte,
            aktenzeichen=akte.aktenzeichen,
            unit=unit.code if unit else None,
            user=user.username if user else None,
            darf_bearbeiten=darf_bearbeiten,
        )
    return grant


def beteiligung_revoke(*, principal: Principal, beteiligung: Beteiligung) -> None:
    with transaction.atomic():
        akte = beteiligung.akte
        pk = beteiligung.pk
        beteiligung.delete()
        audit.record_action(
            principal,
            "akte.beteiligung_revoke",
            akte,
            aktenzeichen=akte.aktenzeichen,
            beteiligung=pk,
        )


def person_create(
    *,
    principal: Principal,
    art: str,
    name: str,
    vorname: str = "",
    geburtsdatum: date | None = None,
    registernummer: str = "",
    strasse: str = "",
    plz: str = "",
    ort: str = "",
    email: str = "",
) -> Person:
    """Record a person or organisation outside the administration (once per Mandant)."""
    if not principal.allows("create"):
        raise PermissionDenied(_("This key may not change anything."))
    if art not in PersonArt.values:
        raise ServiceError(_("Unknown kind of person."))
    name = name.strip()
    if not name:
        raise ServiceError(_("A person needs a name."))
    with transaction.atomic():
        person = Person.objects.create(
            mandant=principal.mandant,
            art=art,
            name=name,
            vorname=vorname.strip(),
            geburtsdatum=geburtsdatum,
            registernummer=registernummer.strip(),
            strasse=strasse.strip(),
            plz=plz.strip(),
            ort=ort.strip(),
            email=email.strip(),
        )
        audit.record_action(principal, "person.create", person)
    return person


def beteiligter_add(*, principal: Principal, akte: Akte, person: Person, rolle: str) -> Beteiligter:
    """Record that a person or organisation takes part in an Akte (structured, searchable)."""
    if person.mandant_id != principal.mandant.pk:
        raise ServiceError(_("This person does not exist."))
    rolle = rolle.strip()
    if not rolle:
        raise ServiceError(_("Please name the person's role in the Akte."))
    with transaction.atomic():
        row, _created = Beteiligter.objects.get_or_create(
            mandant=principal.mandant, akte=akte, person=person, rolle=rolle
        )
        audit.record_action(
            principal,
            "akte.beteiligter_add",
            akte,
            aktenzeichen=akte.aktenzeichen,
            person=person.pk,
            rolle=rolle,
        )
    return row

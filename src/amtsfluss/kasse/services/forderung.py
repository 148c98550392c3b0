"""Forderungen: created with a Kassenzeichen and a payment-page token; their payment state.

States: ``offen`` → ``bezahlt`` (Kasse by hand, bank statement, online provider) →
``erstattet`` (Kasse by hand). Every change is a ``Zustandswechsel`` row (who, when, how, the
payment's reference) and an audit event in the same transaction; a payment reference books
once per source, so an import or a notification seen twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsfluss.akte.models import Vorgang
from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant, User
from amtsfluss.core.permissions import Action, Principal, access
from amtsfluss.kasse.kassenzeichen import format_kassenzeichen
from amtsfluss.kasse.models import (
    Empfaenger,
    Forderung,
    KassenzeichenZaehler,
    Quelle,
    Zustand,
    Zustandswechsel,
)

TOKEN_BYTES = 32
MAX_BETRAG = Decimal("999999999.99")
_CENT = Decimal("0.01")

#: Which state may follow which.
_ALLOWED = {
    Zustand.BEZAHLT: {Zustand.OFFEN},
    Zustand.ERSTATTET: {Zustand.BEZAHLT},
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_betrag(betrag: Decimal) -> Decimal:
    """A positive amount in euro with at most two decimals, or a ServiceError."""
    if not isinstance(betrag, Decimal) or not betrag.is_finite():
        raise ServiceError(_("The amount must be a number."), code="betrag")
    if betrag != betrag.quantize(_CENT) or not Decimal("0.01") <= betrag <= MAX_BETRAG:
        raise ServiceError(
            _("The amount must be between 0.01 and 999,999,999.99 euro, in cents."),
            code="betrag",
        )
    return betrag.quantize(_CENT)


def empfaenger_of(mandant: Mandant) -> Empfaenger:
    found = Empfaenger.objects.filter(mandant=mandant).first()
    if found is None:
        raise ServiceError(
            _("The Kasse has no receiving account yet: fees cannot be claimed."),
            code="empfaenger",
        )
    return found


def _next_kassenzeichen(mandant: Mandant, praefix: str) -> str:
    """Draw the next Kassenzeichen of this year (the counter row is locked until commit)."""
    jahr = timezone.localdate().year
    KassenzeichenZaehler.objects.get_or_create(mandant=mandant, jahr=jahr)
    zaehler = KassenzeichenZaehler.objects.select_for_update().get(mandant=mandant, jahr=jahr)
    zaehler.letzte += 1
    zaehler.save(update_fields=["letzte"])
    return format_kassenzeichen(praefix, jahr, zaehler.letzte)


def forderung_create(
    *,
    mandant: Mandant,
    betrag: Decimal,
    zweck: str,
    vorgang: Vorgang | None = None,
    faellig_am: date | None = None,
    by: User | None = None,
) -> tuple[Forderung, str]:
    """A new open Forderung with the next Kassenzeichen; returns it and the clear token of its
    payment page (only its hash is stored)."""
    betrag = check_betrag(betrag)
    zweck = " ".join(zweck.split())
    if not 0 < len(zweck) <= 140:
        raise ServiceError(_("The purpose must have 1 to 140 characters."), code="zweck")
    if vorgang is not None and vorgang.mandant_id != mandant.pk:
        raise ServiceError(_("The Vorgang belongs to another Mandant."), code="vorgang")
    empfaenger = empfaenger_of(mandant)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        forderung = Forderung.objects.create(
            mandant=mandant,
            kassenzeichen=_next_kassenzeichen(mandant, empfaenger.kassenzeichen_praefix),
            betrag=betrag,
            zweck=zweck,
            vorgang=vorgang,
            unit_id=vorgang.bearbeitende_oe_id if vorgang is not None else None,
            faellig_am=faellig_am,
            token_hash=token_hash(token),
            created_by=by,
        )
        Zustandswechsel.objects.create(
            mandant=mandant, forderung=forderung, nach=Zustand.OFFEN, quelle=Quelle.ANLAGE, by=by
        )
        audit.record(
            mandant=mandant,
            actor=by,
            action="kasse.forderung.create",
            object_type="kasse.forderung",
            object_id=str(forderung.pk),
            details={"kassenzeichen": forderung.kassenzeichen, "betrag": str(betrag)},
        )
    return forderung, token


def forderung_token_renew(*, forderung: Forderung) -> str:
    """A new payment-page token for ``forderung`` (the old link stops working); for a caller
    that has authorised the applicant otherwise, e.g. the Antrag's status page, and did not
    keep the token of ``forderung_create``."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    Forderung.objects.filter(pk=forderung.pk).update(token_hash=token_hash(token))
    forderung.token_hash = token_hash(token)
    return token


def do_zustand_set(
    *,
    forderung: Forderung,
    nach: str,
    quelle: str,
    by: User | None = None,
    betrag: Decimal | None = None,
    referenz: str = "",
    notiz: str = "",
) -> bool:
    """Move ``forderung`` (locked here) to ``nach``; False when its reference was booked before.

    Call inside ``transaction.atomic``. Raises ServiceError when the state may not follow.
    """
    locked = Forderung.objects.select_for_update().get(pk=forderung.pk)
    if (
        referenz
        and Zustandswechsel.objects.filter(
            mandant_id=locked.mandant_id, quelle=quelle, referenz=referenz
        ).exists()
    ):
        return False
    if locked.zustand not in _ALLOWED.get(Zustand(nach), set()):
        raise ServiceError(
            _("A Forderung that is %(von)s cannot become %(nach)s.")
            % {"von": Zustand(locked.zustand).label, "nach": Zustand(nach).label},
            code="conflict",
        )
    von = locked.zustand
    locked.zustand = nach
    if nach == Zustand.BEZAHLT:
        locked.bezahlt_am = timezone.now()
    locked.save(update_fields=["zustand", "bezahlt_am"])
    try:
        with transaction.atomic():
            Zustandswechsel.objects.create(
                mandant_id=locked.mandant_id,
                forderung=locked,
                von=von,
                nach=nach,
                quelle=quelle,
                betrag=betrag,
                referenz=referenz[:140],
                notiz=notiz[:500],
                by=by,
            )
    except IntegrityError:  # the same reference booked concurrently: the other one counts
        raise ServiceError(_("This payment has been booked already."), code="conflict") from None
    audit.record(
        mandant=locked.mandant,
        actor=by,
        action=f"kasse.forderung.{nach}",
        object_type="kasse.forderung",
        object_id=str(locked.pk),
        details={"von": von, "quelle": quelle, "referenz": referenz[:140]},
    )
    forderung.zustand = locked.zustand
    forderung.bezahlt_am = locked.bezahlt_am
    return True


def access_forderung_change(*, principal: Principal, pk: int) -> Forderung:
    """The Forderung ``pk`` if the principal may change its payment state (the Kasse); else 404."""
    return access(Forderung, principal=principal, action=Action.CHANGE, pk=pk)


def forderung_mark(*, principal: Principal, pk: int, nach: str, notiz: str = "") -> Forderung:
    """The Kasse marks a Forderung ``bezahlt`` or ``erstattet`` by hand."""
    if nach not in (Zustand.BEZAHLT, Zustand.ERSTATTET):
        raise ServiceError(_("Unknown payment state."))
    # authorised outside the transaction: a refusal's audit event must not be rolled back
    forderung = access_forderung_change(principal=principal, pk=pk)
    with transaction.atomic():
        do_zustand_set(
            forderung=forderung,
            nach=nach,
            quelle=Quelle.KASSE,
            by=principal.user,
            betrag=forderung.betrag,
            notiz=" ".join(notiz.split()),
        )
    return forderung

"""Online payment of a Forderung through a provider (``epay.PaymentProvider``).

``online_start`` opens a transaction and gives the URL to send the citizen to. The payment
is booked (``bezahlt``, source ``online``, the transaction id as reference — so it books once)
by the provider's signed notification (``notification_receive``) or, when the citizen comes
back, by asking the provider for the status (``online_return``), whichever comes first.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from amtsfluss.core import audit
from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Mandant
from amtsfluss.kasse.epay import EpayError, PaymentProvider
from amtsfluss.kasse.models import Benachrichtigung, Forderung, OnlineZahlung, Quelle, Zustand
from amtsfluss.kasse.services.forderung import do_zustand_set


def online_start(
    *, forderung: Forderung, provider: PaymentProvider, return_url: str, notify_url: str
) -> str:
    """Open a payment at the provider for an open Forderung; the URL to send the citizen to."""
    if forderung.zustand != Zustand.OFFEN:
        raise ServiceError(_("This fee has been paid already."), code="conflict")
    try:
        start = provider.start(
            kassenzeichen=forderung.kassenzeichen,
            betrag=forderung.betrag,
            zweck=forderung.zweck,
            return_url=return_url,
            notify_url=notify_url,
        )
    except EpayError:
        raise ServiceError(
            _(
                "The online payment service cannot be reached. Please try again later or pay by "
                "bank transfer."
            ),
            code="epay",
        ) from None
    OnlineZahlung.objects.create(
        mandant_id=forderung.mandant_id, forderung=forderung, transaktion=start.transaktion
    )
    return start.redirect_url


def _book(zahlung: OnlineZahlung, status: str) -> bool:
    zahlung.status = status
    zahlung.save(update_fields=["status", "updated_at"])
    if status != "bezahlt":
        return False
    forderung = Forderung.objects.select_for_update().get(pk=zahlung.forderung_id)
    if forderung.zustand != Zustand.OFFEN:  # paid meanwhile (bank transfer, the Kasse)
        return False
    return do_zustand_set(
        forderung=forderung,
        nach=Zustand.BEZAHLT,
        quelle=Quelle.ONLINE,
        betrag=forderung.betrag,
        referenz=zahlung.transaktion,
    )


def notification_receive(
    *, mandant: Mandant, provider: PaymentProvider, body: bytes, headers: dict[str, str]
) -> bool:
    """Check and apply a provider notification; True when it booked a payment.

    Raises EpayError for a bad signature, a stale timestamp, a replayed message id, an unknown
    transaction, or an amount or Kassenzeichen that does not fit the Forderung.
    """
    note = provider.verify_notification(body=body, headers=headers)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Benachrichtigung.objects.create(nachricht_id=note.nachricht_id)
        except IntegrityError:
            raise EpayError("notification replayed") from None
        zahlung = (
            OnlineZahlung.objects.select_related("forderung")
            .filter(mandant=mandant, transaktion=note.transaktion)
            .first()
        )
        if zahlung is None:
            raise EpayError("unknown transaction")
        forderung = zahlung.forderung
        fits = note.kassenzeichen == forderung.kassenzeichen and note.betrag == forderung.betrag
        if fits:
            return _book(zahlung, note.status)
    audit.record(  # outside the refused transaction, so that the refusal stays on record
        mandant=mandant,
        actor=None,
        action="kasse.online.mismatch",
        object_type="kasse.forderung",
        object_id=str(forderung.pk),
        outcome=audit.Outcome.DENIED,
        details={"transaktion": note.transaktion},
    )
    raise EpayError("notification does not fit the Forderung")


def online_return(*, forderung: Forderung, provider: PaymentProvider) -> bool:
    """The citizen came back: ask the provider about the newest open transaction and book a
    payment it reports; True when this booked it."""
    zahlung = (
        OnlineZahlung.objects.filter(forderung=forderung, status="gestartet")
        .order_by("-created_at", "-pk")
        .first()
    )
    if zahlung is None:
        return False
    try:
        status = provider.status(zahlung.transaktion)
    except EpayError:
        return False
    if status == "offen":
        return False
    with transaction.atomic():
        return _book(zahlung, status)

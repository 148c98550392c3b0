from __future__ import annotations

from django.db import IntegrityError, transaction

from amtsfluss.akte.aktenzeichen import AktenzeichenTeile, counter_scope, render
from amtsfluss.akte.models import Akte, AktenzeichenRegel, FruehereAktenzeichen, Laufnummer
from amtsfluss.akte.models.aktenzeichen import DEFAULT_PATTERN
from amtsfluss.core.models import Mandant


def pattern_of(mandant: Mandant) -> str:
    regel = AktenzeichenRegel.objects.filter(mandant=mandant).first()
    return regel.muster if regel is not None else DEFAULT_PATTERN


def _locked_counter(mandant: Mandant, scope: str) -> Laufnummer:
    counter = Laufnummer.objects.select_for_update().filter(mandant=mandant, scope=scope).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            Laufnummer.objects.create(mandant=mandant, scope=scope)
    except IntegrityError:
        pass  # created concurrently by another transaction; lock theirs below
    return Laufnummer.objects.select_for_update().get(mandant=mandant, scope=scope)


def _taken(mandant: Mandant, aktenzeichen: str) -> bool:
    return (
        Akte.objects.filter(mandant=mandant, aktenzeichen=aktenzeichen).exists()
        or FruehereAktenzeichen.objects.filter(mandant=mandant, aktenzeichen=aktenzeichen).exists()
    )


def next_aktenzeichen(*, mandant: Mandant, teile: AktenzeichenTeile) -> tuple[str, int]:
    """Issue the next Aktenzeichen for these parts. Must run inside the caller's transaction.

    The counter row stays locked until the caller commits, so concurrent creations queue up
    and never get the same number. Numbers whose Aktenzeichen exists already (after a change
    of the pattern, or as a former Aktenzeichen) are skipped, so none is ever issued twice.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_aktenzeichen must run inside transaction.atomic()")
    pattern = pattern_of(mandant)
    counter = _locked_counter(mandant, counter_scope(pattern, teile))
    nr = counter.letzte
    while True:
        nr += 1
        aktenzeichen = render(pattern, teile, nr)
        if not _taken(mandant, aktenzeichen):
            break
    counter.letzte = nr
    counter.save(update_fields=["letzte"])
    return aktenzeichen, nr

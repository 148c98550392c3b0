"""Who may decide which approval step of a Rechnung — the rules, without side effects.

The workflow services call these under the Rechnung's row lock; selectors call them to show
what a person may do next. The four-eyes rule compares ``principal.user`` — the real human —
so a Vertretung never lets one person confirm two steps.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from amtsfluss.core.errors import PermissionDenied
from amtsfluss.core.models import Role
from amtsfluss.core.permissions import Principal
from amtsfluss.core.permissions.principal import valid_at
from amtsfluss.rechnung.models import (
    Anordnungsbefugnis,
    Entscheidung,
    Pruefschritt,
    Rechnung,
    RechnungStatus,
    Schritt,
)

#: The step that is open in a status, and the status its confirmation leads to.
OPEN_STEP: dict[str, str] = {
    RechnungStatus.EINGEGANGEN: Schritt.SACHLICH_RICHTIG,
    RechnungStatus.SACHLICH_RICHTIG: Schritt.RECHNERISCH_RICHTIG,
    RechnungStatus.RECHNERISCH_RICHTIG: Schritt.ANORDNUNG,
}
CONFIRMED_STATUS: dict[str, str] = {
    Schritt.SACHLICH_RICHTIG: RechnungStatus.SACHLICH_RICHTIG,
    Schritt.RECHNERISCH_RICHTIG: RechnungStatus.RECHNERISCH_RICHTIG,
    Schritt.ANORDNUNG: RechnungStatus.ANGEORDNET,
}
EXPECTED_STATUS: dict[str, str] = {step: status for status, step in OPEN_STEP.items()}


def works_in_unit(principal: Principal, rechnung: Rechnung) -> bool:
    return rechnung.unit_id is not None and rechnung.unit_id in principal.unit_ids()


def anordnungsbefugnis_for(principal: Principal, rechnung: Rechnung) -> Anordnungsbefugnis | None:
    """A valid Befugnis of an acting user over the Rechnung's unit covering its amount.

    The person's own Befugnis comes first; a deputy may use the absent person's (Vertretung).
    """
    if rechnung.unit_id is None or rechnung.zahlbetrag is None:
        return None
    candidates = Anordnungsbefugnis.objects.filter(
        valid_at(principal.at),
        mandant=principal.mandant,
        user_id__in=principal.acting_user_ids(),
        unit__descendant_links__descendant_id=rechnung.unit_id,
        betragsgrenze__gte=abs(rechnung.zahlbetrag),
    ).order_by("pk")
    ranked = sorted(candidates, key=lambda b: (b.user_id != principal.user.pk, b.pk))
    return ranked[0] if ranked else None


def may_decide(principal: Principal, rechnung: Rechnung, step: str) -> bool:
    """Whether ``principal`` holds the right for ``step`` (four eyes checked separately)."""
    if not principal.allows("change"):
        return False
    if step == Schritt.SACHLICH_RICHTIG:
        return works_in_unit(principal, rechnung)
    if step == Schritt.RECHNERISCH_RICHTIG:
        return rechnung.unit_id is not None and (
            principal.has_role(Role.RECHNUNGSPRUEFUNG) or works_in_unit(principal, rechnung)
        )
    return anordnungsbefugnis_for(principal, rechnung) is not None


def confirmed_before(principal: Principal, rechnung: Rechnung) -> bool:
    """Whether this human already confirmed a step of the Rechnung (four-eyes rule)."""
    return Pruefschritt.objects.filter(
        rechnung=rechnung, entscheidung=Entscheidung.BESTAETIGT, user=principal.user
    ).exists()


def require_may_confirm(principal: Principal, rechnung: Rechnung, step: str) -> None:
    if not may_decide(principal, rechnung, step):
        raise PermissionDenied(_refusal(step))
    if confirmed_before(principal, rechnung):
        raise PermissionDenied(
            _("Four-eyes principle: you have already confirmed a step of this invoice; "
              "another person must decide this one.")
        )  # fmt: skip


def may_clear(principal: Principal, rechnung: Rechnung) -> bool:
    """Kasse and Fachadministration (and the unit, if known) settle Klärung and Dubletten."""
    return principal.allows("change") and (
        principal.has_role(Role.KASSE, Role.FACHADMINISTRATION)
        or works_in_unit(principal, rechnung)
    )


def _refusal(step: str) -> str:
    if step == Schritt.SACHLICH_RICHTIG:
        return _("Only staff of the responsible unit confirm an invoice as sachlich richtig.")
    if step == Schritt.RECHNERISCH_RICHTIG:
        return _("Only Rechnungsprüfung or staff of the responsible unit confirm an invoice as "
                 "rechnerisch richtig.")  # fmt: skip
    return _("You hold no valid Anordnungsbefugnis for this unit and amount.")

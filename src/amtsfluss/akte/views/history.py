"""The history of an Akte as people read it: when, who, and what happened, in words.

The events are the audit log's (``akte_cover(...).history``). Refused attempts of others are
left out: they are about those persons, not about the Akte (the API's history does the same),
and stay in the audit log for Datenschutz.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from amtsfluss.core.models import AuditEvent
from amtsfluss.core.models.audit import Outcome
from amtsfluss.core.permissions import Principal
from amtsfluss.core.selectors.users import staff_user_list


@dataclass(frozen=True)
class HistoryRow:
    occurred_at: datetime
    person: str
    text: str


def _date(value: Any) -> str:
    try:
        return str(formats.date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT"))
    except ValueError:
        return str(value)


def _create(details: dict[str, Any]) -> str:
    return _("Akte formed")


def _zda(details: dict[str, Any]) -> str:
    kept = details.get("aufbewahren_bis")
    if kept and kept != "None":
        return _("Closed (zdA); to be kept until %(date)s") % {"date": _date(kept)}
    return _("Closed (zdA); to be kept permanently")


def _reopen(details: dict[str, Any]) -> str:
    return _("Reopened")


def _refile(details: dict[str, Any]) -> str:
    return _("Re-filed under %(position)s; former Aktenzeichen %(old)s") % {
        "position": details.get("position", "?"),
        "old": details.get("frueher", "?"),
    }


def _grant(details: dict[str, Any]) -> str:
    whom = details.get("user") or (_("unit %s") % details.get("unit"))
    if details.get("darf_bearbeiten"):
        return _("Access granted to %(whom)s, who may also work on it") % {"whom": whom}
    return _("Access granted to %(whom)s (read only)") % {"whom": whom}


def _revoke(details: dict[str, Any]) -> str:
    return _("Access withdrawn")


def _beteiligter(details: dict[str, Any]) -> str:
    return _("Person added to the Akte as “%(role)s”") % {"role": details.get("rolle", "")}


def _read(details: dict[str, Any]) -> str:
    return _("Opened (confidential Akte)")


_TEXTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "akte.create": _create,
    "akte.zda": _zda,
    "akte.reopen": _reopen,
    "akte.refile": _refile,
    "akte.beteiligung_grant": _grant,
    "akte.beteiligung_revoke": _revoke,
    "akte.beteiligter_add": _beteiligter,
    "akte.akte.read_confidential": _read,
}


def history_rows(*, principal: Principal, events: Iterable[AuditEvent]) -> list[HistoryRow]:
    """Readable rows, newest first; names of the people in one query."""
    shown = [event for event in events if event.outcome != Outcome.DENIED]
    ids = {event.actor_id for event in shown if event.actor_id is not None}
    names = (
        {
            user.pk: user.display_name
            for user in staff_user_list(principal=principal).filter(pk__in=ids)
        }
        if ids
        else {}
    )
    rows = []
    for event in shown:
        describe = _TEXTS.get(event.action)
        text = describe(event.details or {}) if describe else event.action
        if event.outcome == Outcome.FAILURE:
            text = _("%s (failed)") % text
        person = names.get(event.actor_id, event.actor_label) if event.actor_id else _("system")
        rows.append(HistoryRow(occurred_at=event.occurred_at, person=person, text=text))
    return rows

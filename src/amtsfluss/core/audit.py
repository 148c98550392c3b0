"""The tamper-evident audit log: append, and verify the hash chain.

Each Mandant has its own chain (the platform's own events form the chain ``platform``). An
event's hash covers all of its fields and the previous event's hash; the chain head keeps the
last sequence number and hash so that removing the newest rows is detected as well.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from amtsfluss.core import context
from amtsfluss.core.models import AuditChainHead, AuditEvent, Mandant, User
from amtsfluss.core.models.audit import Outcome

if TYPE_CHECKING:
    from amtsfluss.core.permissions import Principal

GENESIS = "0" * 64
PLATFORM_CHAIN = "platform"

__all__ = ["GENESIS", "Outcome", "chain_of", "record", "record_action", "verify"]


def chain_of(mandant: Mandant | None) -> str:
    return PLATFORM_CHAIN if mandant is None else f"mandant-{mandant.pk}"


def link_hash(event: AuditEvent) -> str:
    payload = {
        "chain": event.chain,
        "seq": event.seq,
        "mandant": event.mandant_id,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
        "client_address": event.client_address,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _clean_text(value: str) -> str:
    """PostgreSQL cannot store NUL in text; keep the event (it may describe an attack)."""
    return value.replace("\x00", "\ufffd")


def _clean_details(value: Any, path: str = "details") -> Any:
    """JSON that PostgreSQL's jsonb gives back exactly, so the recomputed hash matches.

    jsonb rewrites floats (-0.0 becomes 0, 1e16 becomes 10000000000000000): they are refused,
    pass an int or a string. NUL characters become U+FFFD (see ``_clean_text``).
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, list | tuple):
        return [_clean_details(item, f"{path}[{n}]") for n, item in enumerate(value)]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError(f"{path}: keys must be strings")
        return {_clean_text(k): _clean_details(v, f"{path}.{k}") for k, v in value.items()}
    raise TypeError(
        f"{path}: {type(value).__name__} is not allowed in audit details "
        "(use str, int, bool, None, list, dict; floats do not survive jsonb exactly)"
    )


def record(
    *,
    mandant: Mandant | None,
    actor: User | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    outcome: str = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the Mandant's chain, inside the caller's transaction if any.

    The chain head row is locked for the append, so concurrent writers queue up per Mandant.
    No savepoint of its own: an event that cannot be written fails the caller's transaction,
    which must not commit without it.
    """
    ctx = context.current()
    chain = chain_of(mandant)
    label = actor_label or (actor.username if actor is not None else f"<{ctx.channel}>")
    clean_details = _clean_details(details or {})
    with transaction.atomic(savepoint=False):
        head = _locked_head(chain)
        event = AuditEvent(
            chain=chain,
            seq=head.seq + 1,
            mandant=mandant,
            occurred_at=timezone.now().astimezone(UTC),
            actor_id=actor.pk if actor is not None else None,
            actor_label=_clean_text(label)[:200],
            action=_clean_text(action),
            object_type=_clean_text(object_type),
            object_id=_clean_text(object_id)[:80],
            outcome=outcome,
            client_address=_clean_text(ctx.client_address),
            details=clean_details,
            prev_hash=head.hash,
        )
        event.hash = link_hash(event)
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event


def _locked_head(chain: str) -> AuditChainHead:
    """The chain's head row, locked; formed with the chain's first event."""
    locked = AuditChainHead.objects.select_for_update()
    for head in locked.filter(chain=chain):
        return head
    AuditChainHead.objects.get_or_create(chain=chain, defaults={"hash": GENESIS})
    return locked.get(chain=chain)


def record_action(principal: Principal, action: str, obj: Model, **details: Any) -> AuditEvent:
    """Record what ``principal`` did to ``obj`` (object type from the model's label)."""
    return record(
        mandant=principal.mandant,
        actor=principal.user,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        details=details,
    )


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"chain {self.chain}, event #{self.seq}: {self.reason}"


def verify(
    *, chains: list[str] | None = None, progress: Callable[[int], None] | None = None
) -> list[BrokenLink]:
    """Check every chain; return the first broken link of each broken chain (empty = intact)."""
    heads = {head.chain: head for head in AuditChainHead.objects.all()}
    event_chains = set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    names = sorted(set(heads) | event_chains) if chains is None else chains
    broken: list[BrokenLink] = []
    for name in names:
        problem = _verify_chain(name, heads.get(name), progress)
        if problem is not None:
            broken.append(problem)
    return broken


def _events(chain: str) -> Iterator[AuditEvent]:
    return AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000)


def _verify_chain(
    chain: str, head: AuditChainHead | None, progress: Callable[[int], None] | None
) -> BrokenLink | None:
    expected_seq, prev_hash = 1, GENESIS
    for event in _events(chain):
        if event.seq != expected_seq:
            return BrokenLink(chain, expected_seq, "missing (removed)")
        if event.prev_hash != prev_hash:
            return BrokenLink(chain, event.seq, "does not link to its predecessor")
        if link_hash(event) != event.hash:
            return BrokenLink(chain, event.seq, "content changed after it was written")
        expected_seq, prev_hash = event.seq + 1, event.hash
        if progress is not None:
            progress(1)
    last_seq = expected_seq - 1
    if head is None:
        return BrokenLink(chain, last_seq, "chain head missing") if last_seq else None
    if head.seq > last_seq:
        return BrokenLink(chain, last_seq + 1, f"missing (head expects #{head.seq})")
    if head.seq < last_seq:
        return BrokenLink(chain, head.seq + 1, f"not covered by the chain head (#{head.seq})")
    if head.hash != prev_hash:
        return BrokenLink(chain, last_seq, "content changed after it was written (head differs)")
    return None

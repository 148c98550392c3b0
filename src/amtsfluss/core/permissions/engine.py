from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from django.db.models import BooleanField, Expression, ExpressionWrapper, Model, Q, QuerySet, Value
from django.http import Http404

from amtsfluss.core.permissions.principal import Principal


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    MANAGE = "manage"


class Policy(Protocol):
    """Answers, for one model, which rows a principal may act on — as a Q, never a loop."""

    def scope(self, principal: Principal, action: str) -> Q: ...

    def is_confidential(self, obj: Any) -> bool: ...


_POLICIES: dict[type[Model], Policy] = {}


def register(model: type[Model]) -> Any:
    """Class decorator: ``@register(Akte) class AktePolicy: ...``"""

    def decorate(policy_class: type[Any]) -> type[Any]:
        _POLICIES[model] = policy_class()
        return policy_class

    return decorate


def policy_for(model: type[Model]) -> Policy:
    try:
        return _POLICIES[model]
    except KeyError:
        raise LookupError(f"No permission policy registered for {model.__name__}") from None


def permitted[M: Model](
    model: type[M],
    *,
    principal: Principal,
    action: str,
    queryset: QuerySet[M] | None = None,
) -> QuerySet[M]:
    """All objects of ``model`` in the principal's Mandant they may do ``action`` on.

    One filtering query: the policy's Q consists of subqueries only. Chain further filters,
    ordering or ``select_related`` onto the result as you like.
    """
    policy = policy_for(model)
    base = model._default_manager.all() if queryset is None else queryset
    if not principal.is_member_of_mandant or not principal.allows(action):
        return base.none()
    return base.filter(mandant=principal.mandant).filter(policy.scope(principal, action))


def permits(model: type[Model], *, principal: Principal, action: str) -> Expression:
    """Whether a row of ``model`` permits ``action``, as a boolean expression for ``annotate``:
    a list shows what each of its rows allows in the list's own query, not one query more.
    It is the same condition :func:`permitted` filters by."""
    if not principal.is_member_of_mandant or not principal.allows(action):
        return Value(False)
    condition = Q(mandant=principal.mandant) & policy_for(model).scope(principal, action)
    return ExpressionWrapper(condition, output_field=BooleanField())


def access[M: Model](
    model: type[M],
    *,
    principal: Principal,
    action: str,
    pk: Any,
    queryset: QuerySet[M] | None = None,
) -> M:
    """Fetch one object and authorize ``action`` on it, or raise ``Http404``.

    A refusal and every read of a confidential object are audit events.
    """
    from amtsfluss.core import audit

    label = model._meta.label_lower
    obj = permitted(model, principal=principal, action=action, queryset=queryset).filter(pk=pk)
    found = obj.first()
    if found is None:
        audit.record(
            mandant=principal.mandant,
            actor=principal.user,
            action=f"{label}.{action}",
            object_type=label,
            object_id=str(pk),
            outcome=audit.Outcome.DENIED,
        )
        raise Http404
    if action == Action.VIEW and policy_for(model).is_confidential(found):
        audit.record(
            mandant=principal.mandant,
            actor=principal.user,
            action=f"{label}.read_confidential",
            object_type=label,
            object_id=str(pk),
        )
    return found

"""The permission engine: which objects of a kind may this principal do this action on.

Read ``docs/permissions.md`` first. In short:

* :class:`Principal` is the acting user in one Mandant at one moment (plus API-key scopes).
* Every model with objects has one registered :class:`Policy` that turns (principal, action)
  into a ``Q`` over the model. The Q only uses subqueries, so ``permitted()`` is **one** SQL query.
* ``access()`` fetches one object through ``permitted()`` — an object the principal may not
  act on does not exist for them (the API answers 404) and the refusal is audited.
* ``permits()`` is the same condition as a boolean column, for lists that show what each row
  allows (e.g. a "done" button) without one query per row.
"""

from amtsfluss.core.permissions.engine import (
    Action,
    access,
    permits,
    permitted,
    policy_for,
    register,
)
from amtsfluss.core.permissions.principal import Principal

__all__ = ["Action", "Principal", "access", "permits", "permitted", "policy_for", "register"]

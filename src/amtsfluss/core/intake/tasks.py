"""Background tasks of intake: every minute, one task per due channel.

Registered with ``core.periodic`` on import; ``amtsfluss.core.tasks`` imports this module, so
every worker polls.
"""

from __future__ import annotations

from typing import Any

from django.tasks import task

from amtsfluss.core import periodic
from amtsfluss.core.intake import runner


@task
def poll_intake_channels() -> list[int]:
    """Enqueue one :func:`poll_intake_channel` per due channel; return their ids."""
    claimed = runner.claim_due()
    for channel_id in claimed:
        poll_intake_channel.enqueue(channel_id)
    return claimed


@task
def poll_intake_channel(channel_id: int) -> dict[str, Any] | None:
    report = runner.run_channel(channel_id)
    return None if report is None else report.as_dict()


periodic.register("core.intake_poll", poll_intake_channels, every=runner.POLL_EVERY)

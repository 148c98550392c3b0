"""Real concurrency in tests: actions in threads behind a barrier, each with its own database
connection (closed when the thread ends)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections


def race(*actions: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    """Start all ``actions`` at the same moment; (their results, the exceptions raised)."""
    won: list[object] = []
    lost: list[BaseException] = []
    barrier = threading.Barrier(len(actions))

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            won.append(action())
        except BaseException as exc:  # collected for the main thread
            lost.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, lost


def race_on_postgres(*actions: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    """:func:`race` where row locks decide: PostgreSQL only (SQLite serialises writers)."""
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is proven on PostgreSQL; SQLite serialises writers")
    return race(*actions)

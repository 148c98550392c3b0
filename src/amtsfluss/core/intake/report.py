"""What one channel run did (returned by the task, printed by ``intake poll``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class RunReport:
    done: int = 0
    failed: int = 0
    refused: int = 0
    moved: int = 0
    skipped: int = 0

    def count(self, state: str) -> None:
        setattr(self, state, getattr(self, state) + 1)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

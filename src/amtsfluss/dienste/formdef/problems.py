"""Problems found in a definition or a fee rule, each with the JSON path it is at."""

from __future__ import annotations

from amtsfluss.core.errors import ServiceError

MAX_PROBLEMS = 50


class DefinitionError(ServiceError):
    """A form definition or fee rule was refused; ``problems`` lists ``$.path: message``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems), code="definition_invalid")
        self.problems = problems


class Problems:
    """Collects problems (translated messages), each prefixed by its JSON path (``$.steps[0]``)."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(f"{path}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise DefinitionError(list(self.items))

"""Demo seal for Musterstadt: a self-signed certificate in the data directory.

Importing this module appends ``create_siegel_demo`` to ``amtsfluss.core.demo.DEMO_STEPS``;
``make run`` also calls ``amtsfluss siegel demo`` (idempotent) for a demo made before the seal.
"""

from __future__ import annotations

from amtsfluss.core.demo import DEMO_STEPS
from amtsfluss.core.models import Mandant, User
from amtsfluss.siegel.services import demo_siegel_create


def create_siegel_demo(mandant: Mandant, users: dict[str, User]) -> None:
    demo_siegel_create(mandant=mandant, by=users.get("fachadministration"))


if create_siegel_demo not in DEMO_STEPS:
    DEMO_STEPS.append(create_siegel_demo)

"""Demo step of the Posteingang: where unrouted post of Musterstadt is filed.

Importing this module appends ``create_posteingang_demo`` to ``amtsfluss.core.demo.DEMO_STEPS``
(after the E-Akte's step, which imports the Aktenplan). Without it an upload, a mail or
``amtsfluss import --auto`` of the demo would end as a Klärungsfall ("no Aktenplan position").
"""

from __future__ import annotations

from amtsfluss.akte import demo as akte_demo
from amtsfluss.akte.models import Aktenplanposition
from amtsfluss.core.demo import DEMO_STEPS
from amtsfluss.core.models import Mandant, User
from amtsfluss.posteingang.services.ablage import posteingang_position_set

#: "Aktenplan, Schriftgutverwaltung und Aussonderung" — the Registratur's position
POSTEINGANG_POSITION = "0.4.3"


def create_posteingang_demo(mandant: Mandant, users: dict[str, User]) -> None:
    position = Aktenplanposition.objects.get(mandant=mandant, kennzeichen=POSTEINGANG_POSITION)
    posteingang_position_set(mandant=mandant, position_id=position.pk)


if create_posteingang_demo not in DEMO_STEPS:
    DEMO_STEPS.insert(DEMO_STEPS.index(akte_demo.create_akte_demo) + 1, create_posteingang_demo)

from amtsfluss.posteingang.models.eingang import (
    OFFENE_STATUS,
    Eingang,
    EingangStatus,
    Schritt,
    Textquelle,
    Transfervermerk,
)
from amtsfluss.posteingang.models.klassifikation import Klassifikator, Vorschlag, VorschlagStatus
from amtsfluss.posteingang.models.sendung import Kanal, PosteingangEinstellung, Sendung

__all__ = [
    "OFFENE_STATUS",
    "Eingang",
    "EingangStatus",
    "Kanal",
    "Klassifikator",
    "PosteingangEinstellung",
    "Schritt",
    "Sendung",
    "Textquelle",
    "Transfervermerk",
    "Vorschlag",
    "VorschlagStatus",
]

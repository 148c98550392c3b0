from amtsfluss.dienste.models.antrag import Antrag, AntragEreignis, AntragStatus
from amtsfluss.dienste.models.entwurf import Entwurf, EntwurfDatei
from amtsfluss.dienste.models.formular import Formular, Formularversion
from amtsfluss.dienste.models.leistung import (
    LEIKA_LENGTH,
    Lebenslage,
    Leistung,
    LeistungLebenslage,
)

__all__ = [
    "LEIKA_LENGTH",
    "Antrag",
    "AntragEreignis",
    "AntragStatus",
    "Entwurf",
    "EntwurfDatei",
    "Formular",
    "Formularversion",
    "Lebenslage",
    "Leistung",
    "LeistungLebenslage",
]

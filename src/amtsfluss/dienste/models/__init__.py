from amtsfluss.dienste.models.entwurf import Entwurf
from amtsfluss.dienste.models.formular import Formular, Formularversion
from amtsfluss.dienste.models.leistung import (
    LEIKA_LENGTH,
    Lebenslage,
    Leistung,
    LeistungLebenslage,
)

__all__ = [
    "LEIKA_LENGTH",
    "Entwurf",
    "Formular",
    "Formularversion",
    "Lebenslage",
    "Leistung",
    "LeistungLebenslage",
]

from amtsfluss.akte.models.akte import (
    Akte,
    AktenStatus,
    Beteiligter,
    Beteiligung,
    FruehereAktenzeichen,
    Person,
    PersonArt,
    Vertraulichkeit,
)
from amtsfluss.akte.models.aktenplan import Aktenplanposition, Archivwuerdigkeit
from amtsfluss.akte.models.aktenzeichen import AktenzeichenRegel, Laufnummer
from amtsfluss.akte.models.dokument import (
    Dokument,
    Dokumenttyp,
    Dokumentversion,
    Rendition,
    Richtung,
)
from amtsfluss.akte.models.vorgang import Vorgang, VorgangStatus
from amtsfluss.akte.models.wiedervorlage import Wiedervorlage

__all__ = [
    "Akte",
    "AktenStatus",
    "Aktenplanposition",
    "AktenzeichenRegel",
    "Archivwuerdigkeit",
    "Beteiligter",
    "Beteiligung",
    "Dokument",
    "Dokumenttyp",
    "Dokumentversion",
    "FruehereAktenzeichen",
    "Laufnummer",
    "Person",
    "PersonArt",
    "Rendition",
    "Richtung",
    "Vertraulichkeit",
    "Vorgang",
    "VorgangStatus",
    "Wiedervorlage",
]

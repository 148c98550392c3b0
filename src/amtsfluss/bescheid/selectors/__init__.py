from amtsfluss.bescheid.selectors.bescheid import (
    access_bescheid,
    bescheide_for_vorgang,
    leistungen_with_vorlage,
    signers_for,
    zur_schlusszeichnung,
)

__all__ = [
    "access_bescheid",
    "bescheide_for_vorgang",
    "leistungen_with_vorlage",
    "signers_for",
    "zur_schlusszeichnung",
]

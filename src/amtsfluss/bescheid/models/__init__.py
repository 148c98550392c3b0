from amtsfluss.bescheid.models.bescheid import Bescheid, BescheidStatus
from amtsfluss.bescheid.models.vorlage import BescheidVorlage

__all__ = ["Bescheid", "BescheidStatus", "BescheidVorlage"]

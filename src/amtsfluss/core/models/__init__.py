from amtsfluss.core.models.apikey import ApiKey
from amtsfluss.core.models.audit import AuditChainHead, AuditEvent
from amtsfluss.core.models.blob import Blob
from amtsfluss.core.models.intake import IntakeChannel, IntakeRecord
from amtsfluss.core.models.login import LoginFailure
from amtsfluss.core.models.mandant import Mandant, MandantHost, MandantScoped
from amtsfluss.core.models.organisation import (
    Membership,
    Organisationseinheit,
    OrganisationseinheitClosure,
    Role,
    UnitKind,
)
from amtsfluss.core.models.periodic import PeriodicRun
from amtsfluss.core.models.user import User
from amtsfluss.core.models.vertretung import Vertretung
from amtsfluss.core.models.worker import WorkerHeartbeat

__all__ = [
    "ApiKey",
    "AuditChainHead",
    "AuditEvent",
    "Blob",
    "IntakeChannel",
    "IntakeRecord",
    "LoginFailure",
    "Mandant",
    "MandantHost",
    "MandantScoped",
    "Membership",
    "Organisationseinheit",
    "OrganisationseinheitClosure",
    "PeriodicRun",
    "Role",
    "UnitKind",
    "User",
    "Vertretung",
    "WorkerHeartbeat",
]

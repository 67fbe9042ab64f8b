"""Every domain's models, imported once so the mapper and Alembic see all of them."""

from backend.accounts.models import ApiToken, PasswordResetToken, Role, User, WebSession
from backend.alerts.models import Alert, AlertKind, AlertStatus
from backend.base import Base, MatchState
from backend.capabilities.models import Capability, CapabilityKind, CapabilityStatus
from backend.chains.models import IndustryChain
from backend.imports.models import ImportJob, ImportRow
from backend.ledger.models import CollaborationEvent
from backend.matches import lexical_index  # noqa: F401  (the impact-ordered lexical index tables)
from backend.matches.models import DeclineReason, EmbeddingIndex, Match, MatchMessage, MatchStatus
from backend.needs.models import NdaAcceptance, Need, NeedStatus, Visibility
from backend.notifications.models import Notification, OutboxMail, Preference
from backend.organisations.models import Organisation, OrgKind
from backend.partnerships.models import Partnership, PartnershipKind
from backend.projects.models import JointProject, MajorLevel, Milestone, ProjectStatus
from backend.regions.models import Region, RegionLevel
from backend.scores.models import Dimension, ScoreSnapshot

__all__ = [
    "Alert", "AlertKind", "AlertStatus",
    "ImportJob", "ImportRow", "Notification", "Preference",
    "ApiToken", "MatchMessage", "NdaAcceptance", "OutboxMail", "PasswordResetToken", "WebSession",
    "Base", "Capability", "CapabilityKind", "CapabilityStatus", "CollaborationEvent", "DeclineReason", "EmbeddingIndex",
    "Dimension", "IndustryChain", "JointProject", "MajorLevel", "Match", "MatchState", "MatchStatus",
    "Milestone", "Need", "NeedStatus", "Organisation", "OrgKind", "Partnership", "PartnershipKind",
    "ProjectStatus", "Region", "RegionLevel", "Role", "ScoreSnapshot", "User", "Visibility",
]

# Not a model: the session listeners that turn new ledger events into notifications, installed wherever the
# models are (web, worker, commands).
import backend.notifications.service  # noqa: E402, F401

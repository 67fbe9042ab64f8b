"""Words for the codes the database stores (statuses, kinds, reasons, roles), in the reader's language.

Templates write `{{ need.status|label }}`; every code has its English words here, marked for extraction,
and the catalogues translate them. A test checks that every member of these enums has a label.
"""

import enum

from backend.accounts.models import Role
from backend.capabilities.models import CapabilityKind, CapabilityStatus
from backend.i18n import gettext, lazy
from backend.imports.models import ImportStatus, RowOutcome
from backend.matches.models import DeclineReason, MatchStatus
from backend.needs.models import NeedStatus, Visibility
from backend.organisations.models import OrgKind
from backend.partnerships.models import PartnershipKind
from backend.projects.models import MajorLevel, ProjectStatus

# (code, words) pairs: different enums share values ("active", "draft"), so they are looked up by type too.
LABELS: list[tuple[enum.Enum, str]] = [
    (Role.FIRM_MEMBER, lazy("firm member")),
    (Role.TECH_TRANSFER_OFFICER, lazy("technology-transfer officer")),
    (Role.GOVERNMENT_ANALYST, lazy("government analyst")),
    (Role.ADMIN, lazy("administrator")),
    (OrgKind.FIRM, lazy("firm")),
    (OrgKind.UNIVERSITY, lazy("university")),
    (OrgKind.INSTITUTE, lazy("research institute")),
    (OrgKind.GOVERNMENT, lazy("government body")),
    (OrgKind.FOREIGN_PARTNER, lazy("foreign university or institute")),
    (NeedStatus.DRAFT, lazy("draft")),
    (NeedStatus.OPEN, lazy("open")),
    (NeedStatus.IN_PROGRESS, lazy("in progress")),
    (NeedStatus.SOLVED, lazy("solved")),
    (NeedStatus.CLOSED, lazy("closed")),
    (Visibility.PUBLIC, lazy("public")),
    (Visibility.REGISTERED, lazy("registered users only")),
    (Visibility.CONFIDENTIAL, lazy("confidential")),
    (CapabilityKind.EXPERTISE, lazy("expertise")),
    (CapabilityKind.PATENT, lazy("patent")),
    (CapabilityKind.EQUIPMENT, lazy("equipment")),
    (CapabilityKind.RESULT, lazy("result ready for transfer")),
    (CapabilityStatus.DRAFT, lazy("draft")),
    (CapabilityStatus.ACTIVE, lazy("active")),
    (CapabilityStatus.ARCHIVED, lazy("retired")),
    (MatchStatus.PROPOSED, lazy("proposed")),
    (MatchStatus.FIRM_INTERESTED, lazy("firm interested")),
    (MatchStatus.UNIVERSITY_INTERESTED, lazy("university interested")),
    (MatchStatus.ACCEPTED, lazy("accepted")),
    (MatchStatus.DECLINED, lazy("declined")),
    (MatchStatus.EXPIRED, lazy("expired")),
    (MatchStatus.WITHDRAWN, lazy("withdrawn by the platform")),
    (DeclineReason.TRL_TOO_EARLY, lazy("technology not mature enough")),
    (DeclineReason.UNCLEAR_BENEFIT, lazy("benefit unclear")),
    (DeclineReason.OUT_OF_SCOPE, lazy("outside our scope")),
    (DeclineReason.BUDGET, lazy("budget does not fit")),
    (DeclineReason.ALREADY_SOLVED, lazy("already solved")),
    (DeclineReason.OTHER, lazy("other reason")),
    (ProjectStatus.PLANNED, lazy("planned")),
    (ProjectStatus.ACTIVE, lazy("under way")),
    (ProjectStatus.COMPLETED, lazy("completed")),
    (ProjectStatus.COMMERCIALISED, lazy("commercialised")),
    (ProjectStatus.TERMINATED, lazy("terminated")),
    (MajorLevel.NONE, lazy("not a major project")),
    (MajorLevel.MUNICIPAL, lazy("municipal major project")),
    (MajorLevel.PROVINCIAL, lazy("provincial major project")),
    (MajorLevel.NATIONAL, lazy("national major project")),
    (PartnershipKind.JOINT_RD, lazy("joint R&D")),
    (PartnershipKind.LICENSING, lazy("licensing")),
    (PartnershipKind.INVESTMENT, lazy("investment")),
    (PartnershipKind.TALENT_EXCHANGE, lazy("talent exchange")),
    (PartnershipKind.CO_PUBLICATION, lazy("co-publication")),
    (ImportStatus.QUEUED, lazy("waiting")),
    (ImportStatus.RUNNING, lazy("importing")),
    (ImportStatus.DONE, lazy("finished")),
    (ImportStatus.FAILED, lazy("failed")),
    (RowOutcome.CREATED, lazy("added")),
    (RowOutcome.UPDATED, lazy("updated")),
    (RowOutcome.REJECTED, lazy("rejected")),
]
_WORDS = {(type(code), code.value): words for code, words in LABELS}

LANGUAGES = {"zh": lazy("Chinese"), "en": lazy("English")}

# The engine's similarity bands (matching.explain.similarity_label).
SIMILARITY = {"very close": lazy("semantically very close"), "close": lazy("semantically close"),
              "related": lazy("semantically related"), "weak": lazy("weakly related")}


def label(code: enum.Enum | str | None) -> str:
    """The words for a stored code in the reader's language ('' for None)."""
    if code is None:
        return ""
    if isinstance(code, enum.Enum):
        return gettext(_WORDS.get((type(code), code.value), code.value))
    return gettext(LANGUAGES.get(code, code))


def similarity(band: str | None) -> str:
    return gettext(SIMILARITY[band]) if band in SIMILARITY else ""


#: Words of the calibrated match score's bands (matching.calibration.BANDS).
MATCH_BANDS = {"likely": lazy("likely relevant"), "possible": lazy("possibly relevant"),
               "worth_a_look": lazy("worth a look"), "weak": lazy("unlikely to fit")}


def match_band(band: str | None) -> str:
    return gettext(MATCH_BANDS[band]) if band in MATCH_BANDS else ""


def options(enum_cls: type[enum.Enum]) -> list[tuple[str, str]]:
    """(value, words) pairs of every member, for a select or checkboxes."""
    return [(m.value, label(m)) for m in enum_cls]


def install(env) -> None:  # noqa: ANN001 - a jinja2.Environment
    env.filters["label"] = label
    env.filters["similarity"] = similarity
    env.filters["match_band"] = match_band
    env.globals["label_options"] = options
    # The coded decline reasons, for the small decline forms of match lists.
    env.globals["decline_reason_options"] = lambda: options(DeclineReason)

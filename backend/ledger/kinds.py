"""The closed list of ledger event kinds and the payload each one carries (validated when written)."""

import enum
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class EventKind(enum.StrEnum):
    NEED_DRAFTED = "need.drafted"
    NEED_POSTED = "need.posted"
    NEED_EDITED = "need.edited"
    NEED_REOPENED = "need.open"  # in progress -> open again
    NEED_IN_PROGRESS = "need.in_progress"
    NEED_SOLVED = "need.solved"
    NEED_CLOSED = "need.closed"
    NEED_DEADLINE_PASSED = "need.deadline_passed"
    NEED_NDA_CONFIRMED = "need.nda_confirmed"
    CAPABILITY_DRAFTED = "capability.drafted"
    CAPABILITY_POSTED = "capability.posted"
    CAPABILITY_EDITED = "capability.edited"
    CAPABILITY_RETIRED = "capability.retired"
    MATCH_PROPOSED = "match.proposed"
    MATCH_FIRM_INTERESTED = "match.firm_interested"
    MATCH_UNIVERSITY_INTERESTED = "match.university_interested"
    MATCH_ACCEPTED = "match.accepted"
    MATCH_DECLINED = "match.declined"
    MATCH_EXPIRED = "match.expired"
    MATCH_WITHDRAWN = "match.withdrawn"
    MATCH_MESSAGE = "match.message"
    PROJECT_CREATED = "project.created"
    PROJECT_ACTIVE = "project.active"
    PROJECT_COMPLETED = "project.completed"
    PROJECT_COMMERCIALISED = "project.commercialised"
    PROJECT_TERMINATED = "project.terminated"
    PROJECT_MILESTONE_ADDED = "project.milestone_added"
    PROJECT_MILESTONE_DONE = "project.milestone_done"
    PROJECT_UPDATED = "project.updated"
    PARTNERSHIP_CREATED = "partnership.created"
    ORGANISATION_VERIFIED = "organisation.verified"
    ORGANISATION_REJECTED = "organisation.rejected"
    ALERT_RAISED = "alert.raised"
    ALERT_ASSIGNED = "alert.assigned"
    ALERT_RESOLVED = "alert.resolved"
    SCORE_TARGET_SET = "score_target.set"

    @classmethod
    def of_status(cls, subject: str, status: str) -> "EventKind":
        """The kind written when a need, match or project moves to `status` (e.g. `match.accepted`)."""
        return cls(f"{subject}.{status}")


class InvalidEvent(ValueError):
    """An event of an unknown kind, with a malformed payload or without the reference its kind needs."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Empty(_Payload):
    pass


class StatusChange(_Payload):
    from_: str = Field(alias="from")


class Posted(_Payload):
    from_: str | None = Field(default=None, alias="from")


class Edited(_Payload):
    fields: list[str]


class DeadlinePassed(_Payload):
    deadline: date
    mailed: int = Field(ge=0)


class NdaConfirmed(_Payload):
    statement_version: str
    user_id: int


class MatchProposed(_Payload):
    fused_score: float
    rank: int | None = Field(default=None, ge=1)


class MatchStatusChange(_Payload):
    from_: str = Field(alias="from")
    reason: str | None = None


class MatchMessage(_Payload):
    message_id: int
    organisation_id: int | None


class ProjectCreated(_Payload):
    contract_value_cny: float = Field(ge=0)
    major_level: str


class MilestoneDone(_Payload):
    milestone_id: int
    title: str


class MilestoneAdded(_Payload):
    milestone_id: int
    title: str
    due_on: date | None = None
    by_organisation_id: int | None = None


class ProjectDetails(_Payload):
    contract_value_cny: float = Field(ge=0)
    major_level: str


class ProjectUpdated(_Payload):
    before: ProjectDetails
    contract_value_cny: float = Field(ge=0)
    major_level: str


class PartnershipCreated(_Payload):
    country: str = Field(min_length=2, max_length=2)
    kind: str
    value_cny: float = Field(ge=0)


class AlertRaised(_Payload):
    alert_id: int
    alert_kind: str
    subject: str


class AlertAssigned(_Payload):
    alert_id: int
    alert_kind: str
    assignee_id: int
    previous_assignee_id: int | None = None
    by_user_id: int | None = None


class AlertResolved(_Payload):
    alert_id: int
    alert_kind: str
    raised_at: datetime
    automatic: bool  # the daily job closed it because its cause went away
    by_user_id: int | None = None


class TargetValues(_Payload):
    target: float
    worst: float


class ScoreTargetSet(_Payload):
    region_code: str
    component: str
    before: TargetValues  # what applied until now (the settings file's or an earlier admin's)
    target: float | None  # None: back to the settings file's
    worst: float | None
    by_user_id: int | None = None


K = EventKind
PAYLOADS: dict[EventKind, type[_Payload]] = {
    K.NEED_DRAFTED: Empty, K.NEED_POSTED: Posted, K.NEED_EDITED: Edited,
    K.NEED_REOPENED: StatusChange, K.NEED_IN_PROGRESS: StatusChange, K.NEED_SOLVED: StatusChange,
    K.NEED_CLOSED: StatusChange, K.NEED_DEADLINE_PASSED: DeadlinePassed, K.NEED_NDA_CONFIRMED: NdaConfirmed,
    K.CAPABILITY_DRAFTED: Empty, K.CAPABILITY_POSTED: Empty, K.CAPABILITY_EDITED: Edited,
    K.CAPABILITY_RETIRED: StatusChange,
    K.MATCH_PROPOSED: MatchProposed, K.MATCH_FIRM_INTERESTED: MatchStatusChange,
    K.MATCH_UNIVERSITY_INTERESTED: MatchStatusChange, K.MATCH_ACCEPTED: MatchStatusChange,
    K.MATCH_DECLINED: MatchStatusChange, K.MATCH_EXPIRED: MatchStatusChange, K.MATCH_WITHDRAWN: MatchStatusChange,
    K.MATCH_MESSAGE: MatchMessage,
    K.PROJECT_CREATED: ProjectCreated, K.PROJECT_ACTIVE: StatusChange, K.PROJECT_COMPLETED: StatusChange,
    K.PROJECT_COMMERCIALISED: StatusChange, K.PROJECT_TERMINATED: StatusChange,
    K.PROJECT_MILESTONE_ADDED: MilestoneAdded, K.PROJECT_MILESTONE_DONE: MilestoneDone,
    K.PROJECT_UPDATED: ProjectUpdated,
    K.PARTNERSHIP_CREATED: PartnershipCreated,
    K.ORGANISATION_VERIFIED: Empty, K.ORGANISATION_REJECTED: Empty,
    K.ALERT_RAISED: AlertRaised, K.ALERT_ASSIGNED: AlertAssigned, K.ALERT_RESOLVED: AlertResolved,
    K.SCORE_TARGET_SET: ScoreTargetSet,
}

# The reference every kind of a subject must carry (a match event names its need and capability too).
REQUIRED_REFERENCES: dict[str, tuple[str, ...]] = {
    "need": ("need_id",),
    "capability": ("capability_id",),
    "match": ("match_id", "need_id", "capability_id"),
    "project": ("project_id",),
    "partnership": ("partnership_id",),
    "organisation": ("organisation_ids",),
    "alert": (),  # the alert's id is in the payload; the ledger has no alert column
    "score_target": (),  # an admin's target for a region: the region column and the payload say which
}
# need.nda_confirmed is written by the match service and names the match as well.
EXTRA_REFERENCES: dict[EventKind, tuple[str, ...]] = {K.NEED_NDA_CONFIRMED: ("match_id",)}


def validate(kind: str, data: dict | None, references: dict[str, object]) -> tuple[EventKind, dict]:
    """The kind as an `EventKind` and the payload as stored (JSON types), or `InvalidEvent`."""
    try:
        member = EventKind(kind)
    except ValueError:
        raise InvalidEvent(f"unknown ledger event kind {kind!r}") from None
    try:
        payload = PAYLOADS[member].model_validate(data or {})
    except ValidationError as err:
        raise InvalidEvent(f"malformed payload for {member.value}: {err}") from None
    subject = member.value.split(".", 1)[0]
    for name in REQUIRED_REFERENCES[subject] + EXTRA_REFERENCES.get(member, ()):
        if not references.get(name):
            raise InvalidEvent(f"a {member.value} event needs {name}")
    return member, payload.model_dump(mode="json", by_alias=True, exclude_unset=True)

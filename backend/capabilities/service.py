"""The rules of capabilities: drafts, publication, edits and retirement, each with one ledger event.

Services flush and never commit. A capability is matched only while it is active: a draft (its organisation
waits for verification) and a retired one are indexed but never matched and never on a board.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from backend import jobs, lifecycle, postings
from backend.base import MatchState
from backend.capabilities import repository
from backend.capabilities.models import Capability, CapabilityKind, CapabilityStatus
from backend.capabilities.schemas import CapabilityIn, CapabilityUpdate
from backend.errors import Conflict, InvalidInput, NotFound
from backend.i18n import lazy
from backend.ledger import service as ledger
from backend.ledger.kinds import EventKind
from backend.organisations import repository as orgs
from backend.organisations.models import Organisation

# Allowed steps; a retired capability stays retired (post a new one instead).
CAPABILITY_TRANSITIONS: dict[CapabilityStatus, set[CapabilityStatus]] = {
    CapabilityStatus.DRAFT: {CapabilityStatus.ACTIVE, CapabilityStatus.ARCHIVED},
    CapabilityStatus.ACTIVE: {CapabilityStatus.ARCHIVED},
    CapabilityStatus.ARCHIVED: set(),
}

# Messages are English (the API's words); `lazy` marks them so that pages show them translated.
NOT_VERIFIED = lazy("your organisation waits for an administrator's check; the capability stays a draft "
                    "until the organisation is verified")
NO_ORGANISATION = lazy("name the organisation that offers this capability")
NOT_RESEARCH = lazy("only a university, institute or foreign partner can post a capability")
RETIRED = lazy("a retired capability cannot be changed; post a new one instead")


def for_caller(viewer, data: CapabilityIn) -> CapabilityIn:  # noqa: ANN001 - an auth.Principal
    """The input as the caller may send it: an officer always posts for their own organisation."""
    if viewer.is_admin:
        if data.organisation_id is None:
            raise InvalidInput(NO_ORGANISATION, field="organisation_id")
        return data
    return data.model_copy(update={"organisation_id": viewer.organisation_id})


def owned(session: Session, viewer, capability_id: int) -> Capability:  # noqa: ANN001 - an auth.Principal
    """A capability the viewer's organisation may change (admins: any); anyone else gets a 404."""
    cap = repository.get(session, capability_id)
    if not (viewer.is_admin or viewer.member_of(cap.organisation_id)):
        raise NotFound(f"capability {capability_id} does not exist")
    return cap


def _index(cap: Capability) -> None:
    """Index the text (in the author's language, if chosen); only an active capability waits for matching."""
    postings.index(cap)
    if cap.status != CapabilityStatus.ACTIVE:
        # Nothing will match it: it must not say "matching…" nor be picked up by the sweep of pending postings.
        cap.match_state = MatchState.DONE


def _record(session: Session, kind: EventKind, cap: Capability, org: Organisation, *, at: datetime | None = None,
            data: dict | None = None) -> None:
    ledger.record(session, kind, region_id=org.region_id, chain_id=cap.chain_id, organisation_ids=[org.id],
                  capability_id=cap.id, data=data, occurred_at=at, is_sample=cap.is_sample)


def create(
    session: Session, data: CapabilityIn, *, at: datetime | None = None, is_sample: bool = False,
    draft: bool = False,
) -> Capability:
    """Post a research organisation's capability; reverse matching runs after commit.

    With `draft` (its organisation waits for verification) it is saved and indexed, not published or matched.
    """
    if data.organisation_id is None:
        raise InvalidInput(NO_ORGANISATION, field="organisation_id")
    org = orgs.get(session, data.organisation_id)
    if not org.is_research:
        raise InvalidInput(NOT_RESEARCH, field="organisation_id")
    chain = orgs.chain_by_code(session, data.chain) if data.chain else None
    cap = Capability(
        organisation_id=org.id,
        chain_id=chain.id if chain else None,
        kind=data.kind,
        title=data.title,
        description=data.description,
        keywords=postings.clean_keywords(data.keywords),
        team=data.team,
        trl=data.trl,
        patent_numbers=[p.strip() for p in data.patent_numbers if p.strip()],
        contact=data.contact,
        language_chosen=data.language,
        status=CapabilityStatus.DRAFT if draft else CapabilityStatus.ACTIVE,
        is_sample=is_sample,
    )
    if not draft:
        postings.publish(session, cap, org, at=at)
        return cap
    if at is not None:
        cap.created_at = cap.updated_at = at
    _index(cap)
    session.add(cap)
    session.flush()
    _record(session, EventKind.CAPABILITY_DRAFTED, cap, org, at=at)
    return cap


def _values(session: Session, changes: dict) -> dict:
    """Column values for the changed fields."""
    out: dict = {}
    for name, value in changes.items():
        if name == "chain":
            out["chain_id"] = orgs.chain_by_code(session, value).id if value else None
        elif name == "keywords":
            out["keywords"] = postings.clean_keywords(value)
        elif name == "patent_numbers":
            out["patent_numbers"] = [p.strip() for p in value or [] if p.strip()]
        elif name == "language":
            out["language_chosen"] = value
        elif name == "kind":
            out["kind"] = CapabilityKind(value)
        else:
            out[name] = value
    return out


def update(session: Session, cap: Capability, data: CapabilityUpdate) -> Capability:
    """Change a capability's fields; its text is indexed again, and an active one is matched again."""
    if cap.status == CapabilityStatus.ARCHIVED:
        raise Conflict(RETIRED)
    values = _values(session, data.changes())
    changed = sorted(name for name, value in values.items() if getattr(cap, name) != value)
    if not changed:
        return cap
    for name in changed:
        setattr(cap, name, values[name])
    _index(cap)
    session.flush()
    org = orgs.get(session, cap.organisation_id)
    _record(session, EventKind.CAPABILITY_EDITED, cap, org, data={"fields": changed})
    if cap.status == CapabilityStatus.ACTIVE:
        jobs.enqueue(session, "matches.match_capability", cap.id)
    return cap


def publish(session: Session, cap: Capability) -> Capability:
    """Draft → active: refused while the organisation is not verified; matching is queued."""
    lifecycle.check("a capability", CAPABILITY_TRANSITIONS, cap.status, CapabilityStatus.ACTIVE)
    org = orgs.get(session, cap.organisation_id)
    if not org.is_verified:
        raise Conflict(NOT_VERIFIED)
    cap.status = CapabilityStatus.ACTIVE
    postings.publish(session, cap, org)
    return cap


def retire(session: Session, cap: Capability) -> Capability:
    """Active or draft → retired: it leaves the boards and matching; its matches so far stay readable."""
    previous = cap.status
    lifecycle.check("a capability", CAPABILITY_TRANSITIONS, previous, CapabilityStatus.ARCHIVED)
    cap.status = CapabilityStatus.ARCHIVED
    if cap.match_state != MatchState.DONE:
        cap.match_state = MatchState.DONE
    session.flush()
    org = orgs.get(session, cap.organisation_id)
    _record(session, EventKind.CAPABILITY_RETIRED, cap, org, data={"from": previous.value})
    return cap

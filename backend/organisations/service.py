"""Creating organisations, and their verification by an admin."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from backend.errors import Conflict, InvalidInput
from backend.ledger import service as ledger
from backend.ledger.kinds import EventKind
from backend.organisations import repository
from backend.organisations.models import Organisation, OrgKind


def create(
    session: Session,
    *,
    kind: OrgKind,
    name: str,
    region_code: str,
    name_en: str | None = None,
    chain_codes: list[str] | None = None,
    is_sample: bool = False,
    **flags: bool,
) -> Organisation:
    """Create an organisation in a known region, linked to known chains."""
    name = name.strip()
    if not name:
        raise InvalidInput("an organisation needs a name", field="name")
    unknown = set(flags) - {"is_little_giant", "is_high_tech", "is_chain_leader", "is_listed", "is_verified"}
    if unknown:
        raise InvalidInput(f"unknown organisation flags: {', '.join(sorted(unknown))}")
    region = repository.region_by_code(session, region_code)
    org = Organisation(kind=kind, name=name, name_en=name_en, region_id=region.id, is_sample=is_sample, **flags)
    org.chains = [repository.chain_by_code(session, c) for c in chain_codes or []]
    session.add(org)
    session.flush()
    return org


def verify(session: Session, org: Organisation) -> Organisation:
    """An admin confirms an organisation: its members' postings may be published and matched from now on."""
    if org.is_verified:
        raise Conflict(f"organisation {org.id} is already verified")
    org.is_verified = True
    org.rejected_at = None
    org.rejection_note = None
    session.flush()
    ledger.record(session, EventKind.ORGANISATION_VERIFIED, region_id=org.region_id, organisation_ids=[org.id],
                  is_sample=org.is_sample)
    return org


def reject(session: Session, org: Organisation, note: str) -> Organisation:
    """An admin turns an organisation down, with a note its members read."""
    if org.is_verified:
        raise Conflict(f"organisation {org.id} is already verified")
    if org.rejected_at is not None:
        raise Conflict(f"organisation {org.id} is already rejected")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("say why the organisation is rejected", field="note")
    if len(note) > 2000:
        raise InvalidInput("the note is longer than 2,000 characters", field="note")
    org.rejected_at = datetime.now(UTC)
    org.rejection_note = note
    session.flush()
    ledger.record(session, EventKind.ORGANISATION_REJECTED, region_id=org.region_id, organisation_ids=[org.id],
                  is_sample=org.is_sample)
    return org

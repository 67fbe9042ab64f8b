"""Creating organisations."""

from sqlalchemy.orm import Session

from backend.errors import InvalidInput
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

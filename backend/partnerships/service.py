"""Foreign partnerships: a local organisation with a foreign partner."""

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from backend.errors import InvalidInput
from backend.ledger import service as ledger
from backend.organisations import repository as orgs
from backend.partnerships.models import Partnership, PartnershipKind
from backend.regions.models import Region


def create(
    session: Session,
    *,
    local_organisation_id: int,
    foreign_organisation_id: int,
    kind: PartnershipKind,
    started_on: date,
    value_cny: Decimal | float = 0,
    ended_on: date | None = None,
    description: str | None = None,
    chain_id: int | None = None,
    at: datetime | None = None,
    is_sample: bool = False,
) -> Partnership:
    """Record a partnership; the partner must be abroad and the local side at home."""
    local = orgs.get(session, local_organisation_id)
    foreign = orgs.get(session, foreign_organisation_id)
    local_region = session.get(Region, local.region_id)
    foreign_region = session.get(Region, foreign.region_id)
    if foreign_region.country_code == "CN":
        raise InvalidInput("the partner of a foreign partnership must be outside China",
                           field="foreign_organisation_id")
    if local_region.country_code != "CN":
        raise InvalidInput("the local side of a partnership must be in China", field="local_organisation_id")
    if ended_on is not None and ended_on < started_on:
        raise InvalidInput("a partnership cannot end before it starts", field="ended_on")
    if Decimal(str(value_cny)) < 0:
        raise InvalidInput("a partnership value cannot be negative", field="value_cny")
    partnership = Partnership(
        local_organisation_id=local.id, foreign_organisation_id=foreign.id,
        country_code=foreign_region.country_code, kind=PartnershipKind(kind),
        value_cny=Decimal(str(value_cny)), started_on=started_on, ended_on=ended_on,
        description=description, is_sample=is_sample,
    )
    at = at or datetime.now(UTC)
    partnership.created_at = partnership.updated_at = at
    session.add(partnership)
    session.flush()
    ledger.record(
        session, "partnership.created", region_id=local.region_id, chain_id=chain_id,
        organisation_ids=[local.id, foreign.id], partnership_id=partnership.id,
        data={"country": partnership.country_code, "kind": partnership.kind.value,
              "value_cny": float(partnership.value_cny)},
        occurred_at=at, is_sample=is_sample,
    )
    return partnership

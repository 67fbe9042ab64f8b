"""Foreign partnerships: a local organisation with a foreign partner."""

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, joinedload

from backend.errors import InvalidInput
from backend.i18n import lazy
from backend.ledger import service as ledger
from backend.ledger.kinds import EventKind
from backend.organisations import repository as orgs
from backend.organisations import service as organisations
from backend.organisations.models import Organisation, OrgKind
from backend.partnerships.models import Partnership, PartnershipKind
from backend.partnerships.schemas import PartnershipIn
from backend.projects.models import JointProject, project_parties
from backend.regions.models import Region

# English (the API's words); `lazy` marks them so that pages show them in the reader's language.
PARTNER_AT_HOME = lazy("the partner of a foreign partnership must be outside China")
LOCAL_ABROAD = lazy("the local side of a partnership must be in China")
ENDS_BEFORE_START = lazy("a partnership cannot end before it starts")
NEGATIVE_VALUE = lazy("a partnership value cannot be negative")
NOT_OUR_PROJECT = lazy("the linked project must be a joint project your organisation is a party of")
NOT_A_COUNTRY = lazy("choose the partner's country from the list of countries abroad")
NO_ORGANISATION = lazy("only a member of a local organisation can record its partnerships")


def is_party(session: Session, project_id: int, organisation_id: int) -> bool:
    """Whether an organisation is a party of a joint project (False for a project that does not exist)."""
    return bool(session.scalar(select(exists().where(project_parties.c.project_id == project_id,
                                                     project_parties.c.organisation_id == organisation_id))))


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
    project_id: int | None = None,
    at: datetime | None = None,
    is_sample: bool = False,
) -> Partnership:
    """Record a partnership; the partner must be abroad, the local side at home, and a linked joint project one
    that the local side is a party of."""
    local = orgs.get(session, local_organisation_id)
    foreign = orgs.get(session, foreign_organisation_id)
    local_region = session.get(Region, local.region_id)
    foreign_region = session.get(Region, foreign.region_id)
    if foreign_region.country_code == "CN":
        raise InvalidInput(PARTNER_AT_HOME, field="foreign_organisation_id")
    if local_region.country_code != "CN":
        raise InvalidInput(LOCAL_ABROAD, field="local_organisation_id")
    if ended_on is not None and ended_on < started_on:
        raise InvalidInput(ENDS_BEFORE_START, field="ended_on")
    if Decimal(str(value_cny)) < 0:
        raise InvalidInput(NEGATIVE_VALUE, field="value_cny")
    if project_id is not None:
        if not is_party(session, project_id, local.id):
            raise InvalidInput(NOT_OUR_PROJECT, field="project_id")
        chain_id = chain_id or session.scalar(select(JointProject.chain_id).where(JointProject.id == project_id))
    partnership = Partnership(
        local_organisation_id=local.id, foreign_organisation_id=foreign.id,
        country_code=foreign_region.country_code, kind=PartnershipKind(kind),
        value_cny=Decimal(str(value_cny)), started_on=started_on, ended_on=ended_on,
        description=description, project_id=project_id, is_sample=is_sample,
    )
    at = at or datetime.now(UTC)
    partnership.created_at = partnership.updated_at = at
    session.add(partnership)
    session.flush()
    ledger.record(
        session, EventKind.PARTNERSHIP_CREATED, region_id=local.region_id, chain_id=chain_id,
        organisation_ids=[local.id, foreign.id], partnership_id=partnership.id, project_id=project_id,
        data={"country": partnership.country_code, "kind": partnership.kind.value,
              "value_cny": float(partnership.value_cny)},
        occurred_at=at, is_sample=is_sample,
    )
    return partnership


def partner(session: Session, data: PartnershipIn) -> Organisation:
    """The chosen foreign organisation, or the new partner typed in (an organisation of that name in that
    country is reused, so a partner is not recorded twice)."""
    if data.foreign_organisation_id is not None:
        return orgs.get(session, data.foreign_organisation_id)
    country = session.scalar(select(Region).where(Region.code == data.new_partner_country))
    if country is None or not country.is_foreign or country.level != "country":
        raise InvalidInput(NOT_A_COUNTRY, field="new_partner_country")
    name = (data.new_partner_name or "").strip()
    known = session.scalar(select(Organisation).where(Organisation.region_id == country.id,
                                                      Organisation.name == name).order_by(Organisation.id).limit(1))
    if known is not None:
        return known
    return organisations.create(session, kind=OrgKind.FOREIGN_PARTNER, name=name, region_code=country.code)


def record(session: Session, local_organisation_id: int | None, data: PartnershipIn) -> Partnership:
    """Record a partnership of the caller's organisation (never one named in the input) from the form or API."""
    if local_organisation_id is None:
        raise InvalidInput(NO_ORGANISATION, field="local_organisation_id")
    foreign = partner(session, data)
    return create(
        session, local_organisation_id=local_organisation_id, foreign_organisation_id=foreign.id, kind=data.kind,
        started_on=data.started_on, value_cny=data.value_cny, ended_on=data.ended_on,
        description=data.description, project_id=data.project_id,
    )


def listing(local_organisation_id: int | None) -> Select[tuple[Partnership]]:
    """Partnerships of a local organisation (None: all, for admins), newest first, with both sides loaded."""
    stmt = (select(Partnership)
            .options(joinedload(Partnership.foreign_organisation), joinedload(Partnership.local_organisation))
            .order_by(Partnership.started_on.desc(), Partnership.id.desc()))
    if local_organisation_id is not None:
        stmt = stmt.where(Partnership.local_organisation_id == local_organisation_id)
    return stmt


def foreign_organisations(session: Session) -> list[tuple[Organisation, Region]]:
    """Organisations abroad that can be chosen as a partner, by name."""
    return list(session.execute(
        select(Organisation, Region).join(Region, Region.id == Organisation.region_id)
        .where(Region.country_code != "CN", Organisation.is_verified)
        .order_by(Organisation.name, Organisation.id)).tuples())


def projects_of(session: Session, organisation_id: int | None) -> list[JointProject]:
    """Joint projects an organisation is a party of, newest first."""
    if organisation_id is None:
        return []
    return list(session.scalars(
        select(JointProject).join(project_parties, project_parties.c.project_id == JointProject.id)
        .where(project_parties.c.organisation_id == organisation_id)
        .order_by(JointProject.created_at.desc(), JointProject.id.desc())))

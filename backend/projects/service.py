"""Joint projects: creation from a match or directly, status steps, milestones."""

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import lifecycle
from backend.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from backend.ledger import service as ledger
from backend.ledger.kinds import EventKind
from backend.matches import repository as matches
from backend.matches.models import MatchStatus
from backend.organisations.models import Organisation, OrgKind
from backend.projects.models import PROJECT_TRANSITIONS, JointProject, MajorLevel, Milestone, ProjectStatus
from backend.regions.models import Region
from matching.text import clean_text


def create(
    session: Session,
    *,
    title: str,
    party_ids: list[int],
    region_id: int | None = None,
    chain_id: int | None = None,
    match_id: int | None = None,
    contract_value_cny: Decimal | float = 0,
    major_level: MajorLevel = MajorLevel.NONE,
    started_on: date | None = None,
    at: datetime | None = None,
    is_sample: bool = False,
) -> JointProject:
    """Create a project; from a match its parties, region and chain come from the pair."""
    title = title.strip()
    if not title:
        raise InvalidInput("a project needs a title", field="title")
    if match_id is not None:
        match = matches.get(session, match_id)
        if match.status != MatchStatus.ACCEPTED:
            raise InvalidTransition(f"a project can only start from an accepted match, not a {match.status.value} one")
        region_id, pair_chain, pair_orgs = matches.context(session, match.need_id, match.capability_id)
        chain_id = chain_id or pair_chain
        party_ids = sorted(set(party_ids) | set(pair_orgs))
    if len(set(party_ids)) < 2:
        raise InvalidInput("a joint project needs at least two parties", field="party_ids")
    parties = list(session.scalars(select(Organisation).where(Organisation.id.in_(party_ids))
                                   .order_by(Organisation.id)))
    if len(parties) != len(set(party_ids)):
        raise NotFound("one of the project's parties does not exist")
    if region_id is None:  # the first local firm's region, else the first local party's
        local = [p for p in parties if session.get(Region, p.region_id).country_code == "CN"] or parties
        region_id = next((p.region_id for p in local if p.kind == OrgKind.FIRM), local[0].region_id)
    if Decimal(str(contract_value_cny)) < 0:
        raise InvalidInput("a contract value cannot be negative", field="contract_value_cny")
    at = at or datetime.now(UTC)
    project = JointProject(
        title=title, match_id=match_id, region_id=region_id, chain_id=chain_id,
        contract_value_cny=Decimal(str(contract_value_cny)), major_level=MajorLevel(major_level),
        started_on=started_on, is_sample=is_sample,
    )
    project.created_at = project.updated_at = at
    project.parties = parties
    session.add(project)
    session.flush()
    ledger.record(
        session, EventKind.PROJECT_CREATED, region_id=region_id, chain_id=chain_id,
        organisation_ids=[p.id for p in parties], match_id=match_id, project_id=project.id,
        data={"contract_value_cny": float(project.contract_value_cny), "major_level": project.major_level.value},
        occurred_at=at, is_sample=is_sample,
    )
    return project


def transition(session: Session, project: JointProject, to: ProjectStatus, *, at: datetime | None = None,
               ) -> JointProject:
    """Move a project one step, or refuse with a clear message."""
    to = ProjectStatus(to)
    lifecycle.check("a project", PROJECT_TRANSITIONS, project.status, to)
    at = at or datetime.now(UTC)
    previous = project.status
    project.status = to
    project.updated_at = at
    if to == ProjectStatus.ACTIVE and project.started_on is None:
        project.started_on = at.date()
    if to in (ProjectStatus.COMPLETED, ProjectStatus.TERMINATED):
        project.ended_on = at.date()
    session.flush()
    ledger.record(
        session, EventKind.of_status("project", to.value), region_id=project.region_id, chain_id=project.chain_id,
        organisation_ids=_party_ids(session, project.id), project_id=project.id, match_id=project.match_id,
        data={"from": previous.value}, occurred_at=at, is_sample=project.is_sample,
    )
    return project


def add_milestone(session: Session, project: JointProject, title: str, due_on: date | None = None) -> Milestone:
    """Plan a milestone (planning is not a collaboration event)."""
    if not title.strip():
        raise InvalidInput("a milestone needs a title", field="title")
    milestone = Milestone(project_id=project.id, title=title.strip(), due_on=due_on)
    session.add(milestone)
    session.flush()
    return milestone


def complete_milestone(session: Session, milestone: Milestone, *, on: date | None = None) -> Milestone:
    """Mark a milestone done; writes one ledger event."""
    if milestone.done_on is not None:
        raise InvalidTransition(f"milestone {milestone.id} is already done")
    project = session.get(JointProject, milestone.project_id)
    milestone.done_on = on or date.today()
    session.flush()
    ledger.record(
        session, EventKind.PROJECT_MILESTONE_DONE, region_id=project.region_id, chain_id=project.chain_id,
        organisation_ids=_party_ids(session, project.id), project_id=project.id,
        data={"milestone_id": milestone.id, "title": milestone.title},
        occurred_at=datetime.combine(milestone.done_on, datetime.min.time(), UTC), is_sample=project.is_sample,
    )
    return milestone


def _party_ids(session: Session, project_id: int) -> list[int]:
    from backend.projects.models import project_parties

    return list(session.scalars(select(project_parties.c.organisation_id)
                                .where(project_parties.c.project_id == project_id)))


def start_from_match(session: Session, match_id: int, *, title: str, contract_value_cny: Decimal | float = 0,
                     major_level: MajorLevel = MajorLevel.NONE) -> JointProject:
    """Either side starts the joint project of an accepted match (one project per match)."""
    existing = session.scalar(select(JointProject.id).where(JointProject.match_id == match_id))
    if existing is not None:
        raise Conflict(f"this match already has a joint project (project {existing})")
    return create(session, title=clean_text(title), party_ids=[], match_id=match_id,
                  contract_value_cny=contract_value_cny, major_level=major_level)


def plan_milestone(session: Session, project: JointProject, title: str, due_on: date | None = None,
                   *, organisation_id: int | None = None) -> Milestone:
    """A party adds a milestone through the portal; writes ledger `project.milestone_added`."""
    milestone = add_milestone(session, project, clean_text(title), due_on)
    ledger.record(
        session, EventKind.PROJECT_MILESTONE_ADDED, region_id=project.region_id, chain_id=project.chain_id,
        organisation_ids=_party_ids(session, project.id), project_id=project.id, match_id=project.match_id,
        data={"milestone_id": milestone.id, "title": milestone.title,
              "due_on": due_on.isoformat() if due_on else None, "by_organisation_id": organisation_id},
        is_sample=project.is_sample,
    )
    return milestone


def update_details(session: Session, project: JointProject, *, contract_value_cny: Decimal | float,
                   major_level: MajorLevel, at: datetime | None = None) -> JointProject:
    """Change the contract value and the major-project level; writes ledger `project.updated`."""
    value = Decimal(str(contract_value_cny))
    if value < 0:
        raise InvalidInput("a contract value cannot be negative", field="contract_value_cny")
    level = MajorLevel(major_level)
    before = {"contract_value_cny": float(project.contract_value_cny), "major_level": project.major_level.value}
    at = at or datetime.now(UTC)
    project.contract_value_cny = value
    project.major_level = level
    project.updated_at = at
    session.flush()
    ledger.record(
        session, EventKind.PROJECT_UPDATED, region_id=project.region_id, chain_id=project.chain_id,
        organisation_ids=_party_ids(session, project.id), project_id=project.id, match_id=project.match_id,
        data={"before": before, "contract_value_cny": float(value), "major_level": level.value},
        occurred_at=at, is_sample=project.is_sample,
    )
    return project

"""A small real world in the database (organisations, draft postings, matches, projects, a partnership) whose
creation moves no score, and a helper that writes score-moving events about it at chosen times."""

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.capabilities import service as capabilities
from backend.capabilities.schemas import CapabilityIn
from backend.chains.models import IndustryChain
from backend.ledger import service as ledger
from backend.ledger.kinds import EventKind as K
from backend.matches.models import Match
from backend.needs import service as needs
from backend.needs.schemas import NeedIn
from backend.organisations.models import Organisation, OrgKind
from backend.partnerships.models import Partnership, PartnershipKind
from backend.projects.models import JointProject
from tests.common.factories import create_org


@dataclass
class World:
    session: Session
    firms: list[Organisation]
    labs: list[Organisation]
    foreign: Organisation
    need_ids: list[int]
    need_orgs: list[Organisation]
    need_chains: list[int]
    cap_ids: list[int]
    cap_orgs: list[Organisation]
    matches: dict[tuple[int, int], int]  # (need index, capability index) -> match id
    projects: dict[int, int]  # match id -> project id
    partnership_id: int

    def emit(self, event_kind: K, when: datetime, *, need: int | None = None, cap: int | None = None,
             sample: bool = False, **data):  # noqa: ANN003
        """Write one event about need index `need` (and capability index `cap`) at `when`."""
        refs: dict = {}
        region_id, chain_id, orgs = None, None, []
        if need is not None:
            firm = self.need_orgs[need]
            region_id, chain_id, orgs = firm.region_id, self.need_chains[need], [firm.id]
            refs["need_id"] = self.need_ids[need]
        if cap is not None:
            orgs.append(self.cap_orgs[cap].id)
            match_id = self.matches[(need, cap)]
            refs |= {"match_id": match_id, "capability_id": self.cap_ids[cap]}
            if event_kind.value.startswith("project."):
                refs = {"project_id": self.projects[match_id], "match_id": match_id}
        if event_kind == K.PARTNERSHIP_CREATED:
            firm = self.firms[0]
            region_id, chain_id, orgs = firm.region_id, self.need_chains[0], [firm.id, self.foreign.id]
            refs = {"partnership_id": self.partnership_id}
        return ledger.record(self.session, event_kind, region_id=region_id, chain_id=chain_id, organisation_ids=orgs,
                             data=data, occurred_at=when, is_sample=sample, **refs)


def _chain(session: Session, code: str) -> int:
    return session.scalar(select(IndustryChain.id).where(IndustryChain.code == code))


@pytest.fixture
def world(db_session: Session) -> World:
    s = db_session
    firms = [create_org(s, region="330624"), create_org(s, region="330681", chain_codes=["hydrogen_drones"])]
    labs = [create_org(s, kind=OrgKind.UNIVERSITY, region="330602", name="示例文理学院"),
            create_org(s, kind=OrgKind.UNIVERSITY, region="330100", name="示例工业大学")]
    foreign = create_org(s, kind=OrgKind.FOREIGN_PARTNER, region="DE", name="Sample Hochschule")
    chains = ["bearings", "hydrogen_drones", "cnc_machine_tools", "bearings"]
    need_orgs = [firms[0], firms[1], firms[0], firms[1]]
    need_ids = [needs.create(s, NeedIn(organisation_id=o.id, title=f"需求{i}", description="主轴热变形。",
                                       chain=c), draft=True).id
                for i, (o, c) in enumerate(zip(need_orgs, chains, strict=True))]
    cap_ids = [capabilities.create(s, CapabilityIn(organisation_id=o.id, kind="expertise", title=f"能力{i}",
                                                   description="精密磨削。", chain="bearings"), draft=True).id
               for i, o in enumerate(labs)]
    matches, projects = {}, {}
    for n, need_id in enumerate(need_ids):
        for c, cap_id in enumerate(cap_ids):
            match = Match(need_id=need_id, capability_id=cap_id, fused_score=0.5, proposed_at=datetime(2025, 1, 1))
            s.add(match)
            s.flush()
            matches[(n, c)] = match.id
            project = JointProject(title=f"项目{n}{c}", match_id=match.id, region_id=need_orgs[n].region_id,
                                   chain_id=_chain(s, chains[n]))
            s.add(project)
            s.flush()
            projects[match.id] = project.id
    partnership = Partnership(local_organisation_id=firms[0].id, foreign_organisation_id=foreign.id,
                              country_code="DE", kind=PartnershipKind.JOINT_RD, started_on=date(2025, 1, 1))
    s.add(partnership)
    s.flush()
    return World(s, firms, labs, foreign, need_ids, need_orgs, [_chain(s, c) for c in chains], cap_ids, labs,
                 matches, projects, partnership.id)

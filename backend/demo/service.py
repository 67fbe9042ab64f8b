"""Loading the sample data through the domain services, so the ledger records every step of its history."""

from collections.abc import Callable
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import jobs
from backend.accounts import service as accounts
from backend.accounts.models import Role, User
from backend.capabilities import service as capabilities
from backend.capabilities.models import CapabilityKind
from backend.capabilities.schemas import CapabilityIn
from backend.chains.models import IndustryChain
from backend.config import get_settings
from backend.demo import data
from backend.matches import service as matches
from backend.matches.models import DeclineReason, Match, MatchStatus
from backend.needs import service as needs
from backend.needs.models import Visibility
from backend.needs.schemas import NeedIn
from backend.organisations import service as organisations
from backend.organisations.models import Organisation, OrgKind
from backend.partnerships import service as partnerships
from backend.partnerships.models import PartnershipKind
from backend.projects import service as projects
from backend.projects.models import MajorLevel, Milestone, ProjectStatus

Progress = Callable[[str, int, int], None]


def is_empty(session: Session) -> bool:
    """True while the database holds no organisation at all."""
    return session.scalar(select(Organisation.id).limit(1)) is None


# Where the demo accounts (a public password) may exist.
ACCOUNT_ENVIRONMENTS = ("development", "test")


def accounts_allowed() -> bool:
    """Demo accounts share a published password: only development (and tests) get them."""
    return get_settings().environment in ACCOUNT_ENVIRONMENTS


def demo_accounts(session: Session) -> list[User]:
    """The demo accounts there are (one per role once `demo load` ran in development)."""
    return list(session.scalars(select(User).where(User.email.endswith(f"@{data.EMAIL_DOMAIN}"))
                                .order_by(User.id)))


def load(session: Session, today: date | None = None, progress: Progress | None = None,
         accounts: bool | None = None) -> dict[str, int]:
    """Load the sample data with 24 months of history before `today`; flushes, never commits.

    `progress(stage, done, total)` counts rows over the whole load, so it only grows. The demo accounts
    are created only where `accounts_allowed()` (unless `accounts` says otherwise).
    """
    plan = data.build(today or date.today())
    loader = _Loader(session, plan, progress or (lambda stage, done, total: None),
                     accounts_allowed() if accounts is None else accounts)
    counts = loader.run()
    session.flush()
    from backend.alerts import service as alerts
    from backend.scores import service as scores

    # The history's alerts (stale needs that got their late answer), before the scores count their resolution.
    counts["alerts_in_history"] = alerts.sample_history(session, today or date.today())
    # The services queued one matching job per posting; one sweep embeds and matches them all instead.
    session.info.pop("pending_jobs", None)
    jobs.enqueue(session, "matches.sweep_pending")
    # The services' score updates were dropped with the matching jobs: the scores of the whole history are
    # computed here (about 2 s), so the dashboard has figures the moment `make run` is ready.
    counts["score_rows"] = scores.recompute(session, as_of=today)
    # Today's daily alert run (score drops read the snapshots just computed).
    counts["alerts_open"] = alerts.sample_today(session, today).total_raised
    return counts


class _Loader:
    def __init__(self, session: Session, plan: data.Dataset, progress: Progress, accounts: bool = True):
        self.session = session
        self.accounts = accounts
        self.plan = plan
        self.progress = progress
        self.orgs: dict[str, Organisation] = {}
        self.need_ids: list[int] = []
        self.capability_ids: list[int] = []
        self.matches: list[Match] = []
        self.chain_ids = dict(session.execute(select(IndustryChain.code, IndustryChain.id)).tuples().all())
        self.done = 0
        self.users = 0
        self.total = sum(len(rows) for rows in (plan.organisations, plan.users, plan.needs, plan.capabilities,
                                                plan.matches, plan.projects, plan.partnerships))

    def run(self) -> dict[str, int]:
        self._organisations()
        self._users()
        self._needs()
        self._capabilities()
        self._matches()
        milestones = self._projects()
        self._partnerships()
        plan = self.plan
        kinds = [o.kind for o in plan.organisations]
        return {
            "organisations": len(plan.organisations),
            "firms": kinds.count("firm"),
            "research_organisations": sum(o.is_research for o in plan.organisations),
            "government_organisations": kinds.count("government"),
            "users": self.users,
            "needs": len(plan.needs),
            "capabilities": len(plan.capabilities),
            "matches": len(plan.matches),
            "accepted_matches": sum(m.accepted_at is not None for m in plan.matches),
            "projects": len(plan.projects),
            "milestones": milestones,
            "partnerships": len(plan.partnerships),
        }

    def _tick(self, stage: str, done: int, total: int) -> None:
        self.done += 1
        if done == total or done % 25 == 0:
            self.progress(stage, self.done, self.total)

    def _organisations(self) -> None:
        total = len(self.plan.organisations)
        for n, o in enumerate(self.plan.organisations, start=1):
            org = organisations.create(
                self.session, kind=OrgKind(o.kind), name=o.name, region_code=o.region, name_en=o.name_en,
                chain_codes=list(o.chains), is_sample=True, **o.flags,
            )
            org.created_at = o.joined_at
            self.orgs[o.key] = org
            self._tick("organisations", n, total)

    def _users(self) -> None:
        total = len(self.plan.users)
        for n, u in enumerate(self.plan.users, start=1):
            self._tick("users", n, total)
            if not self.accounts:
                continue
            if self.session.scalar(select(User.id).where(User.email == u.email)) is not None:
                continue  # loading again with --force keeps the demo accounts there are
            accounts.create_user(
                self.session, email=u.email, password=data.PASSWORD, role=Role(u.role),
                organisation_id=self.orgs[u.org].id if u.org else None, locale=u.locale,
            )
            self.users += 1

    def _needs(self) -> None:
        total = len(self.plan.needs)
        for n, p in enumerate(self.plan.needs, start=1):
            need = needs.create(self.session, NeedIn(
                organisation_id=self.orgs[p.org].id, title=p.title, description=p.description,
                summary=p.summary, chain=p.chain, keywords=p.keywords, trl_min=p.trl_min, trl_max=p.trl_max,
                budget_min_cny=p.budget_min, budget_max_cny=p.budget_max, deadline=p.deadline,
                visibility=Visibility(p.visibility),
            ), at=p.posted_at, is_sample=True)
            self.need_ids.append(need.id)
            self._tick("needs", n, total)

    def _capabilities(self) -> None:
        total = len(self.plan.capabilities)
        for n, p in enumerate(self.plan.capabilities, start=1):
            cap = capabilities.create(self.session, CapabilityIn(
                organisation_id=self.orgs[p.org].id, kind=CapabilityKind(p.kind), title=p.title,
                description=p.description, chain=p.chain, keywords=p.keywords, team=p.team, trl=p.trl,
                patent_numbers=p.patent_numbers, contact=p.contact,
            ), at=p.posted_at, is_sample=True)
            self.capability_ids.append(cap.id)
            self._tick("capabilities", n, total)

    def _matches(self) -> None:
        total = len(self.plan.matches)
        for n, p in enumerate(self.plan.matches, start=1):
            match = matches.propose(
                self.session, self.need_ids[p.need], self.capability_ids[p.capability], dense_score=p.dense,
                lexical_score=p.lexical, fused_score=p.score, rank=p.rank, explanation=p.explanation,
                at=p.proposed_at, is_sample=True,
            )
            for step in p.steps:
                if step.action in ("firm", "university"):
                    matches.express_interest(self.session, match, step.action, at=step.at)
                elif step.action == "decline":
                    matches.transition(self.session, match, MatchStatus.DECLINED,
                                       reason=DeclineReason(step.reason), note=step.note, at=step.at)
                else:
                    matches.transition(self.session, match, MatchStatus.EXPIRED, at=step.at)
            self.matches.append(match)
            self._tick("matches", n, total)

    def _projects(self) -> int:
        total, milestones = len(self.plan.projects), 0
        for n, p in enumerate(self.plan.projects, start=1):
            parties = [self.orgs[key] for key in p.parties]
            project = projects.create(
                self.session, title=p.title, party_ids=[o.id for o in parties],
                region_id=parties[0].region_id if parties else None, chain_id=self.chain_ids.get(p.chain),
                match_id=self.matches[p.match].id if p.match is not None else None,
                contract_value_cny=p.contract_value, major_level=MajorLevel(p.major_level), at=p.created_at,
                is_sample=True,
            )
            events: list[tuple[datetime, ProjectStatus | None, Milestone | None, date | None]] = []
            for title, due, done in p.milestones:
                milestone = projects.add_milestone(self.session, project, title, due)
                milestones += 1
                if done is not None:
                    events.append((datetime.combine(done, time.min, data.CST), None, milestone, done))
            events += [(at, ProjectStatus(status), None, None) for status, at in p.steps]
            for at, status, milestone, done in sorted(events, key=lambda e: e[0]):
                if status is not None:
                    projects.transition(self.session, project, status, at=at)
                else:
                    projects.complete_milestone(self.session, milestone, on=done)
            self._tick("projects", n, total)
        return milestones

    def _partnerships(self) -> None:
        total = len(self.plan.partnerships)
        for n, p in enumerate(self.plan.partnerships, start=1):
            partnerships.create(
                self.session, local_organisation_id=self.orgs[p.local].id,
                foreign_organisation_id=self.orgs[p.foreign].id, kind=PartnershipKind(p.kind),
                started_on=p.started_on, value_cny=p.value, ended_on=p.ended_on, description=p.description,
                chain_id=self.chain_ids.get(p.chain), at=p.at, is_sample=True,
            )
            self._tick("partnerships", n, total)

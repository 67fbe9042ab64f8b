"""The sample data: big enough, fictional and marked as such, deterministic, and recorded in the ledger."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.accounts.models import Role, User
from backend.accounts.service import verify_password
from backend.capabilities.models import Capability, CapabilityKind
from backend.demo import data, service
from backend.ledger.models import CollaborationEvent
from backend.matches.models import Match, MatchStatus
from backend.needs.models import Need, Visibility
from backend.organisations.models import Organisation, OrgKind
from backend.partnerships.models import Partnership
from backend.projects.models import JointProject, MajorLevel, Milestone, ProjectStatus
from backend.regions.models import Region
from matching.explain import Explanation

TODAY = date(2026, 11, 26)
SHAOXING_DISTRICTS = {"330602", "330603", "330604", "330624", "330681", "330683"}


@dataclass
class Loaded:
    session: Session
    counts: dict[str, int]
    was_empty: bool
    queued: list
    progress: list


@pytest.fixture(scope="module")
def demo(engine):
    """The sample data loaded once for this module, inside a transaction rolled back at the end."""
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        was_empty = service.is_empty(session)
        progress: list = []
        counts = service.load(session, today=TODAY, progress=lambda *call: progress.append(call))
        yield Loaded(session, counts, was_empty, list(session.info.get("pending_jobs", [])), progress)
    finally:
        session.close()
        outer.rollback()
        conn.close()


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _months(values) -> set[str]:
    return {v.strftime("%Y-%m") for v in values}


def test_loading_fills_an_empty_database_and_reports_counts(demo):
    s = demo.session
    assert demo.was_empty and not service.is_empty(s)
    assert demo.counts["organisations"] == _count(s, Organisation)
    assert demo.counts["needs"] == _count(s, Need)
    assert demo.counts["capabilities"] == _count(s, Capability)
    assert demo.counts["matches"] == _count(s, Match)
    assert demo.counts["projects"] == _count(s, JointProject)
    assert demo.counts["partnerships"] == _count(s, Partnership)


def test_at_least_sixty_firms_spread_over_all_six_districts_with_flags_on_a_minority(demo):
    s = demo.session
    firms = s.execute(
        select(Organisation, Region.code).join(Region, Region.id == Organisation.region_id)
        .where(Organisation.kind == OrgKind.FIRM)
    ).all()
    assert len(firms) >= 60
    districts = Counter(code for _, code in firms)
    assert SHAOXING_DISTRICTS <= set(districts)
    assert districts["330624"] == max(districts[d] for d in SHAOXING_DISTRICTS)  # Xinchang leads
    assert {"330100", "330200"} <= set(districts)  # a few neighbours
    for flag in ("is_little_giant", "is_high_tech", "is_chain_leader", "is_listed"):
        flagged = sum(getattr(org, flag) for org, _ in firms)
        assert 0 < flagged < len(firms) / 2, flag
    assert _count(s, Organisation, Organisation.kind == OrgKind.GOVERNMENT) >= 1


def test_fifteen_research_organisations_of_which_some_abroad(demo):
    rows = demo.session.execute(
        select(Organisation.kind, Region.country_code).join(Region, Region.id == Organisation.region_id)
        .where(Organisation.kind.in_([OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.FOREIGN_PARTNER]))
    ).all()
    assert len(rows) >= 15
    assert sum(country != "CN" for _, country in rows) >= 3
    assert sum(kind in (OrgKind.UNIVERSITY, OrgKind.INSTITUTE) for kind, _ in rows) >= 15


def test_two_hundred_needs_mostly_in_chinese_with_mixed_visibility(demo):
    needs = list(demo.session.scalars(select(Need)))
    assert len(needs) >= 200
    languages = Counter(n.language for n in needs)
    assert languages["zh"] / len(needs) >= 0.8
    assert languages["en"] > 0
    assert len({n.title for n in needs}) == len(needs)
    visibility = Counter(n.visibility for n in needs)
    assert visibility[Visibility.PUBLIC] > visibility[Visibility.REGISTERED] > 0
    assert visibility[Visibility.CONFIDENTIAL] > 0
    for need in needs:
        assert need.keywords and need.chain_id is not None and need.trl_min <= need.trl_max
        if need.visibility == Visibility.CONFIDENTIAL:
            assert need.summary != need.title and need.title not in need.summary


def test_six_hundred_capabilities_of_every_kind_with_english_ones_from_abroad(demo):
    s = demo.session
    rows = s.execute(
        select(Capability, Region.country_code)
        .join(Organisation, Organisation.id == Capability.organisation_id)
        .join(Region, Region.id == Organisation.region_id)
    ).all()
    assert len(rows) >= 600
    assert {cap.kind for cap, _ in rows} == set(CapabilityKind)
    foreign = [cap for cap, country in rows if country != "CN"]
    assert foreign and all(cap.language == "en" for cap in foreign)
    domestic = Counter(cap.language for cap, country in rows if country == "CN")
    assert domestic["zh"] > domestic["en"] > 0
    for cap, _ in rows:
        if cap.kind == CapabilityKind.PATENT:
            assert cap.patent_numbers
    cn_patents = [p for cap, _ in rows for p in cap.patent_numbers if p.startswith("CN")]
    assert cn_patents and all(p.startswith("CN11") and p[-1] in "AB" for p in cn_patents)


def test_every_need_topic_has_chinese_and_english_capabilities():
    topics = {t.key: t for t in data.TOPICS}
    plan = data.build(TODAY)
    for key in topics:
        languages = {c.language for c in plan.capabilities if c.topic == key}
        assert languages == {"zh", "en"}, key
    assert {n.topic for n in plan.needs} == set(topics)


def test_everything_is_marked_as_sample(demo):
    s = demo.session
    for model in (Organisation, Need, Capability, Match, JointProject, Partnership, CollaborationEvent):
        assert _count(s, model, model.is_sample.is_(False)) == 0, model.__name__
    for org in s.scalars(select(Organisation)):
        assert "（示例）" in org.name and "(sample)" in (org.name_en or "")
    assert all("示例" in p.title or "sample" in p.title for p in s.scalars(select(JointProject)))
    assert all("示例" in p.description for p in s.scalars(select(Partnership)))
    assert all(m.explanation.get("sample") is True for m in s.scalars(select(Match)))


def test_one_demo_user_per_role_with_the_demo_password(demo):
    users = {u.role: u for u in demo.session.scalars(select(User))}
    assert set(users) == set(Role)
    for user in users.values():
        assert user.email.endswith("@sample.matchmaker.local")
        assert verify_password(user, "matchmaker-demo")
    orgs = {o.id: o for o in demo.session.scalars(select(Organisation))}
    assert orgs[users[Role.FIRM_MEMBER].organisation_id].kind == OrgKind.FIRM
    assert orgs[users[Role.TECH_TRANSFER_OFFICER].organisation_id].is_research
    assert orgs[users[Role.GOVERNMENT_ANALYST].organisation_id].kind == OrgKind.GOVERNMENT


def test_history_covers_the_24_months_before_today_and_grows(demo):
    s = demo.session
    start, end = data.history_window(TODAY)
    assert (start.year, start.month, end.year, end.month) == (2024, 11, 2026, 11)
    proposed = list(s.scalars(select(Match.proposed_at)))
    created = list(s.scalars(select(JointProject.created_at)))
    started = list(s.scalars(select(Partnership.started_on)))
    assert len(_months(proposed)) >= 20
    assert len(_months(created)) >= 20
    assert len(_months(started)) >= 20
    # the collaboration history; alerts are the daily job's, run up to today on the loaded sample
    events = list(s.scalars(select(CollaborationEvent.occurred_at).where(~CollaborationEvent.kind.like("alert.%"))))
    assert min(events) >= start and max(events) < end
    middle = end.replace(year=end.year - 1)
    assert sum(t >= middle for t in proposed) > sum(t < middle for t in proposed)


def test_matches_and_projects_go_through_their_whole_lifecycles(demo):
    s = demo.session
    statuses = Counter(s.scalars(select(Match.status)))
    assert set(statuses) == set(MatchStatus) - {MatchStatus.WITHDRAWN}  # withdrawn only by a later engine run
    declined = list(s.scalars(select(Match).where(Match.status == MatchStatus.DECLINED)))
    assert len({m.decline_reason for m in declined}) >= 5
    projects = list(s.scalars(select(JointProject)))
    assert {p.status for p in projects} == set(ProjectStatus)
    assert {p.major_level for p in projects} == set(MajorLevel)
    from_matches = [p for p in projects if p.match_id is not None]
    assert from_matches and len(from_matches) < len(projects)  # some were recorded directly
    accepted = set(s.scalars(select(Match.id).where(Match.status == MatchStatus.ACCEPTED)))
    assert {p.match_id for p in from_matches} <= accepted
    assert all(p.contract_value_cny > 0 for p in projects)
    assert _count(s, Milestone, Milestone.done_on.is_not(None)) > 0
    # some of the history crosses languages; its explanations are left to the engine, and its scores are the
    # history's own (provisional: the engine rescores sample pairs), as its proposals' ledger events carry them
    need_lang = dict(s.execute(select(Need.id, Need.language)).tuples().all())
    cap_lang = dict(s.execute(select(Capability.id, Capability.language)).tuples().all())
    matches = list(s.scalars(select(Match)))
    assert any(need_lang[m.need_id] != cap_lang[m.capability_id] for m in matches)
    assert all(Explanation.read(m.explanation) == Explanation(sample=True) and 0.01 <= m.fused_score <= 0.95
               and m.dense_score is None for m in matches)
    proposed = dict(s.execute(select(CollaborationEvent.match_id, CollaborationEvent.data["fused_score"].as_float())
                              .where(CollaborationEvent.kind == "match.proposed")).tuples().all())
    assert proposed == {m.id: m.fused_score for m in matches}
    qualified = sum(1 for m in matches if m.fused_score >= 0.5)
    assert 0.2 * len(matches) < qualified < 0.8 * len(matches)  # neither none nor all


def test_every_match_project_and_partnership_is_in_the_ledger(demo):
    s = demo.session
    kinds = Counter(dict(s.execute(
        select(CollaborationEvent.kind, func.count()).group_by(CollaborationEvent.kind)).tuples().all()))
    statuses = Counter(s.scalars(select(Match.status)))
    assert kinds["need.posted"] == _count(s, Need)
    assert kinds["capability.posted"] == _count(s, Capability)
    assert kinds["match.proposed"] == _count(s, Match)
    for status in (MatchStatus.ACCEPTED, MatchStatus.DECLINED, MatchStatus.EXPIRED):
        assert kinds[f"match.{status.value}"] == statuses[status]
    assert kinds["project.created"] == _count(s, JointProject)
    assert kinds["project.milestone_done"] == _count(s, Milestone, Milestone.done_on.is_not(None))
    assert kinds["project.commercialised"] == _count(
        s, JointProject, JointProject.status == ProjectStatus.COMMERCIALISED)
    assert kinds["partnership.created"] == _count(s, Partnership)


def test_only_one_matching_sweep_is_queued_and_the_scores_are_computed(demo):
    from backend.scores.models import ScoreSnapshot

    assert demo.queued == [("matches.sweep_pending", ())]
    assert demo.counts["score_rows"] > 1000
    rows = demo.session.scalars(select(ScoreSnapshot).limit(50)).all()
    assert rows and all(r.is_sample for r in rows)


def test_progress_grows_to_its_total_through_every_stage(demo):
    done = [d for _, d, _ in demo.progress]
    assert done == sorted(done)
    stage, last, total = demo.progress[-1]
    assert stage == "partnerships" and last == total
    assert {s for s, _, _ in demo.progress} == {
        "organisations", "users", "needs", "capabilities", "matches", "projects", "partnerships"}


def test_the_plan_is_the_same_every_time_and_its_texts_do_not_depend_on_the_date(demo):
    assert data.build(TODAY) == data.build(TODAY)
    other = data.build(date(2025, 3, 2))
    plan = data.build(TODAY)
    assert sorted(n.title for n in other.needs) == sorted(n.title for n in plan.needs)
    assert sorted(c.title for c in other.capabilities) == sorted(c.title for c in plan.capabilities)
    loaded = sorted(demo.session.scalars(select(Need.title)))
    assert loaded == sorted(n.title for n in plan.needs)

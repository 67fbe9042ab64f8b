"""The need service: drafts, edits, the status lifecycle with one ledger event per step, and deadlines."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend import access
from backend.accounts.models import Role
from backend.auth import ANONYMOUS
from backend.errors import InvalidInput, InvalidTransition
from backend.ledger.models import CollaborationEvent
from backend.needs import repository, service
from backend.needs.models import Need, NeedStatus, Visibility
from backend.needs.schemas import NeedIn, NeedUpdate
from backend.notifications.models import OutboxMail
from tests.common.factories import create_need, create_org
from tests.common.portal import create_user


def kinds(session, need_id: int) -> list[str]:  # noqa: ANN001
    return list(session.scalars(select(CollaborationEvent.kind).where(CollaborationEvent.need_id == need_id)
                                .order_by(CollaborationEvent.id)))


def on_board(session, need) -> bool:  # noqa: ANN001
    return need.id in {n.id for n in session.scalars(repository.listing(access.visible_needs_clause(ANONYMOUS)))
                       .unique()}


def test_a_draft_is_indexed_and_recorded_but_not_queued(db_session):
    firm = create_org(db_session, is_verified=False)
    need = service.create(db_session, NeedIn(organisation_id=firm.id, title="Draft need",
                                             description="Spindle drift at high speed."), draft=True)
    assert need.status == NeedStatus.DRAFT and need.language == "en" and need.lexical is not None
    assert kinds(db_session, need.id) == ["need.drafted"]
    assert not db_session.info.get("pending_jobs")
    assert not on_board(db_session, need)


def test_sample_eval_and_bench_callers_keep_publishing_for_unverified_organisations(db_session):
    firm = create_org(db_session, is_verified=False)
    need = service.create(db_session, NeedIn(organisation_id=firm.id, title="评测需求", description="评测文本"))
    assert need.status == NeedStatus.OPEN and kinds(db_session, need.id) == ["need.posted"]


def test_a_confidential_need_needs_its_own_summary(db_session):
    firm = create_org(db_session)
    with pytest.raises(InvalidInput) as err:
        create_need(db_session, firm, visibility=Visibility.CONFIDENTIAL)
    assert err.value.field == "summary"
    public = create_need(db_session, firm, title="公开需求")
    assert public.summary == ""  # never the title: it would leak if the need later became confidential
    with pytest.raises(InvalidInput) as err:
        service.update(db_session, public, NeedUpdate(visibility=Visibility.CONFIDENTIAL))
    assert err.value.field == "summary"


def test_the_language_chosen_by_the_author_wins_over_detection(db_session):
    need = create_need(db_session, title="Bearing wear", description="Wear of 轴承 rings in service.", language="zh")
    assert need.language_chosen == "zh" and need.language == "zh"
    service.update(db_session, need, NeedUpdate(language="auto"))
    assert need.language_chosen is None and need.language == "en"


def test_an_update_changes_only_the_given_fields_and_writes_one_event(db_session):
    need = create_need(db_session, trl_min=3, trl_max=6)
    db_session.info["pending_jobs"] = []
    service.update(db_session, need, NeedUpdate(trl_max=8, region="330681"))
    assert (need.trl_min, need.trl_max) == (3, 8) and need.title == "风电滚子磨削烧伤"
    assert kinds(db_session, need.id) == ["need.posted", "need.edited"]
    event = db_session.scalar(select(CollaborationEvent).where(CollaborationEvent.kind == "need.edited",
                                                               CollaborationEvent.need_id == need.id))
    assert event.data == {"fields": ["region", "trl_max"]} and event.region_id == need.region_id
    assert db_session.info["pending_jobs"] == [("matches.match_need", (need.id,))]
    service.update(db_session, need, NeedUpdate(trl_max=8))  # nothing changes: no event
    assert kinds(db_session, need.id).count("need.edited") == 1
    with pytest.raises(InvalidInput) as err:
        service.update(db_session, need, NeedUpdate(trl_min=9, trl_max=2))
    assert err.value.field == "trl_max"
    with pytest.raises(InvalidInput) as err:
        service.update(db_session, need, NeedUpdate(region="330100"))  # Hangzhou is not in Shaoxing
    assert err.value.field == "region"


@pytest.mark.parametrize(("steps", "events"), [
    (["closed"], ["need.closed"]),
    (["in_progress", "solved"], ["need.in_progress", "need.solved"]),
    (["in_progress", "open", "closed"], ["need.in_progress", "need.open", "need.closed"]),
])
def test_every_status_step_writes_its_event(db_session, steps, events):
    need = create_need(db_session)
    for step in steps:
        service.transition(db_session, need, step)
    assert need.status == NeedStatus(steps[-1])
    assert kinds(db_session, need.id) == ["need.posted", *events]


def test_a_step_outside_the_lifecycle_is_refused_with_the_shared_wording(db_session):
    need = create_need(db_session)
    service.transition(db_session, need, NeedStatus.CLOSED)
    with pytest.raises(InvalidTransition) as err:
        service.transition(db_session, need, NeedStatus.OPEN)
    assert str(err.value) == "a need cannot go from closed to open; allowed next steps: none (it is final)"
    with pytest.raises(Exception) as final:
        service.update(db_session, need, NeedUpdate(title="new"))
    assert final.value.status == 409


def test_publishing_a_draft_needs_a_verified_organisation(db_session):
    firm = create_org(db_session, is_verified=False)
    need = service.create(db_session, NeedIn(organisation_id=firm.id, title="t", description="d"), draft=True)
    with pytest.raises(service.AwaitingVerification):
        service.transition(db_session, need, NeedStatus.OPEN)
    assert need.status == NeedStatus.DRAFT
    firm.is_verified = True
    service.transition(db_session, need, NeedStatus.OPEN)
    assert kinds(db_session, need.id) == ["need.drafted", "need.posted"]
    assert ("matches.match_need", (need.id,)) in db_session.info["pending_jobs"]


def test_a_new_need_cannot_have_a_deadline_in_the_past(db_session):
    with pytest.raises(InvalidInput) as err:
        create_need(db_session, deadline=repository.today() - timedelta(days=1))
    assert err.value.field == "deadline"


def test_the_deadline_task_mails_each_member_once_in_their_language_and_the_need_leaves_the_board(db_session):
    firm = create_org(db_session, name="过期企业")
    zh = create_user(db_session, Role.FIRM_MEMBER, firm, email="zh@firm.example.cn")
    en = create_user(db_session, Role.FIRM_MEMBER, firm, email="en@firm.example.cn", locale="en")
    need = create_need(db_session, firm, title="主轴热变形", deadline=repository.today() + timedelta(days=3))
    fresh = create_need(db_session, firm, title="未过期", deadline=repository.today())
    assert on_board(db_session, need)
    need.deadline = repository.today() - timedelta(days=1)
    db_session.flush()
    assert not on_board(db_session, need) and on_board(db_session, fresh)

    assert service.expire_deadlines(db_session) == 1
    mails = {m.recipient: m for m in db_session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "need_deadline_passed"))}
    assert set(mails) == {zh.email, en.email}
    assert mails[en.email].locale == "en" and "has passed" in mails[en.email].subject
    assert f"/needs/{need.id}/edit" in mails[en.email].body_text and "extend" in mails[en.email].body_text
    assert f"/needs/{need.id}/edit" in mails[zh.email].body_text and "主轴热变形" in mails[zh.email].subject
    assert mails[zh.email].subject != mails[en.email].subject
    assert need.deadline_notified_on == repository.today()
    assert kinds(db_session, need.id)[-1] == "need.deadline_passed"

    assert service.expire_deadlines(db_session) == 0  # a second run mails nobody
    assert db_session.scalar(select(OutboxMail.id).where(OutboxMail.kind == "need_deadline_passed")
                             .order_by(OutboxMail.id.desc()).limit(1)) == max(m.id for m in mails.values())
    assert kinds(db_session, need.id).count("need.deadline_passed") == 1

    service.update(db_session, need, NeedUpdate(deadline=repository.today() + timedelta(days=10)))
    assert need.deadline_notified_on is None and on_board(db_session, need)


def test_the_daily_task_is_scheduled():
    from workers.app import celery_app

    entries = {e["task"] for e in celery_app.conf.beat_schedule.values()}
    assert "needs.expire_deadlines" in entries
    from workers import tasks

    assert tasks.expire_deadlines.name == "needs.expire_deadlines"


def test_the_engine_does_not_match_a_need_past_its_deadline_or_a_draft(db_session):
    from backend.capabilities.models import Capability
    from backend.matches import matching
    from tests.common.factories import create_capability

    cap = create_capability(db_session, title="Precision roller grinding", description="Grinding burn detection.")
    need = create_need(db_session, title="Roller grinding burns", description="Burns after grinding rollers.")
    matching.embed_postings(db_session, [cap, need])
    assert need.id in matching.retrieve(db_session, cap, Need).rankings.get("lexical", [])
    assert cap.id in matching.retrieve(db_session, need, Capability).rankings.get("lexical", [])
    need.deadline = repository.today() - timedelta(days=1)
    db_session.flush()
    assert need.id not in matching.retrieve(db_session, cap, Need).rankings.get("lexical", [])
    assert matching.retrieve(db_session, need, Capability).fused == []
    need.deadline = None
    need.status = NeedStatus.DRAFT
    db_session.flush()
    assert matching.retrieve(db_session, need, Capability).fused == []

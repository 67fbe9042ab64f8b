"""The capability service: drafts, publication, edits and retirement, each with one ledger event."""

import pytest
from sqlalchemy import select

from backend import access
from backend.auth import ANONYMOUS
from backend.base import MatchState
from backend.capabilities import repository, service
from backend.capabilities.models import CapabilityStatus
from backend.capabilities.schemas import CapabilityIn, CapabilityUpdate
from backend.errors import Conflict, InvalidTransition
from backend.ledger.models import CollaborationEvent
from backend.organisations.models import OrgKind
from tests.common.factories import create_org


def events(session, cap_id: int) -> list[str]:  # noqa: ANN001
    return list(session.scalars(select(CollaborationEvent.kind).where(CollaborationEvent.capability_id == cap_id)
                                .order_by(CollaborationEvent.id)))


def jobs(session) -> list:  # noqa: ANN001
    return list(session.info.get("pending_jobs", []))


def lab(session, verified: bool = True):  # noqa: ANN001, ANN201
    return create_org(session, kind=OrgKind.UNIVERSITY, region="330100", is_verified=verified)


def new(org, **overrides) -> CapabilityIn:  # noqa: ANN001
    fields = {"organisation_id": org.id, "kind": "patent", "title": "柔性轴承疲劳寿命试验",
              "description": "谐波减速器柔性轴承的疲劳寿命试验与失效分析。", "chain": "bearings",
              "contact": "王老师"} | overrides
    return CapabilityIn(**fields)


def test_a_published_capability_is_active_recorded_and_queued_for_matching(db_session):
    cap = service.create(db_session, new(lab(db_session)))
    assert cap.status == CapabilityStatus.ACTIVE and cap.match_state == MatchState.PENDING
    assert events(db_session, cap.id) == ["capability.posted"]
    assert ("matches.match_capability", (cap.id,)) in jobs(db_session)


def test_a_draft_is_indexed_and_recorded_but_never_queued_nor_on_the_board(db_session):
    org = lab(db_session, verified=False)
    cap = service.create(db_session, new(org), draft=True)
    assert cap.status == CapabilityStatus.DRAFT and cap.lexical is not None
    assert cap.match_state == MatchState.DONE  # the sweep of pending postings leaves it alone
    assert events(db_session, cap.id) == ["capability.drafted"]
    assert ("matches.match_capability", (cap.id,)) not in jobs(db_session)
    board = db_session.scalars(repository.listing(access.visible_capabilities_clause(ANONYMOUS))).all()
    assert cap not in board


def test_sample_data_keeps_publishing_through_the_old_call(db_session):
    from datetime import UTC, datetime

    at = datetime(2026, 3, 1, tzinfo=UTC)
    cap = service.create(db_session, new(lab(db_session, verified=False)), at=at, is_sample=True)
    assert cap.status == CapabilityStatus.ACTIVE and cap.is_sample and cap.created_at == at


def test_an_edit_reindexes_records_the_fields_and_matches_again(db_session):
    cap = service.create(db_session, new(lab(db_session)))
    db_session.info["pending_jobs"] = []
    service.update(db_session, cap, CapabilityUpdate(title="Fatigue testing of flexspline bearings",
                                                     description="Accelerated life tests of thin-walled bearings.",
                                                     language="en", trl=6, keywords=["fatigue", "bearing"]))
    assert cap.title == "Fatigue testing of flexspline bearings" and cap.trl == 6
    assert cap.language_chosen == "en" and cap.language == "en" and cap.match_state == MatchState.PENDING
    assert events(db_session, cap.id) == ["capability.posted", "capability.edited"]
    event = db_session.scalars(select(CollaborationEvent).where(CollaborationEvent.capability_id == cap.id,
                                                                CollaborationEvent.kind == "capability.edited")).one()
    assert event.data["fields"] == ["description", "keywords", "language_chosen", "title", "trl"]
    assert jobs(db_session) == [("matches.match_capability", (cap.id,))]


def test_an_edit_that_changes_nothing_writes_nothing(db_session):
    cap = service.create(db_session, new(lab(db_session)))
    service.update(db_session, cap, CapabilityUpdate(title=cap.title, chain="bearings"))
    assert events(db_session, cap.id) == ["capability.posted"]


def test_editing_a_draft_does_not_queue_matching(db_session):
    cap = service.create(db_session, new(lab(db_session, verified=False)), draft=True)
    service.update(db_session, cap, CapabilityUpdate(team="精密制造实验室"))
    assert events(db_session, cap.id) == ["capability.drafted", "capability.edited"]
    assert jobs(db_session) == [] and cap.match_state == MatchState.DONE


def test_publishing_waits_for_verification(db_session):
    org = lab(db_session, verified=False)
    cap = service.create(db_session, new(org), draft=True)
    with pytest.raises(Conflict, match="waits for an administrator"):
        service.publish(db_session, cap)
    assert cap.status == CapabilityStatus.DRAFT
    org.is_verified = True
    service.publish(db_session, cap)
    assert cap.status == CapabilityStatus.ACTIVE and cap.match_state == MatchState.PENDING
    assert events(db_session, cap.id) == ["capability.drafted", "capability.posted"]
    assert ("matches.match_capability", (cap.id,)) in jobs(db_session)
    with pytest.raises(InvalidTransition):
        service.publish(db_session, cap)


def test_a_retired_capability_leaves_the_board_and_cannot_be_changed(db_session):
    cap = service.create(db_session, new(lab(db_session)))
    service.retire(db_session, cap)
    assert cap.status == CapabilityStatus.ARCHIVED and cap.match_state == MatchState.DONE
    assert events(db_session, cap.id) == ["capability.posted", "capability.retired"]
    board = db_session.scalars(repository.listing(access.visible_capabilities_clause(ANONYMOUS))).all()
    assert cap not in board
    with pytest.raises(InvalidTransition):
        service.retire(db_session, cap)
    with pytest.raises(Conflict):
        service.update(db_session, cap, CapabilityUpdate(title="新标题"))


def test_a_draft_can_be_retired(db_session):
    cap = service.create(db_session, new(lab(db_session, verified=False)), draft=True)
    service.retire(db_session, cap)
    assert cap.status == CapabilityStatus.ARCHIVED
    assert events(db_session, cap.id) == ["capability.drafted", "capability.retired"]

"""The ledger is a contract: one closed list of kinds, each with its payload, validated when written."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.ledger import service as ledger
from backend.ledger.kinds import PAYLOADS, EventKind, InvalidEvent
from backend.ledger.models import CollaborationEvent
from backend.matches.models import MatchStatus
from backend.needs.models import NeedStatus
from backend.projects.models import ProjectStatus
from backend.scores.components import moves
from tests.common.factories import create_need, create_org

ROOT = Path(__file__).resolve().parents[3]


def test_every_kind_has_a_payload_and_every_status_change_has_a_kind():
    assert set(PAYLOADS) == set(EventKind)
    for subject, statuses in (("need", set(NeedStatus) - {NeedStatus.DRAFT}),
                              ("match", set(MatchStatus)), ("project", set(ProjectStatus) - {ProjectStatus.PLANNED})):
        for status in statuses:
            assert EventKind.of_status(subject, status.value).value == f"{subject}.{status.value}"


def test_no_service_writes_a_kind_as_a_free_string():
    written = []
    for path in (ROOT / "backend").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written += re.findall(r"(?:ledger\.record|_record)\(\s*session,\s*(?:match,\s*)?f?[\"']", text)
    assert written == []


def test_an_unknown_kind_is_refused(db_session):
    org = create_org(db_session)
    with pytest.raises(InvalidEvent, match="unknown ledger event kind 'need.forged'"):
        ledger.record(db_session, "need.forged", region_id=org.region_id, organisation_ids=[org.id])


def test_a_malformed_payload_is_refused(db_session):
    need = create_need(db_session)
    common = {"region_id": need.region_id, "need_id": need.id, "organisation_ids": [need.organisation_id]}
    with pytest.raises(InvalidEvent, match="malformed payload for need.edited"):
        ledger.record(db_session, EventKind.NEED_EDITED, data={"fields": "title"}, **common)
    with pytest.raises(InvalidEvent, match="malformed payload"):
        ledger.record(db_session, EventKind.NEED_EDITED, data={"fields": ["title"], "secret": 1}, **common)
    with pytest.raises(InvalidEvent, match="malformed payload for partnership.created"):
        ledger.record(db_session, EventKind.PARTNERSHIP_CREATED, region_id=need.region_id, partnership_id=1,
                      data={"country": "DE", "kind": "joint_rd", "value_cny": -5})


def test_an_event_without_the_reference_its_kind_needs_is_refused(db_session):
    need = create_need(db_session)
    with pytest.raises(InvalidEvent, match="needs match_id"):
        ledger.record(db_session, EventKind.MATCH_ACCEPTED, region_id=need.region_id, need_id=need.id,
                      data={"from": "firm_interested"})


def test_the_payload_is_stored_as_written(db_session):
    need = create_need(db_session)
    event = db_session.scalar(select(CollaborationEvent).where(CollaborationEvent.need_id == need.id))
    assert (event.kind, event.data) == ("need.posted", {})
    ledger.record(db_session, EventKind.NEED_IN_PROGRESS, region_id=need.region_id, need_id=need.id,
                  data={"from": "open"})
    stored = db_session.scalars(select(CollaborationEvent.data).where(
        CollaborationEvent.kind == "need.in_progress", CollaborationEvent.need_id == need.id)).one()
    assert stored == {"from": "open"}


def test_events_that_move_a_score_queue_one_update_per_transaction_after_commit(db_session, queued_jobs):
    org = create_org(db_session)
    db_session.commit()
    queued_jobs.clear()
    need = create_need(db_session, org)
    other = create_need(db_session, org, title="第二个需求")
    posted = list(db_session.scalars(select(CollaborationEvent.id).where(
        CollaborationEvent.need_id.in_([need.id, other.id])).order_by(CollaborationEvent.id)))
    assert not [j for j in queued_jobs if j[0] == "scores.apply_event"]  # not before the commit
    db_session.commit()
    assert [j for j in queued_jobs if j[0] == "scores.apply_event"] == [("scores.apply_event", (posted,))]
    queued_jobs.clear()
    ledger.record(db_session, EventKind.NEED_EDITED, region_id=need.region_id, need_id=need.id,
                  data={"fields": ["title"]})
    db_session.commit()
    assert not moves(EventKind.NEED_EDITED)
    assert not [j for j in queued_jobs if j[0] == "scores.apply_event"]


def test_a_rolled_back_savepoint_drops_its_score_update_but_not_the_later_ones(db_session, queued_jobs):
    org = create_org(db_session)
    db_session.commit()
    queued_jobs.clear()
    nested = db_session.begin_nested()
    create_need(db_session, org, title="撤回的需求")
    nested.rollback()
    kept = create_need(db_session, org, title="保留的需求")
    posted = db_session.scalar(select(CollaborationEvent.id).where(CollaborationEvent.need_id == kept.id))
    db_session.commit()
    assert [j for j in queued_jobs if j[0] == "scores.apply_event"] == [("scores.apply_event", ([posted],))]

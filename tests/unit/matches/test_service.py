"""The match lifecycle: unique pairs, legal steps only, one ledger event per step."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backend.errors import Conflict, InvalidInput, InvalidTransition
from backend.ledger.models import CollaborationEvent
from backend.matches import service
from backend.matches.models import DeclineReason, Match, MatchStatus
from tests.common.factories import create_capability, create_need


def events(session, **where) -> list[CollaborationEvent]:
    stmt = select(CollaborationEvent).filter_by(**where).order_by(CollaborationEvent.id)
    return list(session.scalars(stmt))


def test_a_duplicate_match_is_refused_by_the_service_and_the_database(db_session):
    need, cap = create_need(db_session), create_capability(db_session)
    service.propose(db_session, need.id, cap.id)
    with pytest.raises(Conflict, match="already matched"):
        service.propose(db_session, need.id, cap.id)
    nested = db_session.begin_nested()
    db_session.add(Match(need_id=need.id, capability_id=cap.id, proposed_at=func.now()))
    with pytest.raises(IntegrityError):
        db_session.flush()
    nested.rollback()


def test_an_illegal_transition_is_refused_with_a_clear_message(db_session):
    match = service.propose(db_session, create_need(db_session).id, create_capability(db_session).id)
    with pytest.raises(InvalidTransition) as err:
        service.transition(db_session, match, MatchStatus.ACCEPTED)
    assert "cannot go from proposed to accepted" in err.value.message
    service.transition(db_session, match, MatchStatus.DECLINED, reason=DeclineReason.BUDGET)
    with pytest.raises(InvalidTransition, match="it is final"):
        service.transition(db_session, match, MatchStatus.FIRM_INTERESTED)


def test_declining_needs_a_reason(db_session):
    match = service.propose(db_session, create_need(db_session).id, create_capability(db_session).id)
    with pytest.raises(InvalidInput, match="reason"):
        service.transition(db_session, match, MatchStatus.DECLINED)
    assert match.status == MatchStatus.PROPOSED


def test_each_step_writes_exactly_one_ledger_event_with_region_chain_and_orgs(db_session):
    need, cap = create_need(db_session), create_capability(db_session)
    match = service.propose(db_session, need.id, cap.id)
    assert [e.kind for e in events(db_session, match_id=match.id)] == ["match.proposed"]
    service.express_interest(db_session, match, "firm")
    service.express_interest(db_session, match, "university")
    kinds = [e.kind for e in events(db_session, match_id=match.id)]
    assert kinds == ["match.proposed", "match.firm_interested", "match.accepted"]
    assert match.firm_interested_at and match.university_interested_at
    assert match.status == MatchStatus.ACCEPTED and match.accepted_at is not None
    last = events(db_session, match_id=match.id)[-1]
    assert last.organisation_ids == sorted([need.organisation_id, cap.organisation_id])
    assert last.chain_id == need.chain_id and last.region_id is not None

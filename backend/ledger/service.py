"""Writes collaboration events; called by each domain service inside its own transaction."""

from datetime import datetime

from sqlalchemy.orm import Session

from backend import jobs
from backend.ledger.kinds import EventKind, InvalidEvent, validate
from backend.ledger.models import CollaborationEvent
from backend.scores.components import moves

SCORE_JOB = "scores.apply_event"

__all__ = ["EventKind", "InvalidEvent", "record"]


def record(
    session: Session,
    kind: EventKind | str,
    *,
    region_id: int | None,
    chain_id: int | None = None,
    organisation_ids: list[int] | None = None,
    need_id: int | None = None,
    capability_id: int | None = None,
    match_id: int | None = None,
    project_id: int | None = None,
    partnership_id: int | None = None,
    data: dict | None = None,
    occurred_at: datetime | None = None,
    is_sample: bool = False,
) -> CollaborationEvent:
    """Append one event to the ledger in the caller's transaction; an unknown kind or a malformed payload
    raises `InvalidEvent`. Events that move a score are queued for `scores.apply_event` after the commit."""
    member, payload = validate(kind, data, {
        "need_id": need_id, "capability_id": capability_id, "match_id": match_id, "project_id": project_id,
        "partnership_id": partnership_id, "organisation_ids": organisation_ids,
    })
    event = CollaborationEvent(
        kind=member.value,
        region_id=region_id,
        chain_id=chain_id,
        organisation_ids=sorted(set(organisation_ids or [])),
        need_id=need_id,
        capability_id=capability_id,
        match_id=match_id,
        project_id=project_id,
        partnership_id=partnership_id,
        data=payload,
        is_sample=is_sample,
    )
    if occurred_at is not None:
        event.occurred_at = occurred_at
    session.add(event)
    session.flush()
    if moves(member):
        _queue_score_update(session, event.id)
    return event


def _queue_score_update(session: Session, event_id: int) -> None:
    """One `scores.apply_event` job per transaction, carrying every score-moving event id written in it (a
    matching run writes ten proposals: one score update, not ten)."""
    batch = session.info.get("score_event_ids")
    pending = session.info.get("pending_jobs", [])
    if batch is None or not any(name == SCORE_JOB and args[0] is batch for name, args in pending):
        batch = session.info["score_event_ids"] = []
        jobs.enqueue(session, SCORE_JOB, batch)
    batch.append(event_id)

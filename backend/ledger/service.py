"""Writes collaboration events; called by each domain service inside its own transaction."""

from datetime import datetime

from sqlalchemy.orm import Session

from backend.ledger.models import CollaborationEvent


def record(
    session: Session,
    kind: str,
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
    """Append one event to the ledger in the caller's transaction."""
    event = CollaborationEvent(
        kind=kind,
        region_id=region_id,
        chain_id=chain_id,
        organisation_ids=sorted(set(organisation_ids or [])),
        need_id=need_id,
        capability_id=capability_id,
        match_id=match_id,
        project_id=project_id,
        partnership_id=partnership_id,
        data=data or {},
        is_sample=is_sample,
    )
    if occurred_at is not None:
        event.occurred_at = occurred_at
    session.add(event)
    session.flush()
    return event

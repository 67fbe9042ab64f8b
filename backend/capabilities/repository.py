"""Every query of capabilities."""

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, joinedload

from backend.capabilities.models import Capability, CapabilityStatus
from backend.errors import NotFound


def get(session: Session, capability_id: int) -> Capability:
    cap = session.get(
        Capability, capability_id, options=[joinedload(Capability.organisation), joinedload(Capability.chain)],
        populate_existing=True,
    )
    if cap is None:
        raise NotFound(f"capability {capability_id} does not exist")
    return cap


def listing(visible: ColumnElement[bool], *, chain_id: int | None = None) -> Select[tuple[Capability]]:
    """Active capabilities the viewer may see (`visible` from `backend.access`), newest first."""
    stmt = (
        select(Capability)
        .options(joinedload(Capability.organisation), joinedload(Capability.chain))
        .where(visible, Capability.status == CapabilityStatus.ACTIVE)
        .order_by(Capability.created_at.desc(), Capability.id.desc())
    )
    if chain_id is not None:
        stmt = stmt.where(Capability.chain_id == chain_id)
    return stmt

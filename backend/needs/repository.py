"""Every query of needs."""

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, joinedload

from backend.errors import NotFound
from backend.needs.models import Need, NeedStatus


def get(session: Session, need_id: int, *, with_org: bool = True) -> Need:
    options = [joinedload(Need.organisation), joinedload(Need.chain)] if with_org else []
    need = session.get(Need, need_id, options=options, populate_existing=bool(options))
    if need is None:
        raise NotFound(f"need {need_id} does not exist")
    return need


def listing(visible: ColumnElement[bool], *, chain_id: int | None = None) -> Select[tuple[Need]]:
    """Needs on the board: `visible` is the viewer's clause from `backend.access`; open ones only."""
    stmt = (
        select(Need)
        .options(joinedload(Need.organisation), joinedload(Need.chain))
        .where(visible, Need.status == NeedStatus.OPEN)
        .order_by(Need.created_at.desc(), Need.id.desc())
    )
    if chain_id is not None:
        stmt = stmt.where(Need.chain_id == chain_id)
    return stmt


def page(session: Session, stmt: Select, *, limit: int, offset: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(limit).offset(offset)).unique())
    return rows, int(total or 0)

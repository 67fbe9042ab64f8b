"""Small helpers that create valid domain objects through the services."""

import itertools

from sqlalchemy.orm import Session

from backend.capabilities import service as capabilities
from backend.capabilities.schemas import CapabilityIn
from backend.needs import service as needs
from backend.needs.schemas import NeedIn
from backend.organisations import service as organisations
from backend.organisations.models import OrgKind

_seq = itertools.count(1)


def create_org(session: Session, kind: OrgKind = OrgKind.FIRM, region: str = "330624", **overrides):
    fields = {"name": f"测试机构{next(_seq)}", "chain_codes": ["bearings"], "is_verified": True} | overrides
    return organisations.create(session, kind=kind, region_code=region, **fields)


def create_need(session: Session, org=None, **overrides):  # noqa: ANN001
    org = org or create_org(session)
    fields = {"organisation_id": org.id, "title": "风电滚子磨削烧伤",
              "description": "风电滚子磨削后表面烧伤，圆度超差。", "chain": "bearings"} | overrides
    return needs.create(session, NeedIn(**fields))


def create_capability(session: Session, org=None, **overrides):  # noqa: ANN001
    org = org or create_org(session, kind=OrgKind.UNIVERSITY, region="330100", name=f"测试大学{next(_seq)}")
    fields = {"organisation_id": org.id, "kind": "expertise", "title": "精密磨削工艺",
              "description": "滚子精密磨削与烧伤检测。", "chain": "bearings"} | overrides
    return capabilities.create(session, CapabilityIn(**fields))

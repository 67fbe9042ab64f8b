"""Recording foreign partnerships: the organisation's list and the form (the local side is the viewer's own)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import labels
from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.errors import AppError
from backend.forms import FormData, FormError, parse
from backend.i18n import _, lazy, localized
from backend.partnerships import service
from backend.partnerships.models import PartnershipKind
from backend.partnerships.schemas import PartnershipIn
from backend.postings import page as paginate
from backend.regions.models import Region, RegionLevel
from backend.web import Db, PageQuery, flash, page_args, render

router = APIRouter()

MEMBER = allow(Role.TECH_TRANSFER_OFFICER, Role.FIRM_MEMBER)
NOT_VERIFIED = lazy("Your organisation waits for an administrator's check; partnerships can be recorded once "
                    "it is verified.")


def _countries(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).where(Region.country_code != "CN", Region.level == RegionLevel.COUNTRY)
                                .order_by(Region.code)))


def _choices(session: Session, viewer: Principal) -> dict:
    countries = _countries(session)
    partners = service.foreign_organisations(session)
    return {
        "partner_options": [("", _("A new partner (type its name below)"))] + [
            (str(org.id), f"{org.name} · {localized(region)}") for org, region in partners],
        "country_options": [("", _("Choose a country"))] + [(r.code, localized(r)) for r in countries],
        "kind_options": labels.options(PartnershipKind),
        "project_options": [("", _("No linked project"))] + [
            (str(p.id), p.title) for p in service.projects_of(session, viewer.organisation_id)],
    }


def _form(request: Request, session: Session, viewer: Principal, *, values: dict, errors: dict | None = None,
          status_code: int = 200):
    return render(request, "partnerships/form.html", status_code=status_code, values=values, errors=errors or {},
                  **_choices(session, viewer))


@router.get("/partnerships")
def partnerships(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(MEMBER)):
    limit, offset = page_args(page)
    scope = None if viewer.is_admin else (viewer.organisation_id or 0)
    rows, total = paginate(session, service.listing(scope), limit=limit, offset=offset)
    return render(request, "partnerships/list.html", rows=rows, total=total, page=page, per_page=limit,
                  countries={r.country_code: r for r in _countries(session)})


@router.get("/partnerships/new")
def new_partnership_form(request: Request, session: Db, viewer: Principal = Depends(MEMBER)):
    return _form(request, session, viewer, values={"kind": PartnershipKind.JOINT_RD.value, "value_cny": "0"})


@router.post("/partnerships/new")
def create_partnership(request: Request, session: Db, data: FormData, viewer: Principal = Depends(MEMBER)):
    try:
        form = parse(PartnershipIn, data)
        if not viewer.org_verified:
            raise FormError({"__all__": _(NOT_VERIFIED)}, data)
        with session.begin_nested():
            service.record(session, viewer.organisation_id, form)
    except FormError as err:
        return _form(request, session, viewer, values=data, errors=err.errors, status_code=422)
    except AppError as err:
        field = err.field if err.field in PartnershipIn.model_fields else "__all__"
        return _form(request, session, viewer, values=data, errors={field: _(err.message)}, status_code=422)
    flash(request, _("The partnership is recorded."), "success")
    return RedirectResponse("/partnerships", status_code=303)

"""The home page: what the platform holds, at a glance."""

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select

from backend import access
from backend.auth import Principal, anyone
from backend.capabilities.models import Capability
from backend.i18n import _, lazy
from backend.matches.models import Match
from backend.needs import repository as needs
from backend.needs.models import Need
from backend.organisations.models import Organisation
from backend.projects.models import JointProject
from backend.web import Db, render

router = APIRouter()


@router.get("/")
def home(request: Request, session: Db, viewer: Principal = Depends(anyone())):
    counts = {
        _(name): session.scalar(select(func.count()).select_from(model))
        for name, model in ((lazy("organisations"), Organisation), (lazy("needs"), Need),
                            (lazy("capabilities"), Capability), (lazy("matches"), Match),
                            (lazy("projects"), JointProject))
    }
    has_sample = bool(session.scalar(select(func.count()).select_from(Need).where(Need.is_sample)))
    latest, _total = needs.page(session, needs.listing(access.visible_needs_clause(viewer)), limit=10, offset=0)
    return render(request, "home.html", counts=counts, latest=latest, has_sample=has_sample)

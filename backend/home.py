"""The home page: what the platform holds, at a glance."""

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.capabilities.models import Capability
from backend.matches.models import Match
from backend.needs import repository as needs
from backend.needs.models import Need
from backend.organisations.models import Organisation
from backend.projects.models import JointProject
from backend.web import get_session, render

router = APIRouter()


@router.get("/")
def home(request: Request, session: Session = Depends(get_session)):
    counts = {
        name: session.scalar(select(func.count()).select_from(model))
        for name, model in (("organisations", Organisation), ("needs", Need), ("capabilities", Capability),
                            ("matches", Match), ("projects", JointProject))
    }
    has_sample = bool(session.scalar(select(func.count()).select_from(Need).where(Need.is_sample)))
    latest, _ = needs.page(session, needs.listing(), limit=10, offset=0)
    return render(request, "home.html", counts=counts, latest=latest, has_sample=has_sample)

"""Joint project pages: parties, value, status, major-project level, milestones."""

from fastapi import APIRouter

router = APIRouter()

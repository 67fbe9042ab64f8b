"""Recording foreign partnerships."""

from fastapi import APIRouter

router = APIRouter()

"""The page both sides of a match share: explanation, status, actions, thread."""

from fastapi import APIRouter

router = APIRouter()

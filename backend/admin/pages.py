"""The admin's pages: organisations waiting for verification, the mail outbox."""

from fastapi import APIRouter

router = APIRouter()

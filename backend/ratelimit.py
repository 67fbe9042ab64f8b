"""Limits on failed sign-ins, per account and per address (the `limits` library).

The storage is in memory for a single web process (the embedded default), or Redis when the deployment
has one (`MATCHMAKER_RATE_LIMIT_STORAGE`, else a `redis://` broker URL), so every web process counts
the same failures.
"""

from functools import lru_cache

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from backend.config import get_settings


@lru_cache
def _limiter() -> MovingWindowRateLimiter:
    settings = get_settings()
    uri = settings.rate_limit_storage
    if not uri and settings.broker_url and settings.broker_url.startswith("redis://"):
        uri = settings.broker_url
    return MovingWindowRateLimiter(storage_from_string(uri or "memory://"))


def _rules() -> tuple:
    settings = get_settings()
    return parse(settings.login_limit_account), parse(settings.login_limit_address)


def login_blocked(email: str, address: str) -> bool:
    """True while this account or this address has used up its failed sign-ins."""
    per_account, per_address = _rules()
    limiter = _limiter()
    return (not limiter.test(per_account, "login-account", email.lower())
            or not limiter.test(per_address, "login-address", address))


def login_failed(email: str, address: str) -> None:
    per_account, per_address = _rules()
    limiter = _limiter()
    limiter.hit(per_account, "login-account", email.lower())
    limiter.hit(per_address, "login-address", address)


def reset() -> None:
    """Forget every count (tests)."""
    _limiter().storage.reset()

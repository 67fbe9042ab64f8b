"""Users: creation, passwords (argon2, length and common-password checks), resets and API tokens."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend.accounts.models import ApiToken, PasswordResetToken, Role, User
from backend.config import get_settings
from backend.errors import Conflict, InvalidInput, NotFound
from backend.organisations import repository as orgs
from backend.organisations.models import OrgKind

_hasher = PasswordHasher()
MIN_PASSWORD = 10
MAX_PASSWORD = 200
# Verified against when an e-mail has no account, so a wrong e-mail costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("no-such-user-password")


@lru_cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's list, from leaked password sets)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _guessable(password: str) -> bool:
    """zxcvbn's estimate: a common password with a twist (password2026, 123456789012) is still guessable."""
    from zxcvbn import zxcvbn

    return zxcvbn(password[:100])["score"] < 2


def check_password(password: str, email: str | None = None) -> None:
    """Refuse a short, over-long or common password, or one that is the e-mail itself."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters", field="password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"a password has at most {MAX_PASSWORD} characters", field="password")
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4 or _guessable(password):
        raise InvalidInput("this password is among the most common ones; choose another", field="password")
    if email and lowered in {email.lower(), email.lower().split("@")[0]}:
        raise InvalidInput("a password must not be your e-mail address", field="password")

# Which kinds of organisation each role may belong to.
ROLE_ORGS: dict[Role, set[OrgKind] | None] = {
    Role.FIRM_MEMBER: {OrgKind.FIRM},
    Role.TECH_TRANSFER_OFFICER: {OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.FOREIGN_PARTNER},
    Role.GOVERNMENT_ANALYST: {OrgKind.GOVERNMENT},
    Role.ADMIN: None,
}


def create_user(
    session: Session, *, email: str, password: str, role: Role, organisation_id: int | None = None,
    locale: str = "zh_CN", full_name: str | None = None,
) -> User:
    """Create a user with an argon2 hash; role and organisation must fit together."""
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput(f"{email!r} is not an email address", field="email")
    check_password(password, email)
    role = Role(role)
    allowed = ROLE_ORGS[role]
    if allowed is not None:
        if organisation_id is None:
            raise InvalidInput(f"a {role.value} must belong to an organisation", field="organisation_id")
        org = orgs.get(session, organisation_id)
        if org.kind not in allowed:
            kinds = ", ".join(sorted(k.value for k in allowed))
            raise InvalidInput(f"a {role.value} belongs to a {kinds}, not a {org.kind.value}",
                               field="organisation_id")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise Conflict(f"a user with email {email} exists already", 409)
    user = User(email=email, password_hash=_hasher.hash(password), role=role,
                organisation_id=organisation_id, locale=locale, full_name=(full_name or "").strip() or None)
    session.add(user)
    session.flush()
    return user


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (in about the same time either way)."""
    user = by_email(session, email)
    if user is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except (VerifyMismatchError, InvalidHashError):
            pass
        return None
    if not verify_password(user, password) or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def is_demo(user: User) -> bool:
    """A demo account of the sample data (shared, published password): usable in development only."""
    from backend.demo.data import EMAIL_DOMAIN

    return user.email.endswith("@" + EMAIL_DOMAIN)


def set_password(session: Session, user: User, new: str) -> None:
    """Store a new password; the caller ends the user's other sessions."""
    check_password(new, user.email)
    user.password_hash = _hasher.hash(new)
    user.password_changed_at = datetime.now(UTC)
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user, current):
        raise InvalidInput("the current password is not right", field="current_password")
    if current == new:
        raise InvalidInput("the new password must differ from the current one", field="password")
    set_password(session, user, new)


def set_locale(session: Session, user: User, locale: str) -> None:
    from backend.i18n import KNOWN_LOCALES

    if locale not in KNOWN_LOCALES:
        raise InvalidInput(f"unknown language {locale!r}", field="locale")
    user.locale = locale
    session.flush()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_reset(session: Session, email: str) -> tuple[User, str] | None:
    """A single-use reset token for the account of `email` (None if there is none; the page says the same)."""
    user = by_email(session, email)
    if user is None or not user.is_active:
        return None
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.add(PasswordResetToken(token_hash=_digest(token), user_id=user.id, created_at=now,
                                   expires_at=now + timedelta(minutes=get_settings().password_reset_minutes)))
    session.flush()
    return user, token


def reset_target(session: Session, token: str) -> PasswordResetToken:
    """The unused, unexpired reset of `token`, or a clear refusal."""
    row = session.get(PasswordResetToken, _digest(token))
    if row is None or row.used_at is not None:
        raise NotFound("this reset link is not valid or was used already; ask for a new one")
    if row.expires_at <= datetime.now(UTC):
        raise NotFound("this reset link has expired; ask for a new one")
    return row


def finish_reset(session: Session, token: str, new: str) -> User:
    """Set the new password and use up the token (and every other open reset of the user)."""
    row = reset_target(session, token)
    user = session.get(User, row.user_id)
    set_password(session, user, new)
    now = datetime.now(UTC)
    session.execute(update(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                     PasswordResetToken.used_at.is_(None)).values(used_at=now))
    return user


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A personal API token; the plain token is returned once and never stored."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("give the token a name, such as the system that will use it", field="name")
    if len(name) > 100:
        raise InvalidInput("a token name has at most 100 characters", field="name")
    active = session.scalar(select(func.count()).select_from(ApiToken)
                            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    if active >= 20:
        raise InvalidInput("you have 20 active tokens; revoke one first", field="name")
    from backend.auth import TOKEN_PREFIX

    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(raw), prefix=raw[:10])
    session.add(token)
    session.flush()
    return token, raw


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())))


def revoke_token(session: Session, user_id: int, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound(f"token {token_id} does not exist")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        session.flush()
    return token


# Which role a person registering for a kind of organisation gets.
REGISTER_ROLE = {OrgKind.FIRM: Role.FIRM_MEMBER, OrgKind.UNIVERSITY: Role.TECH_TRANSFER_OFFICER,
                 OrgKind.INSTITUTE: Role.TECH_TRANSFER_OFFICER, OrgKind.FOREIGN_PARTNER: Role.TECH_TRANSFER_OFFICER}


def register(session: Session, data) -> User:  # noqa: ANN001 - accounts.schemas.RegistrationIn
    """A person and their new organisation; the organisation waits for an admin's verification."""
    from backend.organisations import service as organisations

    kind = OrgKind(data.org_kind)
    if kind not in REGISTER_ROLE:
        raise InvalidInput("register a firm, a university, an institute or a foreign university", field="org_kind")
    check_password(data.password, data.email)
    if by_email(session, data.email) is not None:
        raise Conflict("an account with this e-mail exists already; sign in or reset its password", field="email")
    region = orgs.region_by_code(session, data.region)
    if (kind == OrgKind.FOREIGN_PARTNER) != region.is_foreign:
        raise InvalidInput("a foreign university is in its country; a local organisation is in China",
                           field="region")
    if kind == OrgKind.FIRM and not region.code.startswith("3306"):
        raise InvalidInput("firms register in Shaoxing or one of its districts", field="region")
    org = organisations.create(session, kind=kind, name=data.org_name or data.org_name_en, region_code=region.code,
                               name_en=data.org_name_en, chain_codes=data.chains)
    return create_user(session, email=data.email, password=data.password, role=REGISTER_ROLE[kind],
                       organisation_id=org.id, locale=data.locale, full_name=data.full_name)

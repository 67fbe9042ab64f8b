"""Creating users and checking passwords (argon2)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.accounts.models import Role, User
from backend.errors import Conflict, InvalidInput
from backend.organisations import repository as orgs
from backend.organisations.models import OrgKind

_hasher = PasswordHasher()

# Which kinds of organisation each role may belong to.
ROLE_ORGS: dict[Role, set[OrgKind] | None] = {
    Role.FIRM_MEMBER: {OrgKind.FIRM},
    Role.TECH_TRANSFER_OFFICER: {OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.FOREIGN_PARTNER},
    Role.GOVERNMENT_ANALYST: {OrgKind.GOVERNMENT},
    Role.ADMIN: None,
}


def create_user(
    session: Session, *, email: str, password: str, role: Role, organisation_id: int | None = None,
    locale: str = "zh_CN",
) -> User:
    """Create a user with an argon2 hash; role and organisation must fit together."""
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InvalidInput(f"{email!r} is not an email address", field="email")
    if len(password) < 8:
        raise InvalidInput("a password needs at least 8 characters", field="password")
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
                organisation_id=organisation_id, locale=locale)
    session.add(user)
    session.flush()
    return user


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False

"""The admin's queries: organisations waiting for a decision, counts, the mail outbox."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from backend.accounts.models import Role, User
from backend.notifications.models import OutboxMail
from backend.organisations.models import Organisation


@dataclass
class Waiting:
    """An organisation waiting for verification and the person who registered it (its first member)."""

    organisation: Organisation
    registrant: User | None


def pending(session: Session, limit: int = 200) -> list[Waiting]:
    """Organisations neither verified nor rejected, newest first."""
    orgs = list(session.scalars(
        select(Organisation).options(joinedload(Organisation.region), selectinload(Organisation.chains))
        .where(Organisation.is_verified.is_(False), Organisation.rejected_at.is_(None))
        .order_by(Organisation.created_at.desc(), Organisation.id.desc()).limit(limit)).unique())
    first: dict[int, User] = {}
    if orgs:
        for user in session.scalars(select(User).where(User.organisation_id.in_([o.id for o in orgs]))
                                    .order_by(User.id)):
            first.setdefault(user.organisation_id, user)
    return [Waiting(o, first.get(o.id)) for o in orgs]


def organisation_counts(session: Session) -> dict[str, int]:
    """Organisations by verification state: pending, verified, rejected."""
    rows = session.execute(select(Organisation.is_verified, Organisation.rejected_at.is_not(None), func.count())
                           .group_by(Organisation.is_verified, Organisation.rejected_at.is_not(None))).all()
    counts = {"pending": 0, "verified": 0, "rejected": 0}
    for verified, rejected, n in rows:
        counts["verified" if verified else "rejected" if rejected else "pending"] += n
    return counts


def user_counts(session: Session) -> dict[Role, int]:
    """Active users by role (every role listed, zero included)."""
    found = dict(session.execute(select(User.role, func.count()).where(User.is_active).group_by(User.role))
                 .tuples().all())
    return {role: int(found.get(role, 0)) for role in Role}


def members(session: Session, organisation_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.organisation_id == organisation_id, User.is_active)
                                .order_by(User.id)))


def outbox_page(session: Session, *, limit: int, offset: int) -> tuple[list[OutboxMail], int]:
    total = session.scalar(select(func.count()).select_from(OutboxMail)) or 0
    mails = list(session.scalars(select(OutboxMail).order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
                                 .limit(limit).offset(offset)))
    return mails, int(total)


def outbox_mail(session: Session, mail_id: int) -> OutboxMail | None:
    return session.get(OutboxMail, mail_id)

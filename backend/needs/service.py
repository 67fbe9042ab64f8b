"""The rules of needs: validation, drafts, edits, the status lifecycle, deadlines; each step one ledger event.

Every function flushes and never commits: the request (or the task) owns the transaction, and the matching
job it queues is sent only once that transaction commits.
"""

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import i18n, jobs, lifecycle, postings
from backend.errors import Conflict, InvalidInput
from backend.i18n import _
from backend.ledger import service as ledger
from backend.ledger.kinds import EventKind
from backend.needs import repository
from backend.needs.models import NEED_TRANSITIONS, Need, NeedStatus, Visibility
from backend.needs.schemas import NeedIn, NeedUpdate
from backend.organisations import repository as orgs
from backend.organisations.models import Organisation, OrgKind
from backend.regions.models import Region
from matching.text import clean_text

# Statuses in which the engine matches a need; an edit of such a need is matched again.
MATCHABLE = (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)
FINAL = (NeedStatus.SOLVED, NeedStatus.CLOSED)
SHAOXING = "330600"


class AwaitingVerification(Conflict):
    """A draft of an organisation that an administrator has not verified yet cannot be published."""


def for_caller(viewer, data: NeedIn) -> NeedIn:  # noqa: ANN001 - an auth.Principal
    """The input as the caller may send it: a firm member always posts for their own firm."""
    if viewer.is_admin:
        if data.organisation_id is None:
            raise InvalidInput("name the firm that posts this need", field="organisation_id")
        return data
    return data.model_copy(update={"organisation_id": viewer.organisation_id})


def regions(session: Session) -> list[Region]:
    """Where a need's problem may be: Shaoxing and its districts and county-level cities."""
    city = session.scalar(select(Region).where(Region.code == SHAOXING))
    if city is None:
        return []
    return [city, *session.scalars(select(Region).where(Region.parent_id == city.id).order_by(Region.code))]


def _region(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    region = orgs.region_by_code(session, code)
    if region.id not in {r.id for r in regions(session)}:
        raise InvalidInput(f"region {code!r} is not Shaoxing or one of its districts", field="region")
    return region.id


def _language(value: str | None) -> str | None:
    return value if value in ("zh", "en") else None


def _summary(value: str | None) -> str:
    return clean_text(value) if value else ""


def _check(need: Need, **new: object) -> None:
    """The rules that join fields (ranges, and the summary a confidential need shows instead of its text),
    on the need as it would be with the `new` attribute values."""
    def value(attr: str) -> object:
        return new[attr] if attr in new else getattr(need, attr)

    if value("trl_min") > value("trl_max"):
        raise InvalidInput("trl_min must not exceed trl_max", field="trl_max")
    low, high = value("budget_min_cny"), value("budget_max_cny")
    if low is not None and high is not None and low > high:
        raise InvalidInput("budget_min_cny must not exceed budget_max_cny", field="budget_max_cny")
    if value("visibility") == Visibility.CONFIDENTIAL:
        summary = (value("summary") or "").strip()
        if not summary:
            raise InvalidInput("a confidential need needs a summary written by the firm: it is all that others see",
                               field="summary")
        if summary == (value("title") or "").strip():
            raise InvalidInput("the summary of a confidential need must not repeat its title", field="summary")


def _region_of(need: Need, org: Organisation) -> int:
    return need.region_id or org.region_id


def _record(session: Session, kind: EventKind, need: Need, org: Organisation, *, at: datetime | None = None,
            data: dict | None = None) -> None:
    ledger.record(session, kind, region_id=_region_of(need, org), chain_id=need.chain_id,
                  organisation_ids=[org.id], need_id=need.id, data=data, occurred_at=at, is_sample=need.is_sample)


def create(session: Session, data: NeedIn, *, at: datetime | None = None, is_sample: bool = False,
           draft: bool = False) -> Need:
    """Post a firm's need; matching runs in the worker once the transaction commits.

    With `draft` (the portal passes it while the firm's organisation waits for verification) the need is
    saved and indexed as a draft: seen by its own firm only, never matched, until it is published.
    """
    if data.organisation_id is None:
        raise InvalidInput("name the firm that posts this need", field="organisation_id")
    org = orgs.get(session, data.organisation_id)
    if org.kind != OrgKind.FIRM:
        raise InvalidInput("only a firm can post a need", field="organisation_id")
    posted_on = (at.astimezone(repository.REGION_TZ).date() if at is not None else repository.today())
    if data.deadline is not None and data.deadline < posted_on:
        raise InvalidInput("the deadline must not lie in the past", field="deadline")
    chain = orgs.chain_by_code(session, data.chain) if data.chain else None
    need = Need(
        organisation_id=org.id,
        chain_id=chain.id if chain else None,
        region_id=_region(session, data.region),
        title=data.title,
        description=data.description,
        summary=_summary(data.summary),
        keywords=postings.clean_keywords(data.keywords),
        trl_min=data.trl_min,
        trl_max=data.trl_max,
        budget_min_cny=data.budget_min_cny,
        budget_max_cny=data.budget_max_cny,
        deadline=data.deadline,
        visibility=data.visibility,
        language_chosen=_language(data.language),
        is_sample=is_sample,
    )
    _check(need)
    if not draft:
        need.status = NeedStatus.OPEN
        postings.publish(session, need, org, at=at)
        return need
    need.status = NeedStatus.DRAFT
    if at is not None:
        need.created_at = need.updated_at = at
    postings.index(need)
    session.add(need)
    session.flush()
    _record(session, EventKind.NEED_DRAFTED, need, org, at=at)
    return need


# Fields of NeedUpdate written as they are.
_PLAIN = ("title", "description", "trl_min", "trl_max", "budget_min_cny", "budget_max_cny", "deadline",
          "visibility")
# Attribute -> the field of NeedUpdate that names it (in the ledger event's list of changed fields).
_FIELD_OF = {"chain_id": "chain", "region_id": "region", "language_chosen": "language"}


def update(session: Session, need: Need, data: NeedUpdate) -> Need:
    """Change the fields given in `data`, re-index, write `need.edited`; a matchable need is matched again."""
    if need.status in FINAL:
        raise Conflict(f"a {need.status.value} need cannot be edited any more", field="status")
    given = data.model_dump(exclude_unset=True)
    # Every new value first (looking up codes), then the checks, then the writes: a refused edit changes nothing.
    new: dict[str, object] = {field: given[field] for field in _PLAIN if field in given}
    if "summary" in given:
        new["summary"] = _summary(given["summary"])
    if "chain" in given:
        new["chain_id"] = orgs.chain_by_code(session, given["chain"]).id if given["chain"] else None
    if "region" in given:
        new["region_id"] = _region(session, given["region"])
    if "language" in given:
        new["language_chosen"] = _language(given["language"])
    if "keywords" in given:
        new["keywords"] = postings.clean_keywords(given["keywords"])
    new = {attr: v for attr, v in new.items() if getattr(need, attr) != v}
    if not new:
        return need
    _check(need, **new)
    if "deadline" in new and new["deadline"] is not None and new["deadline"] < repository.today():
        raise InvalidInput("the new deadline must not lie in the past", field="deadline")
    for attr, v in new.items():
        setattr(need, attr, v)
    changed = sorted(_FIELD_OF.get(attr, attr) for attr in new)
    if "deadline" in changed:
        need.deadline_notified_on = None  # a new deadline is watched again
    need.updated_at = datetime.now(UTC)
    postings.index(need)
    session.flush()
    org = orgs.get(session, need.organisation_id)
    _record(session, EventKind.NEED_EDITED, need, org, data={"fields": changed})
    if need.status in MATCHABLE:
        jobs.enqueue(session, "matches.match_need", need.id)
    return need


def transition(session: Session, need: Need, to: NeedStatus | str, *, at: datetime | None = None) -> Need:
    """Move a need one step along its lifecycle (`NEED_TRANSITIONS`), or refuse with a clear message.

    Publishing a draft (draft -> open) needs a verified organisation; it writes `need.posted` and queues
    matching. Every other step writes `need.<status>`.
    """
    to = NeedStatus(to)
    lifecycle.check("a need", NEED_TRANSITIONS, need.status, to)
    org = orgs.get(session, need.organisation_id)
    previous = need.status
    publishing = previous == NeedStatus.DRAFT and to == NeedStatus.OPEN
    if publishing and not org.is_verified:
        raise AwaitingVerification("your organisation waits for an administrator's verification: the need stays "
                                   "a draft until then", field="to")
    at = at or datetime.now(UTC)
    need.status = to
    need.updated_at = at
    if publishing:
        postings.index(need)
    session.flush()
    _record(session, EventKind.NEED_POSTED if publishing else EventKind.of_status("need", to.value), need, org, at=at,
            data={"from": previous.value})
    if publishing:
        jobs.enqueue(session, "matches.match_need", need.id)
    return need


def deadline_passed(need: Need, day: date | None = None) -> bool:
    """Whether an open need's deadline lies behind it (the firm should extend it or close the need)."""
    return need.status == NeedStatus.OPEN and need.deadline is not None and need.deadline < (day or repository.today())


def expire_deadlines(session: Session, *, day: date | None = None) -> int:
    """Tell the firms whose open needs passed their deadline (once per deadline); return how many needs.

    Such needs have already left the board and matching by themselves (`repository.within_deadline`); this
    mails the firm's members, in each member's language, that they can extend the deadline or close the need.
    """
    day = day or repository.today()
    told = 0
    for need in repository.past_deadline(session, day):
        org = orgs.get(session, need.organisation_id)
        need.deadline_notified_on = day
        recipients = _mail_members(session, need, org)
        session.flush()
        _record(session, EventKind.NEED_DEADLINE_PASSED, need, org,
                data={"deadline": need.deadline.isoformat(), "mailed": recipients})
        told += 1
    return told


def _mail_members(session: Session, need: Need, org: Organisation) -> int:
    from backend import mail
    from backend.accounts.models import User
    from backend.config import get_settings

    link = f"{get_settings().base_url.rstrip('/')}/needs/{need.id}/edit"
    members = list(session.scalars(select(User).where(User.organisation_id == org.id, User.is_active.is_(True))
                                   .order_by(User.id)))
    for user in members:
        previous = i18n.current_locale.set(user.locale or i18n.DEFAULT_LOCALE)
        try:
            subject = _("The deadline of your need “%(title)s” has passed", title=need.title[:120])
            body = _(
                "The deadline of your need “%(title)s” was %(deadline)s. The need has left the public board and "
                "is no longer matched with new capabilities.\n\nIf you still look for a partner, extend the "
                "deadline:\n%(link)s\n\nIf the problem is solved or no longer relevant, close the need on the "
                "same page.", title=need.title, deadline=i18n.format_day(need.deadline), link=link)
        finally:
            i18n.current_locale.reset(previous)
        mail.send(session, to=user.email, subject=subject, text=body, kind="need_deadline_passed",
                  locale=user.locale or i18n.DEFAULT_LOCALE)
    return len(members)

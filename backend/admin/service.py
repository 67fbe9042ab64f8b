"""What the admin's decisions set off: mail to the members of an organisation, in each member's language."""

from sqlalchemy.orm import Session

from backend import i18n, mail
from backend.admin.repository import members, organisation_counts, outbox_mail, outbox_page, pending, user_counts
from backend.config import get_settings
from backend.i18n import _
from backend.organisations.models import Organisation


def tell_members(session: Session, org: Organisation, *, verified: bool, note: str | None = None) -> int:
    """Mail every active member the outcome of their organisation's verification; returns mails queued."""
    link = get_settings().base_url.rstrip("/") + "/me"
    sent = 0
    for user in members(session, org.id):
        previous = i18n.current_locale.set(user.locale or i18n.DEFAULT_LOCALE)
        try:
            name = i18n.localized(org)
            if verified:
                subject = _("%(name)s is verified on Matchmaker", name=name)
                body = _("Good news: an administrator verified %(name)s.\n\nYour drafts can now be published, "
                         "and published postings are matched with partners. Sign in to continue:\n%(link)s",
                         name=name, link=link)
            else:
                subject = _("%(name)s was not verified on Matchmaker", name=name)
                body = _("An administrator could not verify %(name)s. The reason given:\n\n%(note)s\n\n"
                         "You may register again with corrected details.", name=name,
                         note=note or "")
        finally:
            i18n.current_locale.reset(previous)
        mail.send(session, to=user.email, subject=subject, text=body,
                  kind="organisation_verified" if verified else "organisation_rejected", locale=user.locale)
        sent += 1
    return sent


__all__ = ["organisation_counts", "outbox_mail", "outbox_page", "pending", "tell_members", "user_counts"]

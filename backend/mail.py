"""Outgoing mail: written to the outbox in the caller's transaction, sent by a worker after commit.

In development (or with no SMTP host configured) mail stays in the outbox and the admin's outbox page
shows it; otherwise the `mail.send` task delivers it through SMTP from settings.
"""

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from sqlalchemy.orm import Session

from backend import jobs
from backend.config import get_settings
from backend.notifications.models import OutboxMail


def send(session: Session, *, to: str, subject: str, text: str, html: str | None = None, kind: str,
         locale: str = "zh_CN") -> OutboxMail:
    """Queue one mail; it leaves only if the transaction commits."""
    mail = OutboxMail(recipient=to, subject=subject[:300], body_text=text, body_html=html, kind=kind,
                      locale=locale)
    session.add(mail)
    session.flush()
    if not get_settings().mail_to_outbox:
        jobs.enqueue(session, "mail.send", mail.id)
    return mail


def message_of(mail: OutboxMail) -> EmailMessage:
    settings = get_settings()
    msg = EmailMessage()
    name, address = parseaddr(settings.mail_from)
    msg["From"] = formataddr((name, address))
    msg["To"] = mail.recipient
    msg["Subject"] = mail.subject
    msg.set_content(mail.body_text)
    if mail.body_html:
        msg.add_alternative(mail.body_html, subtype="html")
    return msg


def deliver(session: Session, mail_id: int) -> bool:
    """Send one outbox mail by SMTP; True once it is sent (a sent mail is never sent again)."""
    mail = session.get(OutboxMail, mail_id, with_for_update=True)
    if mail is None or mail.sent_at is not None:
        return False
    settings = get_settings()
    mail.attempts += 1
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message_of(mail))
    except (OSError, smtplib.SMTPException) as err:
        mail.last_error = str(err)[:2000]
        session.flush()
        raise
    mail.sent_at = datetime.now(UTC)
    mail.last_error = None
    session.flush()
    return True

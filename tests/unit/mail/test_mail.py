"""Mail goes through a real SMTP server (aiosmtpd, in the test process) once configured."""

import socket

import pytest
from aiosmtpd.controller import Controller

from backend import mail
from backend.config import get_settings
from backend.notifications.models import OutboxMail


class _Inbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802 - aiosmtpd's hook name
        self.received.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings = get_settings().model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": controller.port,
                                                 "smtp_starttls": False, "environment": "production"})
    monkeypatch.setattr(mail, "get_settings", lambda: settings)
    yield inbox
    controller.stop()


def test_a_mail_is_delivered_once_by_smtp(db_session, smtp, queued_jobs):
    sent = mail.send(db_session, to="wang@firm.example.cn", subject="重置密码", text="链接：https://x/1",
                     html="<p>链接</p>", kind="password_reset")
    assert queued_jobs == []  # queued only after commit
    db_session.commit()
    assert queued_jobs == [("mail.send", (sent.id,))]
    assert mail.deliver(db_session, sent.id) is True
    assert mail.deliver(db_session, sent.id) is False  # a redelivered task never mails twice
    assert len(smtp.received) == 1
    envelope = smtp.received[0]
    assert envelope.rcpt_tos == ["wang@firm.example.cn"]
    body = envelope.content.decode()
    assert "Subject: =?utf-8?b?" in body and "multipart/alternative" in body
    assert db_session.get(OutboxMail, sent.id).sent_at is not None


def test_an_unreachable_server_leaves_the_mail_in_the_outbox_with_its_error(db_session, monkeypatch):
    settings = get_settings().model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": _free_port(),
                                                 "smtp_starttls": False, "environment": "production"})
    monkeypatch.setattr(mail, "get_settings", lambda: settings)
    sent = mail.send(db_session, to="a@b.cn", subject="s", text="t", kind="test")
    with pytest.raises(OSError):
        mail.deliver(db_session, sent.id)
    row = db_session.get(OutboxMail, sent.id)
    assert row.sent_at is None and row.attempts == 1 and row.last_error


def test_in_development_mail_stays_in_the_outbox(db_session, queued_jobs, monkeypatch):
    settings = get_settings().model_copy(update={"environment": "development", "smtp_host": "smtp.example.cn"})
    monkeypatch.setattr(mail, "get_settings", lambda: settings)
    mail.send(db_session, to="a@b.cn", subject="s", text="t", kind="test")
    db_session.commit()
    assert queued_jobs == []

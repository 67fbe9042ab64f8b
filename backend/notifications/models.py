"""Mail waiting to be sent, and what became of it."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from backend.base import Base


class OutboxMail(Base):
    """One mail to one recipient; in development it stays here and the admin outbox page shows it."""

    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # "event:recipient:channel" for mails caused by an event: the same event never mails a person twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)


class Notification(Base):
    """Something that happened to a user's organisation, shown in the portal until read.

    It holds codes and ids, not text: the page words it in the reader's language and links to the thing,
    whose own page applies the access rules (so a notification can never reveal what its page would not)."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("collaboration_events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    url: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set once the notification went out in a weekly digest mail.
    digested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Preference(Base):
    """How a user wants to hear about one group of events: off, by mail at once, or in a weekly digest."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(30), primary_key=True)
    mode: Mapped[str] = mapped_column(String(12))
    # For new matches: the lowest match score worth a mail (0-1).
    min_score: Mapped[float | None] = mapped_column(Float)

"""E-mails waiting to be delivered: written in the same transaction as what they announce."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime


class OutboxMessage(Base):
    """One e-mail; delivered over SMTP when MAIL_SERVER is set, else written to the log."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now(),
                                                 index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


class DeadlineReminder(Base):
    """A deadline reminder already queued, so that a repeat run queues nothing.

    One row per translation, kind and deadline: a moved deadline is reminded again.
    """

    __tablename__ = "deadline_reminders"
    __table_args__ = (
        UniqueConstraint("translation_id", "kind", "deadline"),
        CheckConstraint("kind in ('claimant', 'coordinators')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("translations.id", ondelete="CASCADE"))
    # "claimant": a day before the deadline; "coordinators": at the deadline, not approved.
    kind: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

"""Volunteers and coordinators, with the languages each translates or reviews."""

import enum
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, false, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.models.base import Base, UTCDateTime


class Role(enum.StrEnum):
    """What a person may do beyond their per-language skills."""

    TRANSLATOR = "translator"
    REVIEWER = "reviewer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


def _values(enum_class) -> list[str]:
    return [member.value for member in enum_class]


class User(UserMixin, Base):
    """A person who signs in: a volunteer, a coordinator or an administrator."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email like '%_@_%'", name="email_shape"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, create_constraint=True, length=20,
             values_callable=_values, validate_strings=True)
    )
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    interface_language: Mapped[str | None] = mapped_column(String(35))
    time_zone: Mapped[str] = mapped_column(String(60), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    # Part of every session's user id: raising it ends every session opened before.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Readers may see this person's name on the statements they translated or reviewed:
    # only when they said so (off until then).
    credit_consent: Mapped[bool] = mapped_column(default=False, server_default=false())

    skills: Mapped[list["LanguageSkill"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="LanguageSkill.language_tag"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to inactive accounts
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password; sessions opened before it end."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def end_sessions(self) -> None:
        """Sign this person out everywhere: every session and remember-me token stops working."""
        self.session_generation = (self.session_generation or 0) + 1

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: `<user id>.<session generation>`."""
        return f"{self.id}.{self.session_generation or 0}"

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def zone(self) -> ZoneInfo:
        """The person's time zone; UTC when theirs is unknown to this server."""
        try:
            return ZoneInfo(self.time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    @property
    def is_coordinator(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.ADMIN)

    def skill(self, language_tag: str) -> "LanguageSkill | None":
        """This person's skill in one language, if any."""
        return next((s for s in self.skills if s.language_tag == language_tag), None)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Invitation(Base):
    """A coordinator's invitation: the e-mailed link is signed and works once, until expiry."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, create_constraint=True, length=20,
             values_callable=_values, validate_strings=True, name="invitation_role")
    )
    # Comma-separated canonical tags: "es,fr".
    translates: Mapped[str] = mapped_column(String(400), default="", server_default="")
    reviews: Mapped[str] = mapped_column(String(400), default="", server_default="")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def translate_tags(self) -> list[str]:
        return [tag for tag in self.translates.split(",") if tag]

    @property
    def review_tags(self) -> list[str]:
        return [tag for tag in self.reviews.split(",") if tag]


class LanguageSkill(Base):
    """A language a person translates into, and whether they review it."""

    __tablename__ = "language_skills"
    __table_args__ = (
        CheckConstraint("can_translate or can_review", name="some_skill"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"), primary_key=True)
    can_translate: Mapped[bool] = mapped_column(default=True, server_default=true())
    can_review: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship(back_populates="skills")

"""Member organizations and the languages they need (the queue's demand)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime
from portal.models.languages import Language

organization_languages = Table(
    "organization_languages",
    Base.metadata,
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("language_tag", ForeignKey("languages.tag"), primary_key=True),
)


class Organization(Base):
    """A member organization of the alliance."""

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("length(country) = 2 or length(country) = 3", name="country_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(3))  # CLDR territory code, e.g. "PH"
    contact_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    languages: Mapped[list[Language]] = relationship(
        secondary=organization_languages, order_by=Language.tag
    )

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"

"""The units tables: who writes reports and is supervised.

:class:`Issuer` is a *unit* (a government, a department, a township or street
office): the same unit across years is one row, found by its identity key
(:func:`fazhi.units.identity.issuer_key`).  ``parent_id`` is there for the
unit tree.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.db.base import Base, utcnow

if TYPE_CHECKING:
    from fazhi.corpus.models import Report


class Issuer(Base):
    """A unit that writes reports: one row per unit, across years.

    ``key`` is the normalised identity (level + division code, or the region
    path + normalised name when no code was resolved; departments add the
    department), UNIQUE, so concurrent ingests cannot create the same unit
    twice.  ``name`` is the name as first written.
    """

    __tablename__ = "issuers"
    __table_args__ = (
        Index("ix_issuers_region", "province", "city", "county", "township"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(32), index=True)
    province: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    county: Mapped[str | None] = mapped_column(String(64))
    township: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(128))
    code: Mapped[str | None] = mapped_column(String(32), index=True)  # division code of the region
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    reports: Mapped[list[Report]] = relationship(back_populates="issuer", passive_deletes=True)

    def region(self) -> list[str]:
        """The region path, top down, without the empty levels."""
        return [x for x in (self.province, self.city, self.county, self.township) if x]

    def __repr__(self) -> str:
        return f"Issuer(id={self.id}, key={self.key!r}, name={self.name!r})"


__all__ = ["Issuer"]

"""The units tables: who writes reports, and who is supervised.

:class:`Issuer` is a unit *as a report names it* (a government, a department,
a township or street office): the same unit across years is one row, found by
its identity key (:func:`fazhi.units.identity.issuer_key`); ingest creates them.

:class:`Unit` is a unit *an office supervises*: the tree of region
governments, their departments, townships and street offices, each with a
type (政府, 部门-有执法权, 部门-无执法权, 乡镇, 街道), a region and aliases
(:class:`UnitAlias`: "县司法局" in a 西峡县 sheet is 西峡县司法局).  Units are
curated: created from the divisions table, from a list, or when a 分工表 is
imported (with a list of what was created).  A unit and an issuer with the
same identity key are the same unit (``Unit.key``), which is how a stored
report is linked to the unit that wrote it.  :class:`UnitMember` says which
unit a user belongs to, and as what (填报 filler, 主要负责人 leader).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
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





#: unit types as offices name them
UNIT_TYPES = ("政府", "部门-有执法权", "部门-无执法权", "乡镇", "街道", "其他")


class Unit(Base):
    """A unit an office supervises (one row per unit; a renamed or merged unit ends with ``valid_to``)."""

    __tablename__ = "units"
    __table_args__ = (Index("ix_units_region", "province", "city", "county", "township"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)  # the full name: 西峡县司法局, 西峡县人民政府, 丁河镇人民政府
    type: Mapped[str] = mapped_column(String(16))  # one of UNIT_TYPES
    level: Mapped[str | None] = mapped_column(String(32))  # province | city | county | township | street | department
    enforcement: Mapped[bool] = mapped_column(Boolean, default=False)  # has administrative enforcement powers
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)
    province: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    county: Mapped[str | None] = mapped_column(String(64))
    township: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(128))  # a department's own name: 司法局
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    #: the identity key shared with the corpus's issuers (:func:`fazhi.units.identity.issuer_key`)
    key: Mapped[str | None] = mapped_column(String(255), unique=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_how: Mapped[str | None] = mapped_column(String(32))  # divisions | list | task_import | manual

    aliases: Mapped[list[UnitAlias]] = relationship(back_populates="unit", cascade="all, delete-orphan",
                                                    passive_deletes=True, foreign_keys="UnitAlias.unit_id")

    def region(self) -> list[str]:
        """The region path, top down, without the empty levels."""
        return [x for x in (self.province, self.city, self.county, self.township) if x]

    def __repr__(self) -> str:
        return f"Unit(id={self.id}, name={self.name!r}, type={self.type!r})"


class UnitAlias(Base):
    """Another name of a unit (a short form, an old name), unique under the same parent unit."""

    __tablename__ = "unit_aliases"
    __table_args__ = (UniqueConstraint("alias", "scope_id", name="uq_unit_aliases_alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(Text)
    #: where the alias means this unit: the unit whose sheets use it (the organiser), None: everywhere
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))

    unit: Mapped[Unit] = relationship(back_populates="aliases", foreign_keys=[unit_id])


class UnitMember(Base):
    """A user of a unit: 填报 (``filler``) reports progress and evidence, 主要负责人 (``leader``) confirms
    before it is submitted.  A unit user sees only their unit's tasks, scores and reports."""

    __tablename__ = "unit_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    duty: Mapped[str] = mapped_column(String(16), default="filler")  # filler | leader
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()


__all__ = ["UNIT_TYPES", "Issuer", "Unit", "UnitAlias", "UnitMember"]

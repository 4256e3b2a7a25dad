"""The corpus tables: stored reports and their reviews as queryable rows.

One report file (by sha256) is one :class:`Report`; its review
(``fazhi.review/1``) is kept whole in ``Report.review`` *and* as queryable
rows: :class:`Fact` (indicator values with their evidence), :class:`Quantity`
(every figure), :class:`Finding` and :class:`PartRow` (the four required
parts and ``other``).  The normalised text is ``Report.text``; every
``start``/``end`` of a row indexes it, exactly as in the JSON.  The issuer is a
unit (:class:`fazhi.units.models.Issuer`).  The file itself, byte for byte, is a
:class:`ReportOriginal` in a table of its own, so that nothing that lists or
reads reports ever loads it (reports stored before it was kept have none).

The full-text index over ``Report.text`` is not a model: an FTS5 table on
SQLite, a trigram index on PostgreSQL, made by migration 0005 and kept in step
by the database itself (:mod:`fazhi.corpus.search`).

Every change is attributable: ``created_by``/``updated_by`` point at
:class:`~fazhi.accounts.models.User` (nullable: the CLI runs without a login
unless ``--user`` is given), reports remember the :class:`IngestRun` that
stored them, and deletions are written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.accounts.models import User
from fazhi.db.base import Base, JSONType, utcnow
from fazhi.units.models import Issuer


class IngestRun(Base):
    """One ``fazhi ingest`` (or API) batch: what was asked, what happened."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: running | completed | failed (stopped by a database error) | interrupted
    status: Mapped[str] = mapped_column(String(16), default="running")
    total: Mapped[int] = mapped_column(Integer, default=0)
    ok: Mapped[int] = mapped_column(Integer, default=0)
    refreshed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    args: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    versions: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # knowledge in use
    fazhi_version: Mapped[str | None] = mapped_column(String(32))
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)  # why a run failed or stopped
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    failures: Mapped[list[IngestFailure]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True,
        order_by="IngestFailure.id")
    created_by: Mapped[User | None] = relationship()


class IngestFailure(Base):
    """A file that could not be stored in a run, and why."""

    __tablename__ = "ingest_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    run: Mapped[IngestRun] = relationship(back_populates="failures")


class Report(Base):
    """One report file (identified by the sha256 of its bytes) and its review."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_issuer_year", "issuer_id", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source_path: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    encoding: Mapped[str | None] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes of the file
    chars: Mapped[int] = mapped_column(Integer, default=0)  # characters of the normalised text
    text: Mapped[str] = mapped_column(Text)  # the normalised text all offsets index
    title: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, index=True)  # the year reported on
    date: Mapped[dt.date | None] = mapped_column(Date)  # the signing date
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id", ondelete="SET NULL"))
    issuer_name: Mapped[str | None] = mapped_column(Text)  # the issuer as written in this report
    score_total: Mapped[float | None] = mapped_column(Float)
    #: the whole fazhi.review/1 document, without the text (that is ``text``)
    review: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: knowledge versions the review ran with, e.g. {"rules": "2024.1", …}
    versions: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: the same as one comparable string ("indicators=2024.1;parts=…"), for --refresh
    knowledge: Mapped[str | None] = mapped_column(String(255))
    fazhi_version: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ingest_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id", ondelete="SET NULL"),
                                                      index=True)

    issuer: Mapped[Issuer | None] = relationship(back_populates="reports")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    ingest_run: Mapped[IngestRun | None] = relationship()
    facts: Mapped[list[Fact]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                             passive_deletes=True, order_by="Fact.id")
    quantities: Mapped[list[Quantity]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                      passive_deletes=True, order_by="Quantity.id")
    findings: Mapped[list[Finding]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                   passive_deletes=True, order_by="Finding.id")
    parts: Mapped[list[PartRow]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                passive_deletes=True, order_by="PartRow.id")

    def __repr__(self) -> str:
        return f"Report(id={self.id}, sha256={self.sha256[:12]!r}, title={self.title!r})"


class ReportOriginal(Base):
    """The file a report was read from, as it was received (its sha256 is ``Report.sha256``, checked on
    every read: :mod:`fazhi.corpus.originals`).  One row per report at most; deleted with it."""

    __tablename__ = "report_originals"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(Text)  # the file name as received (no folder), for downloads
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Fact(Base):
    """An indicator value read from a report, with the sentence that says it.

    ``start``/``end``/``text`` are the evidence (clause or sentence);
    ``quantity_start``/``quantity_end`` the figure inside it.
    """

    __tablename__ = "facts"
    __table_args__ = (
        Index("ix_facts_indicator_report", "indicator", "report_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(Text)  # the indicator's Chinese name
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(64))
    approx: Mapped[bool] = mapped_column(Boolean, default=False)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    quantity_start: Mapped[int | None] = mapped_column(Integer)
    quantity_end: Mapped[int | None] = mapped_column(Integer)

    report: Mapped[Report] = relationship(back_populates="facts")


class Quantity(Base):
    """Every statistical figure of a report (facts are the ones that measure an indicator)."""

    __tablename__ = "quantities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(64))
    approx: Mapped[bool] = mapped_column(Boolean, default=False)
    qualifier: Mapped[str | None] = mapped_column(String(16))  # 余, 近, 以上 … as written
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="quantities")


class Finding(Base):
    """A finding of the review: rule, severity, message and its evidence spans (JSON list)."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(128), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)

    report: Mapped[Report] = relationship(back_populates="findings")


class PartRow(Base):
    """One required part of a report (``achievements`` …) and its status with evidence."""

    __tablename__ = "parts"
    __table_args__ = (
        UniqueConstraint("report_id", "name"),
        Index("ix_parts_name_status", "name", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # dedicated | embedded | missing
    heading: Mapped[str | None] = mapped_column(Text)
    how: Mapped[str | None] = mapped_column(String(32))
    evidence_start: Mapped[int | None] = mapped_column(Integer)
    evidence_end: Mapped[int | None] = mapped_column(Integer)
    evidence_text: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="parts")


__all__ = ["Fact", "Finding", "IngestFailure", "IngestRun", "PartRow", "Quantity", "Report", "ReportOriginal"]

"""The knowledge table: versions of the knowledge files kept in a database (see :mod:`fazhi.knowledge.versions`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.accounts.models import User
from fazhi.db.base import Base, utcnow


class KnowledgeVersion(Base):
    """One stored version of a knowledge file (its whole YAML text)."""

    __tablename__ = "knowledge_versions"
    __table_args__ = (
        UniqueConstraint("name", "sha256", name="uq_knowledge_versions_name_sha256"),
        UniqueConstraint("name", "version", name="uq_knowledge_versions_name_version"),
        # at most one active version per name (SQLite and PostgreSQL both have partial indexes)
        Index("uq_knowledge_versions_active", "name", unique=True,
              sqlite_where=sql_text("active"), postgresql_where=sql_text("active")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32))  # parts | rules | indicators | units
    version: Mapped[str] = mapped_column(String(64))  # the file's `version:`
    sha256: Mapped[str] = mapped_column(String(64))  # of the UTF-8 text
    content: Mapped[str] = mapped_column(Text)  # the YAML text
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    activated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    activated_by: Mapped[User | None] = relationship(foreign_keys=[activated_by_id])

    def __repr__(self) -> str:
        return f"KnowledgeVersion(id={self.id}, name={self.name!r}, version={self.version!r}, active={self.active})"


__all__ = ["KnowledgeVersion"]

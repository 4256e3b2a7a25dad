"""Search: the original file of every report (``report_originals``) and a full-text index over ``reports.text``.

The index is not a model (``fazhi.db.schema.OUTSIDE_MODELS`` names what it adds, so the comparison of
migrations and models leaves it out):

- SQLite: ``reports_fts``, an FTS5 table with the ``trigram`` tokenizer (case-sensitive) over
  ``reports.text`` as external content (the text is not stored twice), kept in step by three triggers
  on ``reports`` (insert, delete, update of ``text``).  Made only when this SQLite has FTS5 with the
  trigram tokenizer (3.34 or later); without it search reads every text, and says so.
- PostgreSQL: a GIN index with ``pg_trgm``'s ``gin_trgm_ops`` on ``reports.text`` (``LIKE`` uses it),
  the extension created if it is missing and the database lets us; without it, no index.

A later migration that rebuilds ``reports`` in SQLite batch mode (copy and rename) drops the triggers
and must make them again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("fazhi.db")

FTS_TABLE = "reports_fts"
PG_INDEX = "ix_reports_text_trgm"
SQLITE_FTS = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(text, content='reports', content_rowid='id', "
    "tokenize='trigram case_sensitive 1')",
    f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON reports BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON reports BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF text ON reports BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",  # the reports stored before
)


def upgrade() -> None:
    op.create_table(
        "report_originals",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_report_originals_report_id_reports"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_originals")),
    )
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        if _sqlite_has_trigram(conn):
            for stmt in SQLITE_FTS:
                conn.exec_driver_sql(stmt)
        else:
            log.warning("SQLite %s has no FTS5 trigram tokenizer: no full-text index",
                        conn.exec_driver_sql("SELECT sqlite_version()").scalar())
    elif conn.dialect.name == "postgresql":
        schema = _pg_trgm_schema(conn)
        if schema is not None:
            conn.exec_driver_sql(f'CREATE INDEX {PG_INDEX} ON reports USING gin (text "{schema}".gin_trgm_ops)')
        else:
            log.warning("PostgreSQL without the pg_trgm extension: no full-text index")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for what in ("insert", "delete", "update"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{what}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")  # the extension stays: others may use it
    op.drop_table("report_originals")


def _sqlite_has_trigram(conn: sa.Connection) -> bool:
    """Does this SQLite have FTS5 and its trigram tokenizer (SQLite 3.34+ built with FTS5)?"""
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.fazhi_trigram_probe USING fts5(x, tokenize='trigram')")
            conn.exec_driver_sql("DROP TABLE temp.fazhi_trigram_probe")
        return True
    except sa.exc.OperationalError:
        return False


def _pg_trgm_schema(conn: sa.Connection) -> str | None:
    """The schema of the pg_trgm extension, created (in the current schema) when missing and allowed."""
    find = "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    found = conn.exec_driver_sql(find).scalar()
    if found is not None:
        return str(found)
    if conn.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").scalar() is None:
        return None
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as exc:  # not allowed (no CREATE privilege on the database)
        log.warning("cannot create the pg_trgm extension: %s", str(exc.orig).strip().splitlines()[0])
        return None
    found = conn.exec_driver_sql(find).scalar()
    return None if found is None else str(found)

"""Initial schema: users, issuers (units), ingest runs and failures, reports and their
facts, quantities, findings and parts, audit events.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TS = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )

    op.create_table(
        "issuers",
        _id(),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("level", sa.String(length=32), nullable=True),
        sa.Column("province", sa.String(length=64), nullable=True),
        sa.Column("city", sa.String(length=64), nullable=True),
        sa.Column("county", sa.String(length=64), nullable=True),
        sa.Column("township", sa.String(length=64), nullable=True),
        sa.Column("department", sa.String(length=128), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("issuers", "parent_id", "issuers", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuers")),
        sa.UniqueConstraint("key", name=op.f("uq_issuers_key")),
    )
    op.create_index(op.f("ix_issuers_code"), "issuers", ["code"])
    op.create_index(op.f("ix_issuers_level"), "issuers", ["level"])
    op.create_index("ix_issuers_region", "issuers", ["province", "city", "county", "township"])

    op.create_table(
        "audit_events",
        _id(),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("detail", JSON, nullable=True),
        _fk("audit_events", "user_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_object", "audit_events", ["object_type", "object_id"])

    op.create_table(
        "ingest_runs",
        _id(),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Integer(), nullable=False),
        sa.Column("refreshed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("args", JSON, nullable=True),
        sa.Column("versions", JSON, nullable=True),
        sa.Column("fazhi_version", sa.String(length=32), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _fk("ingest_runs", "created_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_runs")),
    )

    op.create_table(
        "ingest_failures",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("ingest_failures", "run_id", "ingest_runs", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_failures")),
    )
    op.create_index(op.f("ix_ingest_failures_run_id"), "ingest_failures", ["run_id"])

    op.create_table(
        "reports",
        _id(),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("issuer_id", sa.Integer(), nullable=True),
        sa.Column("issuer_name", sa.Text(), nullable=True),
        sa.Column("score_total", sa.Float(), nullable=True),
        sa.Column("review", JSON, nullable=False),
        sa.Column("versions", JSON, nullable=True),
        sa.Column("knowledge", sa.String(length=255), nullable=True),
        sa.Column("fazhi_version", sa.String(length=32), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", TS, nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("ingest_run_id", sa.Integer(), nullable=True),
        _fk("reports", "created_by_id", "users", "SET NULL"),
        _fk("reports", "ingest_run_id", "ingest_runs", "SET NULL"),
        _fk("reports", "issuer_id", "issuers", "SET NULL"),
        _fk("reports", "updated_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("sha256", name=op.f("uq_reports_sha256")),
    )
    op.create_index(op.f("ix_reports_ingest_run_id"), "reports", ["ingest_run_id"])
    op.create_index("ix_reports_issuer_year", "reports", ["issuer_id", "year"])
    op.create_index(op.f("ix_reports_year"), "reports", ["year"])

    op.create_table(
        "facts",
        _id(),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("approx", sa.Boolean(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("quantity_start", sa.Integer(), nullable=True),
        sa.Column("quantity_end", sa.Integer(), nullable=True),
        _fk("facts", "report_id", "reports", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facts")),
    )
    op.create_index("ix_facts_indicator_report", "facts", ["indicator", "report_id"])
    op.create_index(op.f("ix_facts_report_id"), "facts", ["report_id"])

    op.create_table(
        "quantities",
        _id(),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("approx", sa.Boolean(), nullable=False),
        sa.Column("qualifier", sa.String(length=16), nullable=True),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _fk("quantities", "report_id", "reports", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quantities")),
    )
    op.create_index(op.f("ix_quantities_report_id"), "quantities", ["report_id"])

    op.create_table(
        "findings",
        _id(),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        _fk("findings", "report_id", "reports", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index(op.f("ix_findings_report_id"), "findings", ["report_id"])
    op.create_index(op.f("ix_findings_rule"), "findings", ["rule"])

    op.create_table(
        "parts",
        _id(),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.Column("how", sa.String(length=32), nullable=True),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        _fk("parts", "report_id", "reports", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parts")),
        sa.UniqueConstraint("report_id", "name", name=op.f("uq_parts_report_id")),
    )
    op.create_index("ix_parts_name_status", "parts", ["name", "status"])


def downgrade() -> None:
    for table in ("parts", "findings", "quantities", "facts", "reports", "ingest_failures", "ingest_runs",
                  "audit_events", "issuers", "users"):
        op.drop_table(table)

"""Knowledge versions: rules, indicator catalogue, part phrasings and units kept in the database,
at most one active per file (a partial UNIQUE index).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "knowledge_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("activated_at", TS, nullable=True),
        sa.Column("activated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_knowledge_versions_created_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["activated_by_id"], ["users.id"],
                                name=op.f("fk_knowledge_versions_activated_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_versions")),
        sa.UniqueConstraint("name", "sha256", name="uq_knowledge_versions_name_sha256"),
        sa.UniqueConstraint("name", "version", name="uq_knowledge_versions_name_version"),
    )
    op.create_index("uq_knowledge_versions_active", "knowledge_versions", ["name"], unique=True,
                    sqlite_where=sa.text("active"), postgresql_where=sa.text("active"))


def downgrade() -> None:
    op.drop_index("uq_knowledge_versions_active", table_name="knowledge_versions")
    op.drop_table("knowledge_versions")

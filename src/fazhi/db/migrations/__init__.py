"""Alembic migrations of the store (see fazhi.db.upgrade)."""

"""Alembic migrations of the store (see fazhi.store.db.upgrade)."""

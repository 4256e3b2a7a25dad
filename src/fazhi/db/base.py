"""The storage base every domain's tables share: one declarative ``Base``, portable types, naming.

Types are portable between SQLite and PostgreSQL: ``JSON`` (``JSONB`` on
PostgreSQL), ``DateTime(timezone=True)`` (stored in UTC), ``Float`` for
values.  Each domain declares its tables in its own ``models`` module
(:mod:`fazhi.corpus.models`, :mod:`fazhi.units.models`,
:mod:`fazhi.accounts.models`, :mod:`fazhi.knowledge.models`, …);
:mod:`fazhi.db.schema` imports them all, so ``Base.metadata`` is the whole
schema, which the Alembic migrations in ``fazhi/db/migrations`` create exactly
(a test compares them).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

#: JSON everywhere, JSONB on PostgreSQL (indexable, queryable with operators).
JSONType = JSON().with_variant(JSONB(), "postgresql")

#: Constraint names are fixed so migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: the largest value of an ``Integer`` column on PostgreSQL (int4): ids, years, counts.  Anything a user
#: sends for such a column is checked against it before it reaches a query.
INT_MAX = 2**31 - 1


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


__all__ = ["INT_MAX", "NAMING", "Base", "JSONType", "utcnow"]

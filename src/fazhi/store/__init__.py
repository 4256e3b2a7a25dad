"""fazhi's corpus store: reviews kept in SQLite (default) or PostgreSQL.

- :mod:`fazhi.store.models` — the schema (SQLAlchemy 2 declarative models);
- :mod:`fazhi.store.db` — where the database is (:func:`~fazhi.store.db.resolve_url`),
  engines and sessions, migrations (:func:`~fazhi.store.db.upgrade`);
- :mod:`fazhi.store.service` — the service layer: save, query, delete;
- :mod:`fazhi.store.ingest` — the parallel ingest engine behind ``fazhi ingest``;
- :mod:`fazhi.store.knowledge_store` — versions of the rules and the catalogue kept in the
  database, and which are in effect for reviews into it.

Typical use::

    from fazhi.store import db, service
    engine = db.make_engine()            # FAZHI_DATABASE_URL or the per-user SQLite file
    db.upgrade(engine)
    Session = db.session_factory(engine)
    with Session() as s:
        for r in service.list_reports(s, service.ReportFilter(region="焦作市", year=2023)):
            print(r.id, r.title, r.issuer.name if r.issuer else None)
"""

from __future__ import annotations

from . import (
    accounts,  # noqa: F401  (the web accounts tables belong to Base.metadata)
    knowledge_store,  # noqa: F401  (knowledge_versions too)
)
from .db import StoreError, make_engine, resolve_url, session_factory, upgrade
from .service import ReportFilter

__all__ = ["ReportFilter", "StoreError", "make_engine", "resolve_url", "session_factory", "upgrade"]

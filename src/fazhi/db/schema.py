"""The whole storage schema: importing this module registers every domain's tables on ``Base.metadata``.

The engine (:func:`fazhi.db.make_engine`), the migrations and the tests import
it, so relationships between domains (a report's ``created_by`` user, a unit's
reports) always resolve, whichever domain a caller imported first.

What the migrations make outside the models is named in :data:`OUTSIDE_MODELS`:
the full-text index over ``reports.text`` (migration 0005) — on SQLite an FTS5
table and the tables FTS5 keeps for it (``reports_fts``, ``reports_fts_data``,
``_idx``, ``_docsize``, ``_config``), on PostgreSQL a GIN trigram index — which
no SQLAlchemy model can describe.  :func:`include_object` leaves them out when
Alembic compares the database with the models (autogenerate, and the test that
the migrations make exactly the models), so neither ever proposes to drop them.
"""

from __future__ import annotations

from typing import Any

from fazhi.accounts import models as accounts_models
from fazhi.corpus import models as corpus_models
from fazhi.db.base import Base
from fazhi.knowledge import models as knowledge_models
from fazhi.supervision import models as supervision_models
from fazhi.units import models as units_models

MODULES = (accounts_models, corpus_models, knowledge_models, supervision_models, units_models)
metadata = Base.metadata

#: (kind, name prefix) of what migrations make outside the models: the full-text index of migration 0005
OUTSIDE_MODELS = (("table", "reports_fts"), ("index", "ix_reports_text_trgm"))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object`` hook: False for what :data:`OUTSIDE_MODELS` names (as found in the
    database: on SQLite the FTS5 table and its shadow tables, on PostgreSQL the trigram index)."""
    return not (reflected and compare_to is None and name is not None
                and any(type_ == kind and name.startswith(prefix) for kind, prefix in OUTSIDE_MODELS))


__all__ = ["MODULES", "OUTSIDE_MODELS", "Base", "include_object", "metadata"]

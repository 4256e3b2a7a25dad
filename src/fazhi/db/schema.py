"""The whole storage schema: importing this module registers every domain's tables on ``Base.metadata``.

The engine (:func:`fazhi.db.make_engine`), the migrations and the tests import
it, so relationships between domains (a report's ``created_by`` user, a unit's
reports) always resolve, whichever domain a caller imported first.
"""

from __future__ import annotations

from fazhi.accounts import models as accounts_models
from fazhi.corpus import models as corpus_models
from fazhi.db.base import Base
from fazhi.knowledge import models as knowledge_models
from fazhi.supervision import models as supervision_models
from fazhi.units import models as units_models

MODULES = (accounts_models, corpus_models, knowledge_models, supervision_models, units_models)
metadata = Base.metadata

__all__ = ["MODULES", "Base", "metadata"]

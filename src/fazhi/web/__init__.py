"""fazhi's web application and REST API (``fazhi serve``).

:func:`fazhi.web.app.create_app` builds the FastAPI app over a database;
:mod:`fazhi.web.services` holds the functions the pages, the API and the
``fazhi user`` commands share; :mod:`fazhi.web.auth` and
:mod:`fazhi.accounts.roles` the accounts, sessions, CSRF, rate limit, roles and
region scope.
"""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(*args, **kwargs):
    from fazhi.web.app import create_app as _create

    return _create(*args, **kwargs)

"""fazhi's web application and REST API (``fazhi serve``).

:func:`fazhi.web.app.create_app` builds the FastAPI app over a database.  The
web is a thin shell: pages (:mod:`fazhi.web.routes.pages`) and the API
(:mod:`fazhi.web.routes.api`) call the domains' services — uploads, stored
reports, the dashboard and similar reports in :mod:`fazhi.corpus`, users and the
audit log in :mod:`fazhi.accounts` — the same functions the CLI calls.  What
the web adds is sessions, CSRF and the login rate limit (:mod:`fazhi.web.auth`)
and role checks (:mod:`fazhi.web.deps`).
"""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(*args, **kwargs):
    from fazhi.web.app import create_app as _create

    return _create(*args, **kwargs)

"""The request's read session: one per request, shared by the sign-in check and the route.

:func:`read_session` opens it on first use (no I/O until the first query);
:class:`~fazhi.web.app.SecurityMiddleware` calls :func:`close_session` when
the response is done, which returns the connection to the pool.  Writes use
``app.state.WriteSession`` in transactions of their own.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

SCOPE_KEY = "fazhi_db"


def read_session(request: Request) -> Session:
    """The request's read session (made on first use, closed after the response)."""
    s = request.scope.get(SCOPE_KEY)
    if s is None:
        s = request.app.state.Session()
        request.scope[SCOPE_KEY] = s
    return s


def close_session(scope: dict[str, Any]) -> None:
    """Close the read session of the request whose ASGI scope this is, if it made one."""
    s = scope.pop(SCOPE_KEY, None)
    if s is not None:
        s.close()


__all__ = ["SCOPE_KEY", "close_session", "read_session"]

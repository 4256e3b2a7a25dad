"""Pages and REST API of the annual report's own cycle: drafts, self-check, submission, 审查意见书 (issue 12).

``pages`` (server-rendered) and ``api`` (under ``/api``) are thin shells over the service functions of
:mod:`fazhi.supervision`; the same functions serve the CLI."""

from __future__ import annotations

from fastapi import APIRouter

pages = APIRouter()
api = APIRouter(prefix="/api")

__all__ = ["api", "pages"]

"""Pages and REST API of 评价 and 考核, 督察 and 整改 (issue 11).

``pages`` (server-rendered) and ``api`` (under ``/api``) are thin shells over the service functions of
:mod:`fazhi.supervision`; the same functions serve the CLI."""

from __future__ import annotations

from fastapi import APIRouter

pages = APIRouter()
api = APIRouter(prefix="/api")

__all__ = ["api", "pages"]

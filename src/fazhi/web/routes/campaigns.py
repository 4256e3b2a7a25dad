"""Pages and REST API of 部署 and 督导: campaigns, the 责任分工表, progress and evidence (issue 10).

``pages`` (server-rendered) and ``api`` (under ``/api``) are thin shells over the service functions of
:mod:`fazhi.supervision`; the same functions serve the CLI."""

from __future__ import annotations

from fastapi import APIRouter

pages = APIRouter()
api = APIRouter(prefix="/api")

__all__ = ["api", "pages"]

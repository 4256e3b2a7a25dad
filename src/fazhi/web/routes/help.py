"""Pages and REST API of 使用说明: what each page does, the roles, how to read a score.

``pages`` (server-rendered) and ``api`` (under ``/api``) are thin shells over the service functions of
:mod:`fazhi.supervision`; the same functions serve the CLI."""

from __future__ import annotations

from fastapi import APIRouter

pages = APIRouter()
api = APIRouter(prefix="/api")

__all__ = ["api", "pages"]

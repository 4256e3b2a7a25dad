"""FastAPI dependencies shared by the page and API routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session


def get_db(request: Request) -> Iterator[Session]:
    """A database session for one request (closed when the response is done)."""
    with request.app.state.Session() as s:
        yield s


DB = Annotated[Session, Depends(get_db)]

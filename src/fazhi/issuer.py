"""Stage 5 — issuer, year and date (STUB)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Issuer, Review, Span


@dataclass(slots=True)
class IssuerResult:
    issuer: Issuer | None = None
    year: int | None = None
    year_evidence: Span | None = None
    date: str | None = None
    date_evidence: Span | None = None


def resolve(review: Review) -> IssuerResult:
    return IssuerResult()

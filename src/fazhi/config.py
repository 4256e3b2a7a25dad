"""Settings of the web application, from the environment or given to :func:`~fazhi.web.app.create_app`.

| setting | environment | default |
|---|---|---|
| secret key (signs session cookies) | ``FAZHI_SECRET_KEY`` | generated once and kept in the database (``app_settings``) |
| largest file of an upload | ``FAZHI_MAX_UPLOAD_MB`` | 20 MB (as ``fazhi review``) |
| largest upload request | ``FAZHI_MAX_REQUEST_MB`` | 100 MB |
| most files in one upload | ``FAZHI_MAX_FILES`` | 50 |
| cookies marked ``Secure`` | ``FAZHI_COOKIE_SECURE`` (``1``/``0``) | automatic: when the request came over https |
| session lifetime (signed in at most this long) | ``FAZHI_SESSION_HOURS`` | 12 |
| idle timeout (a session unused this long ends) | ``FAZHI_SESSION_IDLE_MINUTES`` | 30 |
| lifetime of a new API token when none is given | ``FAZHI_TOKEN_DAYS`` | 90 days (at most 3650) |
| login rate limit | ``FAZHI_LOGIN_MAX_FAILURES``, ``FAZHI_LOGIN_WINDOW_SECONDS`` | 5 failures per user name and address in 300 s |
| password checks (Argon2, 64 MB each) at once, per server process; more wait up to 10 s, then 503 | ``FAZHI_LOGIN_CONCURRENCY`` | 2 |
| database connections kept per server process (PostgreSQL); ``--workers`` × (it + 4) must stay under PostgreSQL's ``max_connections`` | ``FAZHI_DB_POOL_SIZE`` | 16 (and up to 4 more at a peak) |
| memory for rendered review pages and review JSON, per server process | ``FAZHI_CACHE_MB`` | 64 |
| processes reviewing uploads, per server process (0: in the server process, no limits) | ``FAZHI_REVIEW_PROCESSES`` | 2 |
| time and memory one upload's review may take (then it is stopped, nothing stored) | ``FAZHI_REVIEW_TIMEOUT`` (s), ``FAZHI_REVIEW_MEMORY_MB`` | 60 s, 2048 MB |
| most reports for similar reports and pairs in the web (each server process holds the index) | ``FAZHI_SIMILAR_MAX_REPORTS`` | 200,000 |
| an OpenAI-compatible endpoint on the intranet that may smooth a draft report's wording (its output is refused if it changes a number, name or date); model name; seconds per call | ``FAZHI_SMOOTHING_URL``, ``FAZHI_SMOOTHING_MODEL``, ``FAZHI_SMOOTHING_TIMEOUT`` | off; ``default``; 30 s |

The secret key: a fixed ``FAZHI_SECRET_KEY`` lets several servers share
sessions; without it the first start generates 48 random bytes and stores
them in the database, so every worker process and every restart uses the
same key (and whoever can read the database can forge a session — so can
whoever can write it, which is why it is kept there rather than beside it).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

MB = 1024 * 1024


def _env_float(name: str, default: float) -> float:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a number") from None


def _env_bool(name: str) -> bool | None:
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw or raw == "auto":
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={raw!r}: expected 1, 0 or auto")


#: the time zone of every date a clerk reads or types (China keeps UTC+8 all year, no DST since 1991)
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def today() -> dt.date:
    """Today where the offices are (China Standard Time), whatever the machine's clock zone: the default
    as-of date of every view, deadline and document (between 16:00 and 24:00 UTC it is already tomorrow)."""
    return dt.datetime.now(CHINA).date()

#: the largest report or evidence file read, by default (``fazhi review --max-size``, uploads, evidence, sheets)
MAX_FILE_MB = 20
MAX_FILE_BYTES = MAX_FILE_MB * MB


@dataclass
class Settings:
    #: the database, resolved once (:func:`fazhi.db.settings`); "" when not resolved
    database_url: str = ""
    secret_key: str | None = None  # None: $FAZHI_SECRET_KEY, else generated and kept in the database
    max_file_bytes: int = MAX_FILE_BYTES
    max_request_bytes: int = 100 * MB
    max_files: int = 50
    max_form_bytes: int = 1 * MB  # any other request body (login and admin forms, JSON)
    cookie_secure: bool | None = None  # None: Secure when the request came over https
    session_hours: float = 12.0
    session_idle_minutes: float = 30.0  # a signed-in session unused this long ends
    token_days: float = 90.0  # lifetime of a new API token when none is given
    login_max_failures: int = 5  # per user name and client address …
    login_window_seconds: int = 300  # … in this many seconds → 429
    login_max_failures_ip: int = 50  # per client address, whatever the user name (password spraying)
    login_concurrency: int = 2  # password checks at once per process (Argon2id takes 64 MB each) …
    login_wait_seconds: float = 10.0  # … the others wait this long at most, then 503
    #: Argon2id parameters (argon2-cffi's defaults: RFC 9106 low-memory profile)
    argon2: dict[str, Any] = field(default_factory=lambda: {"time_cost": 3, "memory_cost": 65536,
                                                            "parallelism": 4})
    page_size: int = 50
    similar_max_reports: int = 200_000  # similar reports and pairs in the web over at most this many reports
    warm_up: bool = True  # review a tiny text at start so the first upload is not slow
    #: database connections each server process keeps (PostgreSQL), and how many more it may open at a
    #: peak; requests beyond wait for one.  workers × (size + overflow) must stay under PostgreSQL's
    #: max_connections (100 by default) with room for ingest and the CLI
    db_pool_size: int = 16
    db_pool_overflow: int = 4
    db_ping_idle_seconds: float = 10.0
    #: uploads are reviewed in this many warm child processes per server process (0: in the server
    #: process itself, with no limits), each review stopped after this many seconds or this much memory
    review_processes: int = 2
    review_timeout_seconds: float = 60.0
    review_memory_mb: int = 2048
    cache_mb: float = 64.0  # rendered review pages and review JSON kept per server process
    #: an OpenAI-compatible endpoint (base URL or …/chat/completions) that may smooth a draft's wording;
    #: None: off.  Nothing else is ever sent anywhere
    smoothing_url: str | None = None
    smoothing_model: str = "default"
    smoothing_timeout_seconds: float = 30.0

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        s = cls(
            secret_key=(os.environ.get("FAZHI_SECRET_KEY") or "").strip() or None,
            max_file_bytes=int(_env_float("FAZHI_MAX_UPLOAD_MB", MAX_FILE_MB) * MB),
            max_request_bytes=int(_env_float("FAZHI_MAX_REQUEST_MB", 100) * MB),
            max_files=int(_env_float("FAZHI_MAX_FILES", 50)),
            cookie_secure=_env_bool("FAZHI_COOKIE_SECURE"),
            session_hours=_env_float("FAZHI_SESSION_HOURS", 12),
            session_idle_minutes=_env_float("FAZHI_SESSION_IDLE_MINUTES", 30),
            token_days=_env_float("FAZHI_TOKEN_DAYS", 90),
            login_concurrency=max(1, int(_env_float("FAZHI_LOGIN_CONCURRENCY", 2))),
            login_max_failures=int(_env_float("FAZHI_LOGIN_MAX_FAILURES", 5)),
            login_window_seconds=int(_env_float("FAZHI_LOGIN_WINDOW_SECONDS", 300)),
            db_pool_size=int(_env_float("FAZHI_DB_POOL_SIZE", 16)),
            cache_mb=_env_float("FAZHI_CACHE_MB", 64),
            review_processes=int(_env_float("FAZHI_REVIEW_PROCESSES", 2)),
            review_timeout_seconds=_env_float("FAZHI_REVIEW_TIMEOUT", 60),
            review_memory_mb=int(_env_float("FAZHI_REVIEW_MEMORY_MB", 2048)),
            similar_max_reports=int(_env_float("FAZHI_SIMILAR_MAX_REPORTS", 200_000)),
            smoothing_url=(os.environ.get("FAZHI_SMOOTHING_URL") or "").strip() or None,
            smoothing_model=(os.environ.get("FAZHI_SMOOTHING_MODEL") or "").strip() or "default",
            smoothing_timeout_seconds=_env_float("FAZHI_SMOOTHING_TIMEOUT", 30),
        )
        for k, v in overrides.items():
            setattr(s, k, v)
        return s

    @property
    def session_seconds(self) -> int:
        return int(self.session_hours * 3600)

    @property
    def idle_seconds(self) -> int:
        return int(self.session_idle_minutes * 60)


__all__ = ["CHINA", "MAX_FILE_BYTES", "MAX_FILE_MB", "MB", "Settings", "today"]

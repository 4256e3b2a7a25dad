"""Passwords and API tokens: Argon2id hashes, the password policy, tokens stored as their SHA-256.

A login for an unknown user still verifies a dummy hash, so the answer takes as
long; hashes made with weaker parameters are upgraded at the next login (the
caller rehashes when :func:`verify_password` says so).  API tokens are ``fz_`` +
43 URL-safe characters (256 random bits), shown once; only their SHA-256 is
kept, which is enough for random strings of that length.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache
from typing import Any

from fazhi.config import Settings

TOKEN_PREFIX = "fz_"
MIN_PASSWORD = 8


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher(settings: Settings) -> Any:
    a = settings.argon2
    return _hasher(int(a["time_cost"]), int(a["memory_cost"]), int(a["parallelism"]))


def check_password_policy(password: str) -> None:
    """Raise ValueError (message in Chinese) for a password that is too weak."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 个字符")
    if len(password) > 1024:
        raise ValueError("密码过长")


def hash_password(password: str, settings: Settings) -> str:
    check_password_policy(password)
    return str(hasher(settings).hash(password))


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return str(_hasher(time_cost, memory_cost, parallelism).hash(secrets.token_hex(16)))


def verify_password(stored: str | None, password: str, settings: Settings) -> tuple[bool, bool]:
    """(matches, needs rehash).  Without a stored hash a dummy one is verified (same timing)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    h = hasher(settings)
    a = settings.argon2
    target = stored or _dummy_hash(int(a["time_cost"]), int(a["memory_cost"]), int(a["parallelism"]))
    try:
        h.verify(target, password)
    except (VerificationError, InvalidHashError):
        return False, False
    if stored is None:
        return False, False
    return True, bool(h.check_needs_rehash(stored))


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


__all__ = ["MIN_PASSWORD", "TOKEN_PREFIX", "check_password_policy", "hash_password", "hasher", "new_token",
           "token_hash", "verify_password"]

"""Passwords and API tokens: Argon2id hashes, the password policy, tokens stored as their SHA-256.

The policy (:func:`check_password_policy`, the usual 等保 rule): at least
:data:`MIN_PASSWORD` characters, at least :data:`MIN_CLASSES` of the four
classes (capital letters, small letters, digits, anything else — symbols,
spaces, Chinese characters), not blank, and not containing the user's own
name.  It is checked where a password is set (:mod:`fazhi.accounts.service`),
never at sign-in: an older, weaker password still signs in until it is changed.

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
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MIN_CLASSES = 3
#: the policy as users read it (forms and error messages)
POLICY_TEXT = (f"至少 {MIN_PASSWORD} 个字符，含大写字母、小写字母、数字、其他字符（符号、空格、汉字等）"
               f"中的至少 {MIN_CLASSES} 类，且不含用户名")


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher(settings: Settings) -> Any:
    a = settings.argon2
    return _hasher(int(a["time_cost"]), int(a["memory_cost"]), int(a["parallelism"]))


def character_classes(password: str) -> int:
    """How many of the four classes the password uses: capitals, small letters, digits, anything else."""
    return sum((any("A" <= c <= "Z" for c in password), any("a" <= c <= "z" for c in password),
                any("0" <= c <= "9" for c in password),
                any(not ("A" <= c <= "Z" or "a" <= c <= "z" or "0" <= c <= "9") for c in password)))


def check_password_policy(password: str, name: str = "") -> None:
    """Raise ValueError (message in Chinese) for a password the policy refuses (for the user ``name``)."""
    if not password.strip():
        raise ValueError("密码不能为空，也不能只有空白字符")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 个字符")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"密码不能超过 {MAX_PASSWORD} 个字符")
    if character_classes(password) < MIN_CLASSES:
        raise ValueError(f"密码须含大写字母、小写字母、数字、其他字符（符号、空格、汉字等）中的至少 {MIN_CLASSES} 类")
    own = name.strip().casefold()
    if own and (own == password.casefold() or (len(own) >= 2 and own in password.casefold())):
        raise ValueError("密码不能包含用户名")


def hash_password(password: str, settings: Settings) -> str:
    """The Argon2id hash of ``password`` (the policy is the caller's: see :func:`check_password_policy`)."""
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


__all__ = ["MAX_PASSWORD", "MIN_CLASSES", "MIN_PASSWORD", "POLICY_TEXT", "TOKEN_PREFIX", "character_classes",
           "check_password_policy", "hash_password", "hasher", "new_token", "token_hash", "verify_password"]

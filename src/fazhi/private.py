"""Files only their owner may read: the SQLite database (with its ``-wal`` and ``-shm``) and the similarity index.

The database holds password hashes, API token hashes and — unless
``FAZHI_SECRET_KEY`` is set — the key that signs session cookies: whoever can
read it can sign in as anyone.  The similarity index holds report text.  So
fazhi creates these files ``0600`` and the folders it creates for them
``0700``, whatever the umask (SQLite gives ``-wal`` and ``-shm`` the mode of
the database file); files and folders that exist already are left as they
are, and :func:`exposed` names those that others may read or write, so that
``fazhi serve`` and the commands that open the database can warn.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> None:
    """Make the folder ``path`` and any missing folder above it, ``0700`` (existing ones are left alone)."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made meanwhile by another process
            continue
        os.chmod(d, DIR_MODE)  # whatever the umask
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))


def private_file(path: Path) -> bool:
    """Create ``path`` empty and ``0600`` unless it exists; True when it was created here."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, FILE_MODE)  # whatever the umask
    finally:
        os.close(fd)
    return True


def open_private(path: Path) -> IO[bytes]:
    """``path`` opened for writing (created or emptied), ``0600``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, "wb")


def exposed(paths: Iterable[Path]) -> list[Path]:
    """Those of ``paths`` that exist and that users other than the owner may read or write."""
    out = []
    for p in paths:
        try:
            mode = p.stat().st_mode
        except OSError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO) & ~(stat.S_IXGRP | stat.S_IXOTH):
            out.append(p)
    return out


def exposed_message(files: list[Path]) -> str:
    """The warning for :func:`exposed` files (one line, in Chinese like the other messages)."""
    names = " ".join(str(f) for f in files)
    return (f"本机其他用户可以读取 {names}：数据库中有密码散列和签发会话的密钥（读到它的人可以冒充管理员登录）；"
            f"请运行：chmod 600 {names}")


__all__ = ["DIR_MODE", "FILE_MODE", "exposed", "exposed_message", "open_private", "private_dir", "private_file"]

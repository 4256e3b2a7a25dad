"""Stage 1 — read: bytes of a file → text (STUB, to be replaced)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class ReadError(Exception):
    """A file cannot be read as a report; ``str()`` names the file and the reason."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(slots=True)
class Document:
    text: str
    format: str
    sha256: str
    size: int
    encoding: str | None = None


def read_path(path: Path, *, max_bytes: int | None = None) -> Document:
    data = path.read_bytes()
    return Document(data.decode("utf-8-sig"), "txt", hashlib.sha256(data).hexdigest(), len(data), "utf-8")

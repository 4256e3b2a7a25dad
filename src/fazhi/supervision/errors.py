"""What the supervision services raise when they cannot do what was asked, besides the access checks
(:class:`fazhi.supervision.access.Forbidden`, :class:`~fazhi.supervision.access.NotFound`).

- :class:`InputError`: the input cannot be used (a file, a value, a state that does not allow the
  change); the message is Chinese, for the user, and names the row or the reason.
- :class:`Unconfirmed`: an import read rows it could not use.  The service raises it at the end, so the
  caller's transaction rolls back and nothing is kept; ``outcome`` says what *would* have been imported
  and which rows were not read.  The user confirms (CLI: the prompt or ``--yes``; web: a second request
  with ``confirm=True``) and the import runs again with ``confirm=True``.
"""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """The input cannot be used (message in Chinese)."""


class Unconfirmed(Exception):
    """An import with unread rows, not confirmed: nothing was kept.  ``outcome`` is the would-be result
    (it has ``summary()`` and ``problems``)."""

    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome
        super().__init__(f"有 {len(outcome.problems)} 行无法读取，需要确认后才导入其余各行")


__all__ = ["InputError", "Unconfirmed"]

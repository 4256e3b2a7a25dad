"""fazhi (法治): review annual reports on rule-of-law government construction.

>>> import fazhi
>>> r = fazhi.review("path/to/report.docx")      # or the report's text
>>> r.to_json()["parts"]["shortcomings"]["status"]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import fazhi.review as _review_package  # noqa: F401  (first: the function below must win the name)
from fazhi._version import __version__

if TYPE_CHECKING:
    from fazhi.knowledge import Knowledge
    from fazhi.review.model import Review

__all__ = ["Review", "__version__", "review"]


def __getattr__(name: str) -> object:
    if name == "Review":  # imported when asked for: ``import fazhi`` stays light for every part of fazhi
        from fazhi.review.model import Review

        return Review
    raise AttributeError(f"module 'fazhi' has no attribute {name!r}")


def review(path_or_text: str | Path, knowledge: Knowledge | None = None) -> Review:
    """Review one report, given as a path to a file or as its text, under ``knowledge`` (default: the
    packaged knowledge files, or ``FAZHI_KNOWLEDGE_DIR``'s)."""
    from fazhi.review.pipeline import Reviewer

    reviewer = Reviewer(knowledge)
    if isinstance(path_or_text, Path):
        return reviewer.review_path(path_or_text)
    s = str(path_or_text)
    if "\n" not in s and len(s) < 4096:
        p = Path(s)
        try:
            if p.is_file():
                return reviewer.review_path(p)
        except OSError:
            pass
    return reviewer.review_text(s)

"""fazhi (法治): review annual reports on rule-of-law government construction.

>>> import fazhi
>>> r = fazhi.review("path/to/report.docx")      # or the report's text
>>> r.to_json()["parts"]["shortcomings"]["status"]
"""

from __future__ import annotations

from pathlib import Path

from fazhi.review.model import Review

__version__ = "0.1.0"
__all__ = ["Review", "__version__", "review"]


def review(path_or_text: str | Path) -> Review:
    """Review one report, given as a path to a file or as its text."""
    from fazhi.review.pipeline import review_path, review_text

    if isinstance(path_or_text, Path):
        return review_path(path_or_text)
    s = str(path_or_text)
    if "\n" not in s and len(s) < 4096:
        p = Path(s)
        try:
            if p.is_file():
                return review_path(p)
        except OSError:
            pass
    return review_text(s)

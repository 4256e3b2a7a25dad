"""Full-text search over stored reports: phrases anywhere in the text, each hit with highlighted snippets.

A query is one or more phrases separated by blanks (``"…"`` keeps blanks inside one phrase); a report
matches when its text contains every phrase, exactly and case-sensitively.  Each phrase is normalised as
report texts are (:func:`fazhi.review.normalise.normalise`: full-width digits and letters, punctuation,
blanks inside Chinese), so ``２０２３年`` finds ``2023年``.

The index (migration 0005, kept in step by the database when reports are stored, re-reviewed or deleted):

- SQLite: the FTS5 table ``reports_fts`` (``trigram`` tokenizer).  A phrase of three characters or more
  is a phrase query on it (an exact substring, answered by the index alone); a shorter one cannot use
  trigrams and is looked for in the texts (``instr``).
- PostgreSQL: ``LIKE '%phrase%'``, which the ``pg_trgm`` GIN index answers (candidates from trigrams,
  each checked against its text); a shorter phrase is ``strpos`` over the texts.  The index takes new rows into a pending list (``fastupdate``: without
  it an insert costs ten times more); :func:`settle_index` merges them after an ingest or a refresh.
- Without an index (a SQLite without FTS5 trigram, a PostgreSQL where ``pg_trgm`` could not be created)
  every phrase is looked for in every text: the same answers, slower on a large corpus;
  :func:`index_status` says so, and why.

The phrases become one more condition of a :class:`~fazhi.corpus.service.ReportFilter`, so search
combines with every filter (region, year, finding, score, part status), the user's region scope and
the sortable columns of the report lists.  Snippets are cut here, in Python, from the texts of the
reports on the page only (:func:`snippets`), the same on both backends; each carries its offsets in
the normalised text, so a snippet links to the review page with the phrase highlighted (``?hl=``).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fazhi.accounts.roles import Scope
from fazhi.clean import CONTROL
from fazhi.corpus import reports as stored
from fazhi.corpus.models import Report
from fazhi.corpus.service import ReportFilter, like_escape, scoped

log = logging.getLogger("fazhi.search")

MAX_QUERY_CHARS = 200
MAX_PHRASES = 8
TRIGRAM = 3  # the shortest phrase an index of trigrams can find
SNIPPETS = 3  # per report
CONTEXT = 40  # characters of context on each side of a phrase in a snippet
FTS_TABLE = "reports_fts"
PG_INDEX = "ix_reports_text_trgm"


class QueryError(ValueError):
    """A query that cannot be searched for; ``str()`` says why, in Chinese."""


# =========================================================================== the query
def phrases(query: str) -> list[str]:
    """The phrases of ``query``, normalised as report texts are, without repeats, longest first.

    Raises :class:`QueryError` for an empty or over-long query."""
    from fazhi.review.normalise import normalise

    q = CONTROL.sub(" ", query or "").strip()  # control characters are never part of a report's text
    if not q:
        raise QueryError("请输入要查找的词语")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"查找内容过长：最多 {MAX_QUERY_CHARS} 个字")
    # "…" (ASCII quotes) groups words; anything else is text to find (Chinese quotes “…” as reports write them)
    lexer = shlex.shlex(q, posix=True)
    lexer.whitespace_split, lexer.quotes, lexer.escape = True, '"', ""
    try:
        parts = list(lexer)
    except ValueError:  # an unpaired quote: the blanks separate
        parts = q.replace('"', " ").split()
    out = [n for n in dict.fromkeys(normalise(p)[0].strip() for p in parts) if n]
    if not out:
        raise QueryError("请输入要查找的词语")
    if len(out) > MAX_PHRASES:
        raise QueryError(f"词语过多：一次最多查找 {MAX_PHRASES} 个词语（用空格分隔）")
    return sorted(out, key=len, reverse=True)


# =========================================================================== the index
@dataclass(frozen=True)
class IndexStatus:
    """Which full-text index the database has (``fts5``, ``pg_trgm`` or None) and, without one, why (Chinese)."""

    kind: str | None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"index": self.kind, "note": self.note}


def index_status(session: Session) -> IndexStatus:
    """The full-text index of this database (one small catalogue query)."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": FTS_TABLE}).first():
            return IndexStatus("fts5")
        version = conn.execute(text("SELECT sqlite_version()")).scalar()
        return IndexStatus(None, f"全文索引不可用：本机 Python 的 SQLite（{version}）不支持 FTS5 trigram 分词"
                                 "（需要 3.34 及以上并启用 FTS5），查找时逐份读取全文，报告多时较慢")
    if conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = :n AND schemaname = current_schema()"),
                    {"n": PG_INDEX}).first():
        return IndexStatus("pg_trgm")
    return IndexStatus(None, "全文索引不可用：数据库未安装 pg_trgm 扩展（请数据库管理员执行 CREATE EXTENSION pg_trgm "
                             "后运行 fazhi db upgrade），查找时逐份读取全文，报告多时较慢")


def conditions(session: Session, terms: list[str], status: IndexStatus) -> list[Any]:
    """SQL conditions on ``reports``: the text contains every phrase of ``terms``."""
    out: list[Any] = []
    long = [t for t in terms if len(t) >= TRIGRAM]
    short = [t for t in terms if len(t) < TRIGRAM]  # no trigram to look up: read the texts
    if session.get_bind().dialect.name == "sqlite":
        if status.kind == "fts5" and long:
            match = " ".join('"' + t.replace('"', '""') + '"' for t in long)  # FTS5 phrases, all of them
            out.append(Report.id.in_(select(text("rowid")).select_from(text(FTS_TABLE))
                                     .where(text(f"{FTS_TABLE} MATCH :match").bindparams(match=match))))
        else:
            short += long
        out += [func.instr(Report.text, t) > 0 for t in short]
    else:  # PostgreSQL: LIKE, which the trigram index answers (a pattern built here, so the planner sees it)
        out += [Report.text.like("%" + like_escape(t) + "%", escape="\\") for t in long]
        out += [func.strpos(Report.text, t) > 0 for t in short]  # not LIKE: the index would be scanned whole
    return out


def settle_index(engine: Engine) -> None:
    """After many reports were written (an ingest, a refresh) on PostgreSQL: merge the entries the trigram
    index keeps pending into it and renew the table's statistics.  A GIN index that took many rows since
    the last VACUUM looks too costly to the planner, which then reads every text until autovacuum comes
    by.  Nothing to do on SQLite (FTS5 merges as it goes) or without the index; a refusal is logged."""
    if engine.dialect.name != "postgresql":
        return
    try:
        with engine.begin() as conn:
            if conn.execute(text("SELECT to_regclass(:n)"), {"n": PG_INDEX}).scalar() is None:
                return
            conn.execute(text("SELECT gin_clean_pending_list(CAST(:n AS regclass))"), {"n": PG_INDEX})
            conn.execute(text("ANALYZE reports"))
    except DBAPIError as exc:  # not the index's owner, the database gone: autovacuum will do it
        log.warning("could not settle the full-text index: %s", str(exc.orig).strip().splitlines()[0])


# =========================================================================== snippets
@dataclass
class Snippet:
    """A piece of a report's text around found phrases: ``start``/``end`` in the normalised text, ``marks``
    the phrases inside it (offsets within ``text``), ``cut_before``/``cut_after`` when its line goes on."""

    start: int
    end: int
    text: str
    marks: list[tuple[int, int]] = field(default_factory=list)
    cut_before: bool = False
    cut_after: bool = False

    def segments(self) -> list[tuple[str, bool]]:
        """The text as pieces, each a found phrase (True) or not (False), for highlighting."""
        out: list[tuple[str, bool]] = []
        pos = 0
        for a, b in self.marks:
            if a > pos:
                out.append((self.text[pos:a], False))
            out.append((self.text[a:b], True))
            pos = b
        if pos < len(self.text):
            out.append((self.text[pos:], False))
        return out

    @property
    def first(self) -> tuple[int, int]:
        """The first phrase found, in the normalised text (for ``?hl=`` links)."""
        a, b = self.marks[0]
        return self.start + a, self.start + b

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "marks": [list(m) for m in self.marks],
                "cut_before": self.cut_before, "cut_after": self.cut_after}


def _matches(body: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the phrases occur, left to right, without overlaps (the longest phrase wins at a place)."""
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    return [(m.start(), m.end()) for m in pattern.finditer(body)]


def snippets(body: str, terms: list[str], *, limit: int = SNIPPETS, context: int = CONTEXT) -> tuple[int, list[Snippet]]:
    """(how often the phrases occur in ``body``, up to ``limit`` snippets around them).

    The first occurrence of each phrase is shown before any second one; a snippet stays within its
    line (paragraph) and takes ``context`` characters each side; occurrences that fall inside a
    snippet are marked in it rather than given one of their own."""
    found = _matches(body, terms)
    if not found:
        return 0, []
    first: dict[str, tuple[int, int]] = {}
    for a, b in found:
        first.setdefault(body[a:b], (a, b))
    anchors = sorted(first.values()) + [m for m in found if m not in first.values()]
    chosen: list[Snippet] = []
    for a, b in anchors:
        if len(chosen) >= limit:
            break
        if any(s.start <= a and b <= s.end for s in chosen):
            continue
        line_start = body.rfind("\n", 0, a) + 1
        line_end = body.find("\n", b)
        line_end = len(body) if line_end < 0 else line_end
        s, e = max(line_start, a - context), min(line_end, b + context)
        chosen.append(Snippet(s, e, body[s:e], cut_before=s > line_start, cut_after=e < line_end))
    chosen.sort(key=lambda sn: sn.start)
    for sn in chosen:
        sn.marks = [(a - sn.start, b - sn.start) for a, b in found if sn.start <= a and b <= sn.end]
    return len(found), chosen


# =========================================================================== search
@dataclass
class Hit:
    """One report found: its summary (as the report list gives it), how often the phrases occur, snippets."""

    report: dict[str, Any]
    count: int
    snippets: list[Snippet]

    def to_json(self) -> dict[str, Any]:
        return {**self.report, "count": self.count, "snippets": [s.to_json() for s in self.snippets]}


@dataclass
class SearchResult:
    """One page of the reports found, and how many there are in all."""

    query: str
    phrases: list[str]
    total: int
    hits: list[Hit]
    index: IndexStatus
    limit: int
    offset: int

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "phrases": self.phrases, "total": self.total, "limit": self.limit,
                "offset": self.offset, **self.index.to_json(), "items": [h.to_json() for h in self.hits]}


def search(session: Session, query: str, flt: ReportFilter | None, scope: Scope | None, *, sort: str | None = None,
           limit: int = 50, offset: int = 0) -> SearchResult:
    """The reports in ``scope`` that match ``flt`` and contain every phrase of ``query``: one page of them
    (sorted by ``sort``, see :data:`fazhi.corpus.reports.SORTS`) with snippets, and the total.

    Raises :class:`QueryError` for a query that cannot be searched for."""
    terms = phrases(query)
    status = index_status(session)
    f = scoped(flt, scope)
    f = dataclasses.replace(f, extra=[*f.extra, *conditions(session, terms, status)])
    total, items = stored.report_summaries(session, f, None, limit=limit, offset=offset, sort=sort)
    texts = {r.id: r.text for r in session.execute(
        select(Report.id, Report.text).where(Report.id.in_([i["id"] for i in items])))} if items else {}
    hits = []
    for item in items:
        count, found = snippets(texts.get(item["id"]) or "", terms)
        hits.append(Hit(item, count, found))
    return SearchResult(query.strip(), terms, total, hits, status, limit, offset)


__all__ = [
    "CONTEXT",
    "SNIPPETS",
    "IndexStatus",
    "QueryError",
    "SearchResult",
    "Snippet",
    "conditions",
    "index_status",
    "phrases",
    "search",
    "snippets",
]

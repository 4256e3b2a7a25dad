"""The service layer over the store: what the CLI, the ingest engine and the web app call.

Conventions
-----------
- Every function takes a :class:`~sqlalchemy.orm.Session` and **never
  commits**: the caller owns the transaction (the ingest commits once per
  report, a web request once per request).  Use ``with session.begin(): …``
  or ``session.commit()`` around the calls.
- Writes take an optional ``user`` (a :class:`~fazhi.accounts.models.User`, its
  id, or ``None`` for an anonymous CLI run) so every change is attributable.
- Reports are identified by ``id`` or by the sha256 of the file.

Writing: :func:`save_review` stores one ``fazhi.review/1`` document (the
report row, its issuer, facts, quantities, findings and parts, and the
:class:`Original` file when given) with bulk inserts; :func:`delete_report`; :func:`get_or_create_issuer` and
:func:`get_or_create_user` survive concurrent writers (``INSERT … ON
CONFLICT DO NOTHING`` then ``SELECT``).

Reading: :class:`ReportFilter` (region, level, year, issuer, code, finding
rule, score range, part status — also parsed from ``--where key=value`` strings) for :func:`list_reports`,
:func:`count_reports`, :func:`list_issuers` and :func:`fact_rows` (the rows a
compare table is built from); :func:`get_report` with its children loaded;
:func:`report_json` gives back the stored review document.

Ingest runs: :func:`start_run`, :func:`record_failure`, :func:`finish_run`,
:func:`list_runs`; :func:`known_reports` tells which files are stored
already and with which knowledge.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    DateTime,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, joinedload, selectinload

from fazhi.accounts.models import AuditEvent, User
from fazhi.corpus.models import (
    Fact,
    Finding,
    IngestFailure,
    IngestRun,
    PartRow,
    Quantity,
    Report,
    ReportOriginal,
)
from fazhi.db.base import INT_MAX, utcnow
from fazhi.review.model import REQUIRED_PARTS
from fazhi.units.identity import REGION_FIELDS, issuer_key
from fazhi.units.models import Issuer
from fazhi.units.scope import Scope


# =========================================================================== versions
def current_versions() -> dict[str, str]:
    """Versions of fazhi and of the knowledge files (packaged or ``FAZHI_KNOWLEDGE_DIR``): what a review
    without a database's versions records."""
    from fazhi import knowledge

    return knowledge.files().versions


def knowledge_key(versions: Mapping[str, Any] | None) -> str:
    """The knowledge part of ``versions`` as one comparable string (``fazhi`` itself is left out).

    ``--refresh`` re-reviews reports whose stored key differs from the current one.
    """
    if not versions:
        return ""
    return ";".join(f"{k}={versions[k]}" for k in sorted(versions) if k != "fazhi")


def _table(model: type[Any]) -> Table:
    """The Core table of a model (for fast Core statements)."""
    return cast(Table, model.__table__)


# =========================================================================== users
def _user_id(user: User | int | None) -> int | None:
    if user is None or isinstance(user, int):
        return user
    return user.id


def _dialect_insert(session: Session, model: type[Any]) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model)
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(model)
    raise NotImplementedError(f"fazhi's store supports SQLite and PostgreSQL, not {name}")


def get_or_create_user(session: Session, name: str, role: str = "user") -> User:
    """The user called ``name``, created (with ``role``) if needed; safe under concurrency."""
    found = session.scalar(select(User).where(User.name == name))
    if found is not None:
        return found
    stmt = _dialect_insert(session, User).values(name=name, role=role, created_at=utcnow())
    session.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))
    return session.scalars(select(User).where(User.name == name)).one()


# =========================================================================== issuers


def get_or_create_issuer(session: Session, issuer: Mapping[str, Any] | None) -> int | None:
    """The id of the unit ``issuer`` (the review's ``issuer`` object), created if new.

    Concurrent writers never create two rows for one unit: ``INSERT … ON
    CONFLICT (key) DO NOTHING`` and then ``SELECT``.  ``None`` when the review
    has no issuer.
    """
    key = issuer_key(issuer)
    if key is None or issuer is None:
        return None
    conn = session.connection()
    found = conn.execute(_ISSUER_BY_KEY, {"key": key}).scalar()
    if found is not None:
        return int(found)
    values = {
        "key": key, "name": issuer.get("name"), "level": issuer.get("level"),
        "department": issuer.get("department"), "code": issuer.get("code"), "parent_id": None,
        "created_at": utcnow(), **{k: issuer.get(k) for k in REGION_FIELDS},
    }
    new_id = conn.execute(_ISSUER_INSERT, values).scalar()
    if new_id is not None:
        return int(new_id)
    return int(conn.execute(_ISSUER_BY_KEY, {"key": key}).scalar_one())


# Plain SQL that SQLite (3.35+) and PostgreSQL both take, so it is compiled once and cached
# (the dialects' on_conflict_do_nothing() constructs are compiled anew on every call).
_ISSUER_COLUMNS = ("key", "name", "level", "province", "city", "county", "township", "department", "code",
                   "parent_id", "created_at")
_ISSUER_INSERT = text(
    f"INSERT INTO issuers ({', '.join(_ISSUER_COLUMNS)}) VALUES ({', '.join(':' + c for c in _ISSUER_COLUMNS)}) "
    "ON CONFLICT (key) DO NOTHING RETURNING id"
).bindparams(bindparam("created_at", type_=DateTime(timezone=True)))
_ISSUER_BY_KEY = select(_table(Issuer).c.id).where(_table(Issuer).c.key == bindparam("key"))


# =========================================================================== writing
class Saved(NamedTuple):
    """What :func:`save_review` did: ``status`` is ``created``, ``replaced`` or ``exists``."""

    id: int
    status: str


def _clean(review_json: Mapping[str, Any], text: str) -> tuple[dict[str, Any], str]:
    """Drop the text from the document; replace NUL (PostgreSQL refuses it) one-for-one, keeping offsets."""
    doc = {k: v for k, v in review_json.items() if k != "text"}
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
        doc = json.loads(json.dumps(doc, ensure_ascii=False).replace("\\u0000", "\ufffd"))
    return doc, text


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _num(value: Any) -> float:
    return float(value) if value is not None else 0.0


def _children(report_id: int, doc: Mapping[str, Any]) -> dict[type[Any], list[dict[str, Any]]]:
    facts = []
    for f in doc.get("facts") or []:
        q = f.get("quantity") or {}
        facts.append({"report_id": report_id, "indicator": f["indicator"], "name": f.get("name"),
                      "value": _num(f.get("value")), "unit": f.get("unit"), "approx": bool(f.get("approx")),
                      "start": f["start"], "end": f["end"], "text": f.get("text") or "",
                      "quantity_start": q.get("start"), "quantity_end": q.get("end")})
    quantities = [{"report_id": report_id, "value": _num(q.get("value")), "unit": q.get("unit"),
                   "approx": bool(q.get("approx")), "qualifier": q.get("qualifier"),
                   "start": q["start"], "end": q["end"], "text": q.get("text") or ""}
                  for q in doc.get("quantities") or []]
    findings = [{"report_id": report_id, "rule": f["rule"], "severity": f.get("severity") or "info",
                 "message": f.get("message") or "", "evidence": list(f.get("evidence") or [])}
                for f in doc.get("findings") or []]
    parts = []
    for name, p in (doc.get("parts") or {}).items():
        ev = (p or {}).get("evidence") or {}
        parts.append({"report_id": report_id, "name": name, "status": (p or {}).get("status") or "missing",
                      "heading": (p or {}).get("heading"), "how": (p or {}).get("how"),
                      "evidence_start": ev.get("start"), "evidence_end": ev.get("end"),
                      "evidence_text": ev.get("text")})
    return {Fact: facts, Quantity: quantities, Finding: findings, PartRow: parts}


@dataclass(frozen=True)
class Original:
    """A report's file as received: its name (no folder: what a download is called) and its bytes, whose
    sha256 is the review's ``source.sha256``."""

    name: str
    data: bytes


@dataclass
class ReviewItem:
    """One review to store with :func:`save_reviews`."""

    review: Mapping[str, Any]  # the fazhi.review/1 document
    text: str  # the normalised text its offsets index
    versions: Mapping[str, Any] | None = None  # knowledge versions (default: the document's)
    replace: bool = False  # replace a stored report with the same sha256
    original: Original | None = None  # the file, kept when the report has none yet


def save_review(session: Session, review_json: Mapping[str, Any], text: str, run_id: int | None = None, *,
                user: User | int | None = None, versions: Mapping[str, Any] | None = None,
                replace: bool = False, original: Original | None = None) -> Saved:
    """Store one review (a ``fazhi.review/1`` document) and the normalised ``text`` it indexes.

    Writes the report row (the whole document in ``review``), its issuer
    (get-or-create), and its facts, quantities, findings and parts as rows,
    with one bulk insert per table.  A report already stored (same sha256)
    is left alone (``status="exists"``) unless ``replace`` is true: then its
    row is updated in place (same id) and its children are replaced
    (``status="replaced"``, an audit event ``report.refresh``).  The
    ``original`` file is kept (:class:`~fazhi.corpus.models.ReportOriginal`)
    when the report has none yet, whatever the status: storing a file again
    fills in the original of a report stored before originals were kept.

    ``versions`` are the knowledge versions the review ran with (default: the
    document's ``versions``, else :func:`current_versions`).  Does not commit;
    under a concurrent writer an :class:`sqlalchemy.exc.IntegrityError` on
    the sha256 can still surface and the caller rolls back.
    """
    return save_reviews(session, [ReviewItem(review_json, text, versions, replace, original)], run_id,
                        user=user)[0]


def save_reviews(session: Session, items: Sequence[ReviewItem], run_id: int | None = None, *,
                 user: User | int | None = None) -> list[Saved]:
    """Store several reviews at once (as :func:`save_review` does one), in the caller's transaction.

    New reports are inserted with one statement per table for the whole
    batch.  Returns one :class:`Saved` per item, in order; an item whose
    sha256 is stored already (or repeated in ``items``) is ``exists`` unless
    it asks to ``replace``.  Does not commit: if anything fails the caller
    rolls the whole batch back (the ingest then stores the batch again one
    report per transaction, so a failure never half-writes a report).
    """
    conn = session.connection()
    uid = _user_id(user)
    now = utcnow()
    prepared: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = []
    for item in items:
        doc, text = _clean(item.review, item.text)
        src = doc.get("source") or {}
        sha = src.get("sha256")
        if not sha:
            raise ValueError("the review has no source.sha256")
        vers = dict(item.versions or doc.get("versions") or current_versions())
        issuer = doc.get("issuer")
        score = doc.get("score") or {}
        values: dict[str, Any] = {
            "source_path": src.get("path"), "format": src.get("format") or "txt",
            "encoding": src.get("encoding"), "size": int(src.get("size") or len(text.encode("utf-8"))),
            "chars": int(src.get("chars") or len(text)), "text": text, "title": doc.get("title"),
            "year": doc.get("year"), "date": _date(doc.get("date")),
            "issuer_id": get_or_create_issuer(session, issuer), "issuer_name": (issuer or {}).get("name"),
            "score_total": score.get("total"), "review": doc, "versions": vers,
            "knowledge": knowledge_key(vers), "fazhi_version": vers.get("fazhi"),
        }
        prepared.append((sha, values, doc, item.replace))
    existing = _ids_by_sha(conn, [p[0] for p in prepared])
    results: list[Saved | None] = [None] * len(prepared)
    new_rows: list[dict[str, Any]] = []
    new_index: list[int] = []
    children: dict[type[Any], list[dict[str, Any]]] = {Fact: [], Quantity: [], Finding: [], PartRow: []}
    claimed: set[str] = set()
    for i, (sha, values, doc, replace) in enumerate(prepared):
        if sha in existing:
            rid = existing[sha]
            if not replace or sha in claimed:
                results[i] = Saved(rid, "exists")
                continue
            claimed.add(sha)
            conn.execute(update(_table(Report)).where(_table(Report).c.id == rid)
                         .values(**values, updated_at=now, updated_by_id=uid,
                                 **({"ingest_run_id": run_id} if run_id is not None else {})))
            for model in children:
                conn.execute(delete(_table(model)).where(_table(model).c.report_id == rid))
            conn.execute(_table(AuditEvent).insert(), {
                "at": now, "user_id": uid, "action": "report.refresh", "object_type": "report",
                "object_id": rid, "detail": {"sha256": sha, "versions": values["versions"], "run_id": run_id}})
            for model, rows in _children(rid, doc).items():
                children[model].extend(rows)
            results[i] = Saved(rid, "replaced")
        elif sha in claimed:
            results[i] = Saved(-1, "exists")  # fixed below, once the first copy has its id
        else:
            claimed.add(sha)
            new_rows.append(dict(values, sha256=sha, created_at=now, created_by_id=uid, ingest_run_id=run_id,
                                 updated_at=None, updated_by_id=None))
            new_index.append(i)
    if new_rows:
        table = _table(Report)
        stmt = table.insert().returning(table.c.id, table.c.sha256, sort_by_parameter_order=True)
        inserted = conn.execute(stmt, new_rows).all() if len(new_rows) > 1 else [
            conn.execute(stmt, new_rows[0]).one()]
        for i, row in zip(new_index, inserted, strict=True):
            existing[row.sha256] = int(row.id)
            results[i] = Saved(int(row.id), "created")
            for model, rows in _children(int(row.id), prepared[i][2]).items():
                children[model].extend(rows)
    for model, rows in children.items():
        if rows:  # Core executemany: several times faster than the ORM's bulk path
            conn.execute(_table(model).insert(), rows)
    out: list[Saved] = []
    for i, r in enumerate(results):
        assert r is not None
        out.append(Saved(existing[prepared[i][0]], "exists") if r.id == -1 else r)
    _save_originals(session, [(saved.id, sha, item.original) for saved, (sha, *_), item
                              in zip(out, prepared, items, strict=True) if item.original is not None], now)
    return out


def _save_originals(session: Session, files: list[tuple[int, str, Original]], now: dt.datetime) -> None:
    """Keep the original files of these reports (``(report id, sha256, file)``) where none is kept yet.
    Raises ValueError for a file whose bytes are not the ones the review read."""
    rows: dict[int, dict[str, Any]] = {}
    for rid, sha, orig in files:
        if hashlib.sha256(orig.data).hexdigest() != sha:
            raise ValueError(f"the original file {orig.name!r} is not the file reviewed (sha256 differs)")
        rows.setdefault(rid, {"report_id": rid, "name": orig.name, "size": len(orig.data), "data": orig.data,
                              "created_at": now})
    if rows:
        stmt = _dialect_insert(session, ReportOriginal).on_conflict_do_nothing(index_elements=["report_id"])
        session.connection().execute(stmt, list(rows.values()))


def _ids_by_sha(conn: Any, shas: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    uniq = list(dict.fromkeys(shas))
    table = _table(Report)
    for i in range(0, len(uniq), 500):
        rows = conn.execute(select(table.c.sha256, table.c.id).where(table.c.sha256.in_(uniq[i:i + 500])))
        out.update({sha: int(rid) for sha, rid in rows})
    return out


def delete_report(session: Session, report: int | str, *, user: User | int | None = None) -> bool:
    """Delete a report (by id or sha256) with its facts, quantities, findings, parts and original file.

    The issuer (a unit) stays.  An audit event ``report.delete`` records who
    deleted what.  Returns ``False`` when there was no such report.
    """
    found = session.execute(select(Report.id, Report.sha256, Report.title, Report.source_path)
                            .where(_report_match(report))).first()
    if found is None:
        return False
    for model in (Fact, Quantity, Finding, PartRow, ReportOriginal):  # explicit: no reliance on ON DELETE CASCADE
        session.execute(delete(model).where(model.report_id == found.id))
    session.execute(delete(Report).where(Report.id == found.id))
    session.add(AuditEvent(user_id=_user_id(user), action="report.delete", object_type="report",
                           object_id=found.id, detail={"sha256": found.sha256, "title": found.title,
                                                       "path": found.source_path}))
    session.flush()
    return True


# =========================================================================== reading
def _report_match(report: int | str) -> Any:
    if isinstance(report, int):
        return Report.id == report
    s = str(report)
    if s.isdigit() and len(s) < 20:
        return Report.id == int(s)
    if len(s) == 64:
        return Report.sha256 == s.lower()
    return Report.sha256.like(s.lower() + "%")


@dataclass
class ReportFilter:
    """Which reports: every field given must match (``None`` = any).

    ``region`` matches any level of the issuer's region path (河南省, 焦作市,
    解放区 …); ``code`` is a division-code prefix (``4108`` = 焦作市);
    ``issuer`` is a unit id (int) or part of the issuer's name (str);
    ``level``/``year`` take one value or several; ``year_from``/``year_to``
    bound the year; ``rules``: reports with a finding of any of these rules, each a rule id or the start
    of one up to a dot (``part.missing`` takes in ``part.missing.shortcomings``, ``part`` every ``part.…``);
    ``score_min``/``score_max`` bound the score; ``parts``: a required part's
    status is one of those given (``{"shortcomings": ["missing", "embedded"]}``).
    """

    region: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    level: str | Sequence[str] | None = None
    year: int | Sequence[int] | None = None
    year_from: int | None = None
    year_to: int | None = None
    issuer: int | str | None = None
    code: str | None = None
    ids: Sequence[int] | None = None
    rules: Sequence[str] | None = None
    score_min: float | None = None
    score_max: float | None = None
    parts: Mapping[str, Sequence[str]] | None = None
    extra: list[Any] = field(default_factory=list)  # more SQLAlchemy conditions

    KEYS = ("region", "province", "city", "county", "township", "level", "year", "issuer", "code", "id", "rule",
            "score", *REQUIRED_PARTS)
    STATUSES = ("dedicated", "embedded", "missing")

    @classmethod
    def parse(cls, where: Iterable[str]) -> ReportFilter:
        """From ``key=value`` strings (``--where``): ``year=2023``, ``year=2021-2023``,
        ``year=2022,2023``, ``level=county,township``, ``region=焦作市``, ``issuer=中站区``,
        ``code=4108``, ``id=3,5``, ``rule=part.missing,no_figures``, ``score=60-80`` (``60-``,
        ``-60``: open), ``shortcomings=missing,embedded`` (a required part: achievements,
        shortcomings, first_responsible, next_year_plan).  Years have four digits, ids fit the database's
        integers (:data:`~fazhi.db.base.INT_MAX`); ``issuer`` is an id when it is such a number, else a
        name.  Raises ``ValueError`` naming a bad key or value."""
        flt = cls()
        for item in where:
            key, sep, value = item.partition("=")
            key, value = key.strip().lower(), value.strip()
            if not sep or not value:
                raise ValueError(f"--where {item!r}: expected key=value")
            if key not in cls.KEYS:
                raise ValueError(f"--where {item!r}: unknown key {key!r} (one of {', '.join(cls.KEYS)})")
            try:
                if key == "year":
                    if "-" in value:
                        a, _, b = value.partition("-")
                        flt.year_from, flt.year_to = _year(a), _year(b)
                    else:
                        ys = [_year(v) for v in value.split(",")]
                        flt.year = ys[0] if len(ys) == 1 else ys
                elif key == "level":
                    lv = [v.strip() for v in value.split(",") if v.strip()]
                    flt.level = lv[0] if len(lv) == 1 else lv
                elif key == "issuer":
                    flt.issuer = int(value) if _is_id(value) else value
                elif key == "id":
                    flt.ids = [_id(v) for v in value.split(",")]
                elif key == "rule":
                    flt.rules = [v.strip() for v in value.split(",") if v.strip()]
                elif key == "score":
                    flt.score_min, flt.score_max = _score_range(value)
                elif key in REQUIRED_PARTS:
                    statuses = [v.strip() for v in value.split(",") if v.strip()]
                    if not statuses or any(v not in cls.STATUSES for v in statuses):
                        raise ValueError
                    flt.parts = {**(flt.parts or {}), key: statuses}
                else:
                    setattr(flt, key, value)
            except ValueError:
                raise ValueError(f"--where {item!r}: bad value {value!r}") from None
        return flt

    def needs_issuer(self) -> bool:
        return any(v is not None for v in (self.region, self.province, self.city, self.county, self.township,
                                           self.level, self.code)) or isinstance(self.issuer, str)

    def conditions(self) -> list[Any]:
        c: list[Any] = list(self.extra)
        if self.region:
            c.append(or_(*(getattr(Issuer, k) == self.region for k in REGION_FIELDS)))
        for k in REGION_FIELDS:
            v = getattr(self, k)
            if v:
                c.append(getattr(Issuer, k) == v)
        if self.level is not None:
            lv = [self.level] if isinstance(self.level, str) else list(self.level)
            c.append(Issuer.level.in_(lv))
        if self.code:
            c.append(Issuer.code.like(self.code + "%"))
        if self.year is not None:
            ys = [self.year] if isinstance(self.year, int) else list(self.year)
            c.append(Report.year.in_(ys))
        if self.year_from is not None:
            c.append(Report.year >= self.year_from)
        if self.year_to is not None:
            c.append(Report.year <= self.year_to)
        if isinstance(self.issuer, int):
            c.append(Report.issuer_id == self.issuer)
        elif self.issuer:
            pat = f"%{self.issuer}%"
            c.append(or_(Issuer.name.like(pat), Report.issuer_name.like(pat)))
        if self.ids is not None:
            c.append(Report.id.in_(list(self.ids)))
        if self.rules:  # a finding's rule is the rule's id, or its id and what it is about (part.missing.shortcomings)
            c.append(Report.id.in_(select(Finding.report_id).where(or_(*(
                or_(Finding.rule == r, Finding.rule.like(like_escape(r) + ".%", escape="\\")) for r in self.rules)))))
        if self.score_min is not None:
            c.append(Report.score_total >= self.score_min)
        if self.score_max is not None:
            c.append(Report.score_total <= self.score_max)
        for name, statuses in (self.parts or {}).items():
            c.append(Report.id.in_(select(PartRow.report_id).where(PartRow.name == name,
                                                                    PartRow.status.in_(list(statuses)))))
        return c

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        """Add the joins and conditions to a SELECT whose FROM has ``reports``."""
        if self.needs_issuer():
            stmt = stmt.outerjoin(Issuer, Report.issuer_id == Issuer.id)
        conds = self.conditions()
        return stmt.where(*conds) if conds else stmt


YEARS = (1000, 9999)  # a year of a filter: four digits


def _year(text: str) -> int:
    y = int(text.strip())
    if not YEARS[0] <= y <= YEARS[1]:
        raise ValueError(f"year {y} is not a four-digit year")
    return y


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and 1 <= int(text) <= INT_MAX


def _id(text: str) -> int:
    if not _is_id(text.strip()) or int(text) < 1:
        raise ValueError(f"{text!r} is not an id")
    return int(text)


def like_escape(value: str) -> str:
    """``value`` as literal text inside a LIKE pattern whose escape character is a backslash."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _score_range(value: str) -> tuple[float | None, float | None]:
    """``60-80``, ``60-`` or ``-60`` → (min, max), an open side None; ValueError otherwise."""
    low, sep, high = value.partition("-")
    if not sep or not (low.strip() or high.strip()):
        raise ValueError
    return (float(low) if low.strip() else None), (float(high) if high.strip() else None)


def scope_condition(scope: Scope) -> Any:
    """SQL: the report's issuer lies in the region ``scope`` (a subquery, so no join is needed)."""
    conds = [getattr(Issuer, k) == v for k, v in scope.fields().items()]
    if not conds:  # a scope without any region field would be every report: refuse to guess
        return Report.id.is_(None)
    return Report.issuer_id.in_(select(Issuer.id).where(and_(*conds)).scalar_subquery())


def scoped(flt: ReportFilter | None, scope: Scope | None) -> ReportFilter:
    """``flt`` (a copy) with the scope's condition added; ``flt`` itself is not changed."""
    out = dataclasses.replace(flt) if flt is not None else ReportFilter()
    out.extra = list(out.extra)
    if scope is not None:
        out.extra.append(scope_condition(scope))
    return out


def list_reports(session: Session, flt: ReportFilter | None = None, *, limit: int | None = None,
                 offset: int = 0) -> list[Report]:
    """Reports matching ``flt``, ordered by year, region and id, with their issuer loaded
    (not the children: use :func:`get_report` for one report in full)."""
    flt = flt or ReportFilter()
    stmt = flt.apply(select(Report)).options(joinedload(Report.issuer))
    stmt = stmt.order_by(Report.year, Report.issuer_id, Report.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt).unique())


def count_reports(session: Session, flt: ReportFilter | None = None) -> int:
    flt = flt or ReportFilter()
    return int(session.scalar(flt.apply(select(func.count(Report.id)))) or 0)


def get_report(session: Session, report: int | str) -> Report | None:
    """One report (by id, sha256 or a sha256 prefix) with issuer, facts, quantities, findings
    and parts loaded."""
    stmt = (select(Report).where(_report_match(report))
            .options(joinedload(Report.issuer), selectinload(Report.facts), selectinload(Report.quantities),
                     selectinload(Report.findings), selectinload(Report.parts)))
    return session.scalars(stmt).unique().first()


def report_json(report: Report, *, with_text: bool = False) -> dict[str, Any]:
    """The stored ``fazhi.review/1`` document of ``report`` (with ``text`` if asked)."""
    doc = dict(report.review)
    if with_text:
        doc["text"] = report.text
    return doc


def report_summary(report: Report) -> dict[str, Any]:
    """A short dict for listings (id, sha256, title, issuer and region, year, date, score, when stored)."""
    iss = report.issuer
    return {
        "id": report.id, "sha256": report.sha256, "title": report.title, "year": report.year,
        "date": report.date.isoformat() if report.date else None, "score": report.score_total,
        "issuer": {"id": iss.id, "name": iss.name, "level": iss.level,
                   **{k: getattr(iss, k) for k in REGION_FIELDS}, "code": iss.code} if iss else None,
        "issuer_name": report.issuer_name, "path": report.source_path, "format": report.format,
        "created_at": report.created_at.isoformat() if report.created_at else None,
    }


def list_issuers(session: Session, flt: ReportFilter | None = None) -> list[Issuer]:
    """Units with at least one report matching ``flt`` (all units when ``flt`` is None)."""
    if flt is None:
        return list(session.scalars(select(Issuer).order_by(Issuer.province, Issuer.city, Issuer.county,
                                                            Issuer.township, Issuer.id)))
    ids = flt.apply(select(Report.issuer_id)).where(Report.issuer_id.is_not(None))
    return list(session.scalars(select(Issuer).where(Issuer.id.in_(ids.scalar_subquery()))
                                .order_by(Issuer.province, Issuer.city, Issuer.county, Issuer.township,
                                          Issuer.id)))


def fact_rows(session: Session, flt: ReportFilter | None = None, *,
              indicators: Sequence[str] | None = None) -> list[Any]:
    """One row per fact of the matching reports, with its report and unit, for compare tables.

    Columns: ``report_id, sha256, year, issuer_id, issuer_name, level, province,
    city, county, township, code, fact_id, indicator, name, value, unit, approx,
    start, end, text``; ordered by unit, year, indicator, fact id.
    """
    flt = flt or ReportFilter()
    stmt = (select(Report.id.label("report_id"), Report.sha256, Report.year, Report.issuer_id,
                   func.coalesce(Issuer.name, Report.issuer_name).label("issuer_name"), Issuer.level,
                   Issuer.province, Issuer.city, Issuer.county, Issuer.township, Issuer.code,
                   Fact.id.label("fact_id"), Fact.indicator, Fact.name, Fact.value, Fact.unit, Fact.approx,
                   Fact.start, Fact.end, Fact.text)
            .select_from(Report).join(Fact, Fact.report_id == Report.id)
            .outerjoin(Issuer, Report.issuer_id == Issuer.id))
    conds = flt.conditions()
    if indicators:
        conds.append(Fact.indicator.in_(list(indicators)))
    stmt = stmt.where(*conds).order_by(Issuer.province, Issuer.city, Issuer.county, Issuer.township,
                                       Report.issuer_id, Report.year, Fact.indicator, Fact.id)
    return list(session.execute(stmt))


def known_reports(session: Session, shas: Iterable[str]) -> dict[str, str]:
    """``sha256 -> knowledge key`` for those of ``shas`` already stored."""
    shas = list(dict.fromkeys(s for s in shas if s))
    out: dict[str, str] = {}
    for i in range(0, len(shas), 500):
        chunk = shas[i:i + 500]
        for sha, key in session.execute(select(Report.sha256, Report.knowledge).where(Report.sha256.in_(chunk))):
            out[sha] = key or ""
    return out


def stats(session: Session) -> dict[str, int]:
    """Row counts of the main tables."""
    out: dict[str, int] = {}
    for label, model in (("reports", Report), ("originals", ReportOriginal), ("issuers", Issuer), ("facts", Fact),
                         ("quantities", Quantity),
                         ("findings", Finding), ("parts", PartRow), ("ingest_runs", IngestRun),
                         ("ingest_failures", IngestFailure), ("users", User)):
        out[label] = int(session.scalar(select(func.count()).select_from(model)) or 0)
    return out


# =========================================================================== ingest runs
def start_run(session: Session, *, args: Mapping[str, Any] | None = None, total: int = 0,
              user: User | int | None = None, versions: Mapping[str, Any] | None = None) -> IngestRun:
    """A new ingest run (status ``running``); flushed so it has an id.

    ``versions``: the knowledge in use (default :func:`current_versions`; ``{}``
    to fill it in later with :func:`finish_run`)."""
    import os
    import socket

    vers = dict(versions) if versions is not None else current_versions()
    run = IngestRun(status="running", total=total, ok=0, refreshed=0, failed=0, skipped=0,
                    args=dict(args or {}), versions=vers, fazhi_version=vers.get("fazhi"),
                    host=socket.gethostname()[:255], pid=os.getpid(), created_by_id=_user_id(user),
                    started_at=utcnow())
    session.add(run)
    session.flush()
    return run


def record_failure(session: Session, run_id: int, path: str, reason: str, sha256: str | None = None) -> None:
    session.execute(insert(IngestFailure).values(run_id=run_id, path=path, sha256=sha256, reason=reason,
                                                 created_at=utcnow()))


def finish_run(session: Session, run_id: int, *, status: str, counts: Mapping[str, int],
               message: str | None = None, versions: Mapping[str, Any] | None = None) -> None:
    """Close a run: ``status`` (completed | failed | interrupted), counts, and why it stopped
    (and the knowledge ``versions``, when they were not known at the start).

    With ``status="running"`` it only updates the counts of a run in progress."""
    extra: dict[str, Any] = {}
    if versions:
        extra = {"versions": dict(versions), "fazhi_version": versions.get("fazhi")}
    session.execute(update(IngestRun).where(IngestRun.id == run_id)
                    .values(status=status, finished_at=None if status == "running" else utcnow(), message=message,
                            **extra, **{k: int(v) for k, v in counts.items()
                                        if k in ("total", "ok", "refreshed", "failed", "skipped")}))


def list_runs(session: Session, limit: int = 20) -> list[IngestRun]:
    """The latest ingest runs, newest first."""
    return list(session.scalars(select(IngestRun).order_by(IngestRun.id.desc()).limit(limit)))


def get_run(session: Session, run_id: int) -> IngestRun | None:
    return session.scalars(select(IngestRun).where(IngestRun.id == run_id)
                           .options(selectinload(IngestRun.failures))).first()


__all__ = [
    "Original",
    "ReportFilter",
    "ReviewItem",
    "Saved",
    "count_reports",
    "current_versions",
    "delete_report",
    "fact_rows",
    "finish_run",
    "get_or_create_issuer",
    "get_or_create_user",
    "get_report",
    "get_run",
    "issuer_key",
    "knowledge_key",
    "known_reports",
    "like_escape",
    "list_issuers",
    "list_reports",
    "list_runs",
    "record_failure",
    "report_json",
    "report_summary",
    "save_review",
    "save_reviews",
    "scope_condition",
    "scoped",
    "start_run",
    "stats",
]

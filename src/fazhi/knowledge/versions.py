"""Versions of the knowledge files kept in the database, and which one is in effect.

The knowledge in effect is a property of the **database**: every review made
into a database (web uploads, ``fazhi ingest``) runs with that database's
*active set* — for each of ``parts``, ``rules``, ``indicators`` and ``units``
the version an administrator activated, else the file (packaged, or from
``FAZHI_KNOWLEDGE_DIR``).  The stored review records the versions it ran
with (``reports.versions`` / ``reports.knowledge``), so ``fazhi ingest
--refresh`` re-reviews what was reviewed under other knowledge.

:class:`KnowledgeVersion` (``knowledge_versions``) is one uploaded version:
name, the file's ``version:``, sha256 and text of the YAML, a note, who
added it and when, and whether it is active (a partial UNIQUE index keeps at
most one active row per name), who activated it and when.

Service functions (CLI ``fazhi knowledge …``, the 规则与指标 page and
``/api/knowledge`` call the same ones; like :mod:`fazhi.corpus.service` they
never commit, and every change writes an audit event):

- :func:`add_version` — checks the text (UTF-8, YAML, the file's JSON Schema,
  a ``version:``, a trial review with it) and refuses a duplicate of stored
  content or a ``version:`` already used with other content (stored, packaged
  or the local file): a knowledge key must name one content;
- :func:`activate`, :func:`deactivate` (back to the file);
- :func:`list_versions`, :func:`get_version`, :func:`find_version`,
  :func:`overview` (per file: packaged, active, history; reports by knowledge);
- :func:`active_set` — what reviews into this database must use: one small
  query (ids, names, sha256 of the active rows); the texts are read only the
  first time a sha256 is seen by this process;
- :func:`active_knowledge` — the active set as a :class:`fazhi.knowledge.Knowledge`;
- :func:`peek_active` — the active set read through a short-lived engine of
  its own (the ingest reads it before forking its workers).

Errors are :class:`KnowledgeStoreError` with a Chinese message naming the file
and the place (``rules.yaml 未通过格式校验：rules/3/severity: 'fatal' is not
one of …``) and an HTTP-like ``status`` (404, 409, 413, 422).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session, defer, joinedload

from fazhi import knowledge
from fazhi.accounts.models import AuditEvent, User
from fazhi.clean import lines
from fazhi.corpus.models import Report
from fazhi.db.base import utcnow
from fazhi.knowledge.models import KnowledgeVersion
from fazhi.lru import LRU, entries_only

NAMES = knowledge.NAMES
LABEL = {"parts": "必备内容措辞", "rules": "审查规则与评分权重", "indicators": "指标目录", "units": "计量单位"}
MAX_BYTES = 2 * 1024 * 1024  # the largest YAML text accepted (the packaged files are 4–35 KB)
NOTE_MAX = 500
_VERSION_OK = re.compile(r"^[^\x00-\x1f\x7f]{1,64}$")



class KnowledgeStoreError(ValueError):
    """A knowledge version that cannot be added, found or activated (message in Chinese).

    ``status``: 404 no such version, 409 a conflict (duplicate content, a
    version number used with other content), 413 too large, 422 invalid."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


# =========================================================================== checking a text
def _uid(user: User | int | None) -> int | None:
    return user if user is None or isinstance(user, int) else user.id


def check_name(name: str) -> str:
    n = (name or "").strip().lower().removesuffix(".yaml")
    if n not in NAMES:
        raise KnowledgeStoreError(f"未知的知识文件 {name!r}：应为 {'、'.join(NAMES)} 之一", 422)
    return n


def decode(content: bytes | str, name: str) -> str:
    """The YAML text of an upload: UTF-8 (a BOM is dropped), at most :data:`MAX_BYTES`."""
    size = len(content.encode("utf-8")) if isinstance(content, str) else len(content)
    if size > MAX_BYTES:
        raise KnowledgeStoreError(f"{name}.yaml 过大（{size / 1024 / 1024:.1f} MB）：上限 {MAX_BYTES // 1024 // 1024} MB", 413)
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise KnowledgeStoreError(f"{name}.yaml 不是 UTF-8 编码的文本（第 {exc.start} 字节处）", 422) from None
    else:
        text = content
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise KnowledgeStoreError(f"{name}.yaml 含有 NUL 字符，不是文本文件", 422)
    if not text.strip():
        raise KnowledgeStoreError(f"{name}.yaml 是空的", 422)
    return text


_TYPE_ZH = {"object": "键值映射", "array": "列表", "string": "文本", "number": "数字", "integer": "整数",
            "boolean": "true 或 false", "null": "空值"}


def _types_zh(raw: str) -> str:
    names = re.findall(r"'(\w+)'", raw)
    return "或".join(_TYPE_ZH.get(n, n) for n in names) or raw


#: jsonschema's messages (its ``message`` of a ValidationError) in Chinese: (pattern, replacement)
_SCHEMA_ZH: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"^(?P<v>.+) is not one of \[(?P<e>.*)\]$", re.S),
     lambda m: f"取值 {m['v']} 不在允许范围内（应为 {'、'.join(x.strip() for x in m['e'].split(','))} 之一）"),
    (re.compile(r"^(?P<v>.+) is a required property$", re.S), lambda m: f"缺少必填字段 {m['v']}"),
    (re.compile(r"^(?P<v>.+) is not of type (?P<t>.+)$", re.S),
     lambda m: f"{m['v']} 的类型不对：应为{_types_zh(m['t'])}"),
    (re.compile(r"^Additional properties are not allowed \((?P<x>.+) (?:was|were) unexpected\)$", re.S),
     lambda m: f"有不允许的字段：{m['x']}（可能是拼写错误）"),
    (re.compile(r"^(?P<v>.+) should be non-empty$", re.S), lambda m: f"{m['v']} 不能为空"),
    (re.compile(r"^(?P<v>.+) is too short$", re.S), lambda m: f"{m['v']} 太短（或为空）"),
    (re.compile(r"^(?P<v>.+) is too long$", re.S), lambda m: f"{m['v']} 太长"),
    (re.compile(r"^(?P<v>.+) does not match (?P<p>.+)$", re.S), lambda m: f"{m['v']} 的写法不符合要求（须匹配 {m['p']}）"),
    (re.compile(r"^(?P<v>.+) is less than the minimum of (?P<n>.+)$", re.S), lambda m: f"{m['v']} 小于最小值 {m['n']}"),
    (re.compile(r"^(?P<v>.+) is greater than the maximum of (?P<n>.+)$", re.S),
     lambda m: f"{m['v']} 大于最大值 {m['n']}"),
    (re.compile(r"^(?P<v>.+) has non-unique elements$", re.S), lambda m: f"{m['v']} 中有重复的项"),
    (re.compile(r"^(?P<v>.+) is not valid under any of the given schemas$", re.S),
     lambda m: f"{m['v']} 不符合任何一种允许的写法"),
    (re.compile(r"^(?P<v>.+) is valid under each of .+$", re.S), lambda m: f"{m['v']} 同时符合了互斥的几种写法"),
)

#: PyYAML's syntax messages (a part of them) in Chinese
_YAML_ZH = (
    ("cannot start any token", "此处的字符不能出现在这里（常见原因：用了制表符 Tab 缩进，YAML 只能用空格缩进）"),
    ("mapping values are not allowed", "此处不能出现“键: 值”（缩进不对，或冒号后的文字需要加引号）"),
    ("could not find expected ':'", "找不到应有的冒号“:”（缩进不对，或上一行的引号没有闭合）"),
    ("expected <block end>", "缩进不一致"),
    ("did not find expected key", "缩进不一致"),
    ("did not find expected '-' indicator", "列表项的缩进不一致"),
    ("expected ',' or ']'", "方括号 [ ] 中的列表没有正确结束"),
    ("expected ',' or '}'", "花括号 { } 中的映射没有正确结束"),
    ("found unexpected end of stream", "文件意外结束（引号或括号没有闭合）"),
    ("found undefined alias", "使用了未定义的别名（*别名）"),
    ("expected alphabetic or numeric character", "锚点或别名的名称无效"),
    ("found unknown escape character", "双引号中有无效的转义字符（\\ 应写成 \\\\）"),
)


def reason_zh(reason: str) -> str:
    """A schema or YAML message (English, from jsonschema or PyYAML) in Chinese; what is not known is kept,
    said to be the checker's own words."""
    text = (reason or "").strip()
    for pat, make in _SCHEMA_ZH:
        m = pat.match(text)
        if m:
            return make(m)
    for en, zh in _YAML_ZH:
        if en in text:
            return zh
    if re.search(r"[\u4e00-\u9fff]", text):
        return text
    return f"格式不符（校验程序的原话：{text}）"


def describe_location(text: str, location: str) -> str:
    """A JSON path of a knowledge text (``rules/3/severity``) in words: ``rules 第 4 项（date.late）的 severity``
    ("" when the text cannot be read or the path is the top)."""
    try:
        node: Any = yaml.load(text, Loader=knowledge._Loader)
    except yaml.YAMLError:
        return ""
    words: list[str] = []
    for part in location.split("/"):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            ident = node.get("id") if isinstance(node, dict) else None
            words.append(f"第 {int(part) + 1} 项" + (f"（{ident}）" if ident else ""))
        elif isinstance(node, dict) and part in node:
            node = node[part]
            words.append(part)
        else:
            return ""
    return "的".join(words) if len(words) > 1 else ""


def error_zh(exc: knowledge.KnowledgeError, name: str, text: str | None = None) -> str:
    """A :class:`fazhi.knowledge.KnowledgeError` as one Chinese line naming the file and the place (with the
    ``text``, the place also in words: which rule, which field)."""
    where = f"{name}.yaml"
    if exc.line is not None:
        return f"{where} 不是有效的 YAML（第 {exc.line} 行第 {exc.column} 列）：{reason_zh(exc.reason)}"
    if exc.syntax:
        return f"{where} 不是有效的 YAML：{reason_zh(exc.reason)}"
    if exc.location:
        loc = "顶层" if exc.location == "(top)" else exc.location
        said = describe_location(text, exc.location) if text and exc.location != "(top)" else ""
        return f"{where} 未通过格式校验：{loc}{f'（{said}）' if said else ''}：{reason_zh(exc.reason)}"
    return f"{where} 无法使用：{reason_zh(str(exc))}"


def _has_alias(text: str) -> bool:
    """YAML anchors and aliases (``&a`` / ``*a``) can make a small file expand into a huge one."""
    if "&" not in text or "*" not in text:
        return False
    try:
        return any(isinstance(t, yaml.AliasToken) for t in yaml.scan(text, Loader=knowledge._Loader))
    except yaml.YAMLError:
        return False  # the parser says what is wrong


def check_text(name: str, text: str) -> tuple[Any, str]:
    """Parse and validate a knowledge text: (data, its ``version``); :class:`KnowledgeStoreError` if not."""
    if _has_alias(text):
        raise KnowledgeStoreError(f"{name}.yaml 使用了 YAML 别名（&锚点 / *别名），不支持：请写出完整内容", 422)
    try:
        data = knowledge.parse(name, text)
    except knowledge.KnowledgeError as exc:
        raise KnowledgeStoreError(error_zh(exc, name, text), 422) from None
    ver = data.get("version") if isinstance(data, dict) else None
    if not isinstance(ver, str) or not _VERSION_OK.match(ver) or ver != ver.strip():
        raise KnowledgeStoreError(f"{name}.yaml 的 version: 字段须为 1–64 个字符的版本号（如 \"2024.1-本地1\"）", 422)
    return data, ver


def _sample() -> str:
    """A packaged sample report (read by the reader, which finds its encoding)."""
    return str(resources.files("fazhi") / "examples" / "guangdong_town_2020.txt")


def trial_review(texts: Mapping[str, str]) -> None:
    """Review the packaged sample report under the files with ``texts`` in place (what :func:`trial` runs in
    a review process); raises what the review raises."""
    from fazhi.review.pipeline import Reviewer

    Reviewer(knowledge.from_texts(texts)).review_path(_sample())


def trial(name: str, text: str, others: Mapping[str, str] | None = None) -> None:
    """Review a sample report with ``text`` for ``name`` (and ``others`` for the other files): a rule naming
    an unknown check, a regular expression that does not compile or may never finish, or a score
    dimension without a scorer is refused here, not at the next upload.

    The trial runs in a review process with the same time and memory limits as uploads
    (:func:`fazhi.review.pool.shared_pool`, :class:`fazhi.config.Settings`), so a version whose
    patterns make a review run forever is refused after the time limit and never holds the caller."""
    from fazhi.config import Settings
    from fazhi.review.pool import ReviewFailed, ReviewTimeout, shared_pool

    texts = {k: v for k, v in (others or {}).items() if k != name}
    texts[name] = text
    settings = Settings.from_env()
    try:
        pool = shared_pool(1, settings.review_memory_mb or None)
        pool.run("fazhi.knowledge.versions:trial_review", texts, timeout=settings.review_timeout_seconds)
    except knowledge.KnowledgeError as exc:
        raise KnowledgeStoreError(f"{name}.yaml 无法使用：{exc}", 422) from None
    except ReviewTimeout as exc:
        raise KnowledgeStoreError(f"{name}.yaml 无法使用：试审查一份样例报告超过 {exc.seconds:g} 秒仍未完成"
                                  "（可能有导致灾难性回溯的正则表达式），已停止", 422) from None
    except ReviewFailed as exc:
        raise KnowledgeStoreError(f"{name}.yaml 无法使用：试审查一份样例报告时审查进程失败（{exc}）", 422) from None
    except Exception as exc:
        raise KnowledgeStoreError(f"{name}.yaml 无法使用：试审查一份样例报告时出错（{type(exc).__name__}: {exc}）",
                                  422) from None


@cache
def packaged(name: str) -> tuple[str, str]:
    """(``version``, sha256) of the file shipped with fazhi."""
    raw = knowledge.packaged_path(name).read_text(encoding="utf-8")
    data = yaml.load(raw, Loader=knowledge._Loader)
    return str(data.get("version", "0")), hashlib.sha256(raw.encode("utf-8")).hexdigest()


def base(name: str) -> dict[str, Any]:
    """The file used when no version is active: packaged, or ``FAZHI_KNOWLEDGE_DIR``'s."""
    path = knowledge.data_path(name)
    local = path != knowledge.packaged_path(name)
    ver, sha = packaged(name)
    if local:
        raw = path.read_text(encoding="utf-8")
        data = yaml.load(raw, Loader=knowledge._Loader)
        ver, sha = str((data or {}).get("version", "0")), hashlib.sha256(raw.encode("utf-8")).hexdigest()
    return {"version": ver, "sha256": sha, "path": str(path), "local": local}


# =========================================================================== writing
def _audit(session: Session, user: User | int | None, action: str, row: KnowledgeVersion | None,
           detail: dict[str, Any]) -> None:
    session.add(AuditEvent(user_id=_uid(user), action=action, object_type="knowledge_version",
                           object_id=row.id if row is not None else None, detail=detail, at=utcnow()))


def _clean_note(note: str | None) -> str | None:
    s = lines(note)
    return s[:NOTE_MAX] or None


def add_version(session: Session, name: str, content: bytes | str, *, note: str | None = None,
                user: User | int | None = None, activate_it: bool = False, run_trial: bool = True
                ) -> KnowledgeVersion:
    """Store a new version of knowledge file ``name`` (audited ``knowledge.add``; with ``activate_it``
    also activated).  Refused with a :class:`KnowledgeStoreError`, storing nothing, when the text is
    not UTF-8 YAML that passes the file's schema and a trial review, when the same content is stored
    already, or when its ``version:`` is used with other content (stored, packaged or local file)."""
    name = check_name(name)
    text = decode(content, name)
    _data, ver = check_text(name, text)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    same = session.scalar(select(KnowledgeVersion).where(KnowledgeVersion.name == name,
                                                         KnowledgeVersion.sha256 == sha))
    if same is not None:
        raise KnowledgeStoreError(f"{name}.yaml 的这份内容已存储为版本 {same.version}（#{same.id}），无需重复上传", 409)
    clash = session.scalar(select(KnowledgeVersion).where(KnowledgeVersion.name == name,
                                                          KnowledgeVersion.version == ver))
    if clash is not None:
        raise KnowledgeStoreError(f"{name}.yaml 的版本号 {ver} 已被另一份内容（#{clash.id}）使用："
                                  "请修改文件中的 version: 字段", 409)
    pver, psha = packaged(name)
    if ver == pver and sha != psha:
        raise KnowledgeStoreError(f"{name}.yaml 的版本号 {ver} 与内置版本相同，但内容不同："
                                  f"请修改文件中的 version: 字段（例如 \"{ver}-1\"）", 409)
    b = base(name)
    if b["local"] and ver == b["version"] and sha != b["sha256"]:
        raise KnowledgeStoreError(f"{name}.yaml 的版本号 {ver} 与本机 FAZHI_KNOWLEDGE_DIR 中的文件相同，但内容不同："
                                  "请修改文件中的 version: 字段", 409)
    if run_trial:
        trial(name, text, active_set(session).texts)
    row = KnowledgeVersion(name=name, version=ver, sha256=sha, content=text, note=_clean_note(note),
                           created_at=utcnow(), created_by_id=_uid(user), active=False)
    session.add(row)
    session.flush()
    _audit(session, user, "knowledge.add", row, {"name": name, "version": ver, "sha256": sha, "note": row.note})
    if activate_it:
        activate(session, row.id, user=user, run_trial=False)
    return row


def activate(session: Session, version_id: int, *, user: User | int | None = None,
             run_trial: bool = True) -> KnowledgeVersion:
    """Make version ``version_id`` the one in effect for its file (audited ``knowledge.activate``).

    The text is checked again (this fazhi's schema, a trial review with the
    other files of the active set).  Activating the active version changes
    nothing."""
    row = session.get(KnowledgeVersion, version_id)
    if row is None:
        raise KnowledgeStoreError(f"没有编号为 {version_id} 的规则/指标版本", 404)
    if row.active:
        return row
    check_text(row.name, row.content)
    if run_trial:
        trial(row.name, row.content, active_set(session).texts)
    prev = session.scalar(select(KnowledgeVersion).where(KnowledgeVersion.name == row.name,
                                                         KnowledgeVersion.active.is_(True)))
    if prev is not None:
        prev.active = False
        session.flush()  # before the new one: the partial UNIQUE index allows one active row
    row.active, row.activated_at, row.activated_by_id = True, utcnow(), _uid(user)
    session.flush()
    _audit(session, user, "knowledge.activate", row,
           {"name": row.name, "version": row.version, "sha256": row.sha256,
            "previous": prev.version if prev is not None else None})
    return row


def deactivate(session: Session, name: str, *, user: User | int | None = None) -> KnowledgeVersion | None:
    """Go back to the file (packaged or ``FAZHI_KNOWLEDGE_DIR``) for ``name`` (audited
    ``knowledge.deactivate``); returns the version that was active (None: none was, nothing changes)."""
    name = check_name(name)
    prev = session.scalar(select(KnowledgeVersion).where(KnowledgeVersion.name == name,
                                                         KnowledgeVersion.active.is_(True)))
    if prev is None:
        return None
    prev.active = False
    session.flush()
    _audit(session, user, "knowledge.deactivate", prev,
           {"name": name, "version": prev.version, "sha256": prev.sha256, "now": base(name)["version"]})
    return prev


# =========================================================================== reading
def list_versions(session: Session, name: str | None = None) -> list[KnowledgeVersion]:
    """Stored versions (newest first), without their text, with who added and activated them."""
    stmt = (select(KnowledgeVersion).options(defer(KnowledgeVersion.content),
                                             joinedload(KnowledgeVersion.created_by),
                                             joinedload(KnowledgeVersion.activated_by))
            .order_by(KnowledgeVersion.name, KnowledgeVersion.id.desc()))
    if name is not None:
        stmt = stmt.where(KnowledgeVersion.name == check_name(name))
    return list(session.scalars(stmt).unique())


def get_version(session: Session, version_id: int) -> KnowledgeVersion | None:
    return session.get(KnowledgeVersion, version_id)


def find_version(session: Session, name: str, which: str) -> KnowledgeVersion:
    """A version of ``name`` by its ``version:`` or by ``#id`` / id; :class:`KnowledgeStoreError` (404) if none."""
    name = check_name(name)
    w = which.strip()
    row = session.scalar(select(KnowledgeVersion).where(KnowledgeVersion.name == name,
                                                        KnowledgeVersion.version == w))
    if row is None and w.lstrip("#").isdigit():
        got = session.get(KnowledgeVersion, int(w.lstrip("#")))
        row = got if got is not None and got.name == name else None
    if row is None:
        raise KnowledgeStoreError(f"{name}.yaml 没有版本 {which}", 404)
    return row


@dataclass(frozen=True)
class ActiveVersion:
    id: int
    name: str
    version: str
    sha256: str


@dataclass(frozen=True)
class ActiveSet:
    """The versions active in a database and their texts (``{}``: the files for everything)."""

    versions: tuple[ActiveVersion, ...] = ()
    texts: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        """What identifies the set: (name, sha256) per active version."""
        return tuple((v.name, v.sha256) for v in self.versions)

    def get(self, name: str) -> ActiveVersion | None:
        return next((v for v in self.versions if v.name == name), None)


EMPTY = ActiveSet()
_TEXTS: LRU[str] = LRU(32, 1 << 30, entries_only)  # sha256 -> text, the ones this process has read


def active_set(session: Session) -> ActiveSet:
    """The active versions of the database: one small query; the texts come from this process's
    cache, or a second query the first time a version is seen.  The database must be at
    the schema head (``knowledge_versions`` exists)."""
    t = KnowledgeVersion.__table__
    rows = session.execute(select(t.c.id, t.c.name, t.c.version, t.c.sha256)
                           .where(t.c.active.is_(True)).order_by(t.c.name)).all()
    if not rows:
        return EMPTY
    known = {r.sha256: _TEXTS.get(r.sha256) for r in rows}
    missing = [r.id for r in rows if known[r.sha256] is None]
    if missing:
        for sha, content in session.execute(select(t.c.sha256, t.c.content).where(t.c.id.in_(missing))):
            known[sha] = _TEXTS.put(sha, content)
    texts = {r.name: str(known[r.sha256]) for r in rows}
    return ActiveSet(tuple(ActiveVersion(r.id, r.name, r.version, r.sha256) for r in rows), texts)


def active_knowledge(session: Session) -> knowledge.Knowledge:
    """The :class:`~fazhi.knowledge.Knowledge` reviews into this database use: its active versions over the
    files (one small query; the same versions give the same value, compiled once per process)."""
    return knowledge.from_texts(active_set(session).texts)


def peek_active(url: Any) -> ActiveSet | None:
    """The active set read through a short-lived engine of its own (disposed before returning),
    ``None`` when it cannot be read (no database yet, no table, unreachable: the caller finds out)."""
    from fazhi import db

    try:
        path = db.sqlite_path(url)
        if path is not None and not path.exists():
            return None
        eng = db.make_engine(url)
    except Exception:
        return None
    try:
        with Session(eng) as s:
            return active_set(s)
    except Exception:
        return None
    finally:
        eng.dispose()


def versions_for(active: ActiveSet) -> dict[str, str]:
    """The ``versions`` a review made with ``active`` records."""
    return knowledge.from_texts(active.texts).versions


def report_counts(session: Session) -> list[tuple[str, int]]:
    """Stored reports by the knowledge key they were reviewed with, most first."""
    rows = session.execute(select(Report.knowledge, func.count()).group_by(Report.knowledge)).all()
    return sorted(((k or "", int(n)) for k, n in rows), key=lambda kv: (-kv[1], kv[0]))


def version_json(row: KnowledgeVersion, *, content: bool = False) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": row.id, "name": row.name, "version": row.version, "sha256": row.sha256, "note": row.note,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "created_by": row.created_by.name if row.created_by_id and row.created_by else None,
        "active": bool(row.active),
        "activated_at": row.activated_at.isoformat() if row.activated_at else None,
        "activated_by": row.activated_by.name if row.activated_by_id and row.activated_by else None,
    }
    if content:
        d["content"] = row.content
    return d


def overview(session: Session) -> dict[str, Any]:
    """Everything the 规则与指标 page, ``GET /api/knowledge`` and ``fazhi knowledge list`` show.

    ``files``: per name its label, packaged and base file, active version and history;
    ``reports``: how many stored reports were reviewed with the knowledge now in effect
    for this database (``current``) and with other knowledge (``other``), by key."""
    active = active_set(session)
    rows = list_versions(session)
    files = []
    for name in NAMES:
        pver, _psha = packaged(name)
        files.append({"name": name, "label": LABEL[name], "packaged": pver, "base": base(name),
                      "active": next((r for r in rows if r.name == name and r.active), None),
                      "versions": [r for r in rows if r.name == name]})
    vers = versions_for(active)
    from fazhi.corpus.service import knowledge_key

    current = knowledge_key(vers)
    by_key = report_counts(session)
    n_current = sum(n for k, n in by_key if k == current)
    total = sum(n for _k, n in by_key)
    return {"files": files, "active": active, "versions": vers,
            "reports": {"current_key": current, "current": n_current, "other": total - n_current, "total": total,
                        "by_key": [{"key": k, "reports": n, "current": k == current} for k, n in by_key]}}


def overview_json(ov: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`overview` as JSON (the API's answer)."""
    return {"files": [{"name": f["name"], "label": f["label"], "packaged": f["packaged"],
                       "base": {"version": f["base"]["version"], "local": f["base"]["local"]},
                       "active": version_json(f["active"]) if f["active"] is not None else None,
                       "versions": [version_json(r) for r in f["versions"]]} for f in ov["files"]],
            "in_effect": ov["versions"], "reports": ov["reports"]}


def key_pairs(key: str) -> list[tuple[str, str]]:
    """A knowledge key (``indicators=2024.1;parts=…``) as (name, version) pairs."""
    out = []
    for part in (key or "").split(";"):
        k, sep, v = part.partition("=")
        if sep:
            out.append((k, v))
    return out


def safe_filename(row: KnowledgeVersion) -> str:
    """A download name made here: ``rules-2024.1-local.yaml`` (only ASCII letters, digits, ``.-_``)."""
    ver = re.sub(r"[^A-Za-z0-9._-]+", "_", row.version).strip("._") or f"v{row.id}"
    return f"{row.name}-{ver[:40]}-{row.id}.yaml"


__all__ = ["EMPTY", "LABEL", "MAX_BYTES", "NAMES", "ActiveSet", "ActiveVersion", "KnowledgeStoreError",
           "KnowledgeVersion", "activate", "active_knowledge", "active_set", "add_version", "base", "check_name", "check_text",
           "deactivate", "decode", "describe_location", "error_zh", "find_version", "get_version", "key_pairs", "list_versions",
           "overview", "overview_json", "packaged", "peek_active", "reason_zh", "report_counts", "safe_filename", "trial", "trial_review",
           "version_json", "versions_for"]

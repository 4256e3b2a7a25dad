"""Several stored reports as one zip (批量下载), written while it is sent.

For each report the zip holds a folder named from the report's id, unit and year only —
``00012_焦作市中站区人民政府_2023/`` — with ``审查结果.json`` (the ``fazhi.review/1`` document with its
text), ``审查意见书.docx`` (:func:`fazhi.documents.opinion.opinion_docx`) and ``原文.<ext>`` (the file as
received, when it is kept and its sha256 checks), and at the top ``清单.csv``, which lists what each
folder holds and why something is missing.  No name in the zip comes from a client: folder names keep
only the letters and digits of the unit's name, file names are fixed, and the extension is the format
fazhi read the file as.

At most :data:`MAX_REPORTS` reports at once.  :func:`plan` checks them (all there and in the user's
scope, or nothing); :func:`stream` then reads and writes one report at a time, in a session of its own,
so memory holds one report's files, not the zip.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fazhi.accounts.roles import Scope
from fazhi.config import CHINA as BEIJING
from fazhi.corpus import reports as stored
from fazhi.corpus.models import Report
from fazhi.corpus.originals import OriginalDamaged, read_original
from fazhi.corpus.service import scope_condition
from fazhi.units.models import Issuer

MAX_REPORTS = 200
_COMPRESSED = ("docx", "pdf")  # stored as they are: compressing them again gains nothing
MANIFEST_HEAD = ["编号", "报告主体", "年度", "标题", "文件夹", "审查结果", "审查意见书", "原文件"]


class BundleError(ValueError):
    """A selection that cannot be bundled (none, too many, not numbers); ``str()`` in Chinese."""


def parse_ids(values: Iterable[str]) -> list[int]:
    """Report ids from form or query values (each one id, or several separated by commas), in order,
    without repeats.  Raises :class:`BundleError`."""
    out: dict[int, None] = {}
    for value in values:
        for part in str(value).replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or len(part) > 12:
                raise BundleError(f"报告编号应为整数：{part[:20]}")
            out[int(part)] = None
    if not out:
        raise BundleError("没有选择报告：请勾选要下载的报告")
    if len(out) > MAX_REPORTS:
        raise BundleError(f"一次最多下载 {MAX_REPORTS} 份报告（选择了 {len(out)} 份），请分批下载")
    return list(out)


@dataclass(frozen=True)
class Planned:
    """One report to put in the zip, and the folder it goes in."""

    id: int
    folder: str
    issuer: str
    year: int | None
    title: str


def folder_name(report_id: int, issuer: str | None, year: int | None) -> str:
    """``00012_焦作市中站区人民政府_2023``: only the id, the letters and digits of the unit's name (at most 30)
    and the year — nothing that could be a path."""
    slug = "".join(ch for ch in (issuer or "") if ch.isalnum())[:30]
    return "_".join(x for x in (f"{report_id:05d}", slug, str(year) if year else "") if x)


def plan(session: Session, ids: list[int], scope: Scope | None) -> list[Planned] | None:
    """The reports ``ids`` in that order, or None when any of them is not there or not in ``scope``."""
    stmt = (select(Report.id, Report.year, Report.title,
                   func.coalesce(Issuer.name, Report.issuer_name).label("issuer"))
            .outerjoin(Issuer, Report.issuer_id == Issuer.id).where(Report.id.in_(ids)))
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    rows = {r.id: r for r in session.execute(stmt)}
    if len(rows) != len(ids):
        return None
    return [Planned(i, folder_name(i, rows[i].issuer, rows[i].year), rows[i].issuer or "（未识别）",
                    rows[i].year, rows[i].title or "") for i in ids]


def zip_name(now: dt.datetime | None = None) -> str:
    return f"fazhi-reports-{(now or dt.datetime.now(BEIJING)).strftime('%Y%m%d-%H%M%S')}.zip"


class _Pipe(io.RawIOBase):
    """A write-only, unseekable stream that hands on what was written (zipfile then writes data descriptors)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self._chunks.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text (never as a formula)."""
    s = "" if value is None else str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def _files(s: Session, p: Planned) -> Iterator[tuple[str, bytes | None, str]]:
    """(file name, bytes or None, what the manifest says) for the files of one report's folder."""
    from fazhi.documents.opinion import opinion_docx

    doc_bytes = stored.report_doc_bytes(s, p.id, None, with_text=True)
    yield "审查结果.json", doc_bytes, "有" if doc_bytes else "无（报告已删除）"
    docx, note = None, "无"
    try:
        docx = opinion_docx(json.loads(doc_bytes)) if doc_bytes else None
        note = "有" if docx else note
    except Exception as exc:  # a stored review the opinion cannot be written from
        note = f"无（生成失败：{type(exc).__name__}）"
    yield "审查意见书.docx", docx, note
    try:
        orig = read_original(s, p.id)
    except OriginalDamaged:
        yield "原文", None, "无（校验失败，可能已损坏）"
        return
    if orig is None:
        yield "原文", None, "无（入库时未保存原文件）"
    else:
        yield f"原文.{orig.extension}", orig.data, f"有（{orig.name}）"


def stream(Session: sessionmaker[Session], planned: list[Planned], *,
           now: dt.datetime | None = None) -> Iterator[bytes]:
    """The zip of ``planned`` (from :func:`plan`), chunk by chunk, one report at a time."""
    when = (now or dt.datetime.now(BEIJING)).timetuple()[:6]
    pipe = _Pipe()
    manifest = io.StringIO()
    rows = csv.writer(manifest)
    rows.writerow(MANIFEST_HEAD)
    with Session() as s, zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in planned:
            said = []
            for name, data, note in _files(s, p):
                said.append(note)
                if data is not None:
                    info = zipfile.ZipInfo(f"{p.folder}/{name}", when)
                    stored_as = zipfile.ZIP_STORED if name.rsplit(".", 1)[-1] in _COMPRESSED else zipfile.ZIP_DEFLATED
                    zf.writestr(info, data, compress_type=stored_as)
            rows.writerow([p.id, _cell(p.issuer), p.year or "", _cell(p.title), p.folder, *said])
            yield pipe.take()
        zf.writestr(zipfile.ZipInfo("清单.csv", when), "\ufeff" + manifest.getvalue(),
                    compress_type=zipfile.ZIP_DEFLATED)
    yield pipe.take()


__all__ = ["MAX_REPORTS", "BundleError", "Planned", "folder_name", "parse_ids", "plan", "stream", "zip_name"]

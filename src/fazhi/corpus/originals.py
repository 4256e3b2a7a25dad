"""The original file of a stored report, read back for a download, its sha256 checked on every read.

``fazhi ingest`` and uploads keep each report's file as received (:class:`~fazhi.corpus.models.ReportOriginal`,
stored by :func:`fazhi.corpus.service.save_reviews`); reports stored before fazhi kept originals have
none, and say so.  The bytes are given out only if their sha256 is still the report's ``sha256`` — the
hash of the file that was reviewed — so a damaged row is refused rather than handed on.  The caller
checks that the report is in the user's scope first (:func:`fazhi.corpus.reports.report_stamp`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.corpus.models import Report, ReportOriginal

#: media types of the formats a download may be opened as; anything else (html, txt, md) is served as
#: bytes, so that a browser never renders a report's HTML on this site
MEDIA_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "pdf": "application/pdf"}
EXTENSIONS = ("txt", "docx", "pdf", "html", "md")
NO_ORIGINAL = "这份报告入库时没有保存原文件（早于 fazhi 保存原文件的版本入库）；重新上传或入库同一文件即可补存"


class OriginalDamaged(Exception):
    """The kept bytes are not the file that was reviewed (their sha256 differs); ``str()`` in Chinese."""


@dataclass(frozen=True)
class OriginalFile:
    """A report's file as received: its name, bytes and format (the format fazhi read it as)."""

    report_id: int
    name: str
    data: bytes
    format: str

    @property
    def extension(self) -> str:
        """The extension a saved copy gets: the format read, one of :data:`EXTENSIONS` (else ``bin``)."""
        return self.format if self.format in EXTENSIONS else "bin"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES.get(self.format, "application/octet-stream")

    @property
    def download_name(self) -> str:
        """The name as received, with the extension of its format when it has another one."""
        _stem, dot, ext = self.name.rpartition(".")
        if dot and ext.lower() == self.extension:
            return self.name
        return f"{self.name or f'report-{self.report_id}'}.{self.extension}"


def read_original(session: Session, report_id: int) -> OriginalFile | None:
    """The original file of a report, checked against its sha256; None when none is kept.

    Raises :class:`OriginalDamaged` when the bytes kept are not the file reviewed."""
    row = session.execute(select(ReportOriginal.name, ReportOriginal.data, Report.sha256, Report.format)
                          .join(Report, Report.id == ReportOriginal.report_id)
                          .where(ReportOriginal.report_id == report_id)).first()
    if row is None:
        return None
    data = bytes(row.data)
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise OriginalDamaged(f"报告 {report_id} 保存的原文件校验失败（SHA-256 与入库时不符），可能已损坏，不予下载")
    return OriginalFile(report_id, row.name, data, row.format or "")


__all__ = ["EXTENSIONS", "MEDIA_TYPES", "NO_ORIGINAL", "OriginalDamaged", "OriginalFile", "read_original"]

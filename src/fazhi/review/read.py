"""Stage 1 — read: the bytes of a file → the raw text of the report.

:func:`read_path` and :func:`read_bytes` return a :class:`Document` whose
``text`` is the document's text with paragraphs separated by ``"\\n"``; the
next stage (:mod:`fazhi.review.normalise`) cleans it.  Nothing here normalises
spaces, widths or broken lines, and no text of the document is dropped.

Formats (``.txt``, ``.md``, ``.docx``, ``.pdf``, ``.html``/``.htm``) are
decided by the **content**, with the file name's extension as a hint only:

- a Word file named ``.txt`` (or anything) is read as ``.docx``; a PDF named
  ``.docx`` is read as PDF; a plain-text file named ``.pdf`` (or with any
  other or no extension) is read as text; a text file that starts with
  ``<!DOCTYPE html`` / ``<html`` is read as HTML (``.md`` excepted);
- content that is none of these is an error: ``"not a text document"`` for
  binary data in a ``.txt``/``.md``, ``"unsupported file type"`` otherwise, and
  a specific reason for known formats that are not supported (legacy ``.doc``,
  ``.xlsx``, ``.odt``, RTF, images, archives…).

Text files: BOM (UTF-8, UTF-16, UTF-32) → UTF-16 without BOM (byte-pattern
test, confirmed by decoding) → strict UTF-8 → strict GB18030 (covers GBK and
GB2312) → tolerant decoding when only a handful of bytes are bad (the
replacement is recorded in ``Document.warnings``) → error.

Every problem with the input raises :class:`ReadError`, whose ``str()`` is
``"PATH: reason"`` with a short reason in plain language; no other exception
escapes for bad input.  Heavy libraries (lxml, pypdf) are imported only when
a file needs them.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fazhi.config import MAX_FILE_BYTES

DEFAULT_MAX_BYTES = MAX_FILE_BYTES  # one limit for every file fazhi reads (fazhi.config)
#: the file extensions searched for in folders (the content decides the format once a file is read)
SUPPORTED = (".txt", ".docx", ".pdf", ".html", ".htm", ".md")
#: formats offices still have that fazhi cannot read, and what to do about them
CONVERT_HINT = {".doc": "用 Word 或 WPS 打开，另存为 .docx（或 .pdf、.txt）", ".wps": "用 WPS 打开，另存为 .docx（或 .pdf、.txt）",
                ".rtf": "用 Word 或 WPS 打开，另存为 .docx（或 .txt）", ".odt": "另存为 .docx（或 .pdf、.txt）",
                ".xls": "这是表格：报告请另存为 .docx", ".et": "这是表格：报告请另存为 .docx",
                ".ppt": "这是演示文稿：报告请另存为 .docx"}

# .docx (zip) limits, checked on the archive's declared sizes before anything is
# expanded; zipfile never returns more than a member declares (and checks its CRC).
DOCX_MAX_PART = 64 * 1024 * 1024  # one XML part that is parsed (document, numbering, styles)
DOCX_MAX_PARSED = 100 * 1024 * 1024  # all parsed parts together
DOCX_MAX_TOTAL = 1024 * 1024 * 1024  # everything the archive declares
DOCX_MAX_RATIO = 500  # deflate of real XML stays far below this
DOCX_MAX_MEMBERS = 10_000

TABLE_CELL_SEP = "\t"  # between the cells of one table row (a row is one line)


#: what each :class:`ReadError` code means to a user: (HTTP status of an upload refused for it, Chinese text)
READ_ERRORS: dict[str, tuple[int, str]] = {
    "not_found": (404, "文件不存在"),
    "permission": (403, "没有读取该文件的权限"),
    "io": (422, "无法读取该文件"),
    "invalid_name": (422, "文件名无效"),
    "directory": (422, "这是文件夹，不是文件"),
    "not_file": (422, "不是普通文件"),
    "too_large": (413, "文件过大"),
    "zip_bomb": (413, "文件解压后数据过大（疑似压缩炸弹），已拒绝"),
    "memory": (413, "文档过大，无法在内存中读取"),
    "nested": (422, "文档嵌套过深，无法完整读取"),
    "empty": (422, "空文件"),
    "no_text": (422, "文档中没有可读的文字（扫描件请先转为文字）"),
    "encrypted": (422, "文档已加密，请去掉密码后再上传"),
    "truncated": (422, "文件已损坏或不完整（可能已截断）"),
    "damaged": (422, "文件已损坏，无法读取"),
    "mismatch": (415, "文件内容与扩展名不符"),
    "binary": (415, "不是文本文件（含二进制数据或无法识别的编码）"),
    "legacy_office": (415, "不支持旧版 Office 格式（.doc/.wps 等），请另存为 .docx"),
    "spreadsheet": (415, "这是电子表格，不是报告"),
    "presentation": (415, "这是演示文稿，不是报告"),
    "image": (415, "这是图片，不是文档（不支持 OCR）"),
    "archive": (415, "这是压缩包，不是文档"),
    "program": (415, "这是程序文件，不是文档"),
    "unsupported": (415, "不支持的文件类型"),
    "not_report": (422, "这不是法治政府建设年度报告"),
}


class ReadError(Exception):
    """A file cannot be read as a report; ``str()`` names the file and the reason.

    ``reason`` is a short English reason for scripts and logs; ``code`` (a key of :data:`READ_ERRORS`)
    says what kind of problem it is — the HTTP status and the Chinese message are looked up from it
    (:meth:`message_zh`, :meth:`http_status`)."""

    def __init__(self, path: str | Path, reason: str, code: str = "unsupported") -> None:
        self.path = str(path)
        self.reason = reason
        self.code = code if code in READ_ERRORS else "unsupported"
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable: the web reviews uploads in child processes
        return (type(self), (self.path, self.reason, self.code))

    @property
    def http_status(self) -> int:
        return READ_ERRORS[self.code][0]

    def message_zh(self) -> str:
        """The Chinese message for a user, with the English reason in brackets."""
        return f"{READ_ERRORS[self.code][1]}（{self.reason}）"


@dataclass(slots=True)
class Document:
    """The text of one file and where it came from.

    ``format`` is the format actually read (``txt``, ``md``, ``docx``, ``pdf``,
    ``html``), whatever the extension said; ``sha256`` and ``size`` are of the
    file's bytes; ``encoding`` is the text encoding used (text and HTML only);
    ``warnings`` lists things a reader should know (bytes replaced, pages
    without text, …).
    """

    text: str
    format: str
    sha256: str
    size: int
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


class _Fail(Exception):
    """Internal: a reason and its code, turned into a ReadError naming the file by the caller."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.code = code


def report_files(folder: Path) -> list[Path]:
    """The report files in ``folder`` and below (by extension, :data:`SUPPORTED`), sorted."""
    return sorted(q for q in Path(folder).rglob("*") if q.suffix.lower() in SUPPORTED and q.is_file())


def unreadable_files(folder: Path) -> list[Path]:
    """Files in ``folder`` and below in a format offices use that fazhi cannot read (:data:`CONVERT_HINT`)."""
    return sorted(q for q in Path(folder).rglob("*") if q.suffix.lower() in CONVERT_HINT and q.is_file())


# ===================================================================== entry points
def read_path(path: Path, *, max_bytes: int | None = None) -> Document:
    """Read the report file at ``path``.

    Files larger than ``max_bytes`` (default :data:`DEFAULT_MAX_BYTES`) are
    refused before they are read.  The content decides the format and the
    extension is only a hint: a Word file named ``report.txt`` is read as
    ``.docx`` (``Document.format`` says what was read).  Raises
    :class:`ReadError` for a missing file, a directory, no permission, an
    empty, oversized, damaged, encrypted or unsupported file.
    """
    path = path if isinstance(path, Path) else Path(path)  # a Path is not parsed again
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ReadError(path, "file not found", "not_found") from None
    except PermissionError:
        raise ReadError(path, "permission denied", "permission") from None
    except OSError as e:
        raise ReadError(path, f"cannot open the file ({e.strerror or e})", "io") from None
    except ValueError:  # e.g. a NUL character in the name
        raise ReadError(path, "invalid file name", "invalid_name") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(path, "is a directory, not a file", "directory")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(path, "not a regular file", "not_file")
    if st.st_size > limit:
        raise ReadError(path, too_large_reason(st.st_size, limit), "too_large")
    try:
        with open(path, "rb") as f:
            want = min(limit, st.st_size) + 1  # not limit + 1: that would allocate 20 MB
            data = f.read(want)
            if len(data) == want and len(data) <= limit:  # the file grew since stat()
                data += f.read(limit + 1 - len(data))
    except PermissionError:
        raise ReadError(path, "permission denied", "permission") from None
    except IsADirectoryError:
        raise ReadError(path, "is a directory, not a file", "directory") from None
    except OSError as e:
        raise ReadError(path, f"cannot read the file ({e.strerror or e})", "io") from None
    if len(data) > limit:
        raise ReadError(path, too_large_reason(max(len(data), st.st_size), limit), "too_large")
    return _read(data, str(path), path.suffix.lower())


def read_bytes(data: bytes, name: str, *, max_bytes: int | None = None) -> Document:
    """Read a report given as bytes (e.g. a web upload); ``name`` is the file name,
    used in error messages and as a hint to the format (see the module docs)."""
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise ReadError(name, too_large_reason(len(data), limit), "too_large")
    return _read(bytes(data), name, posixpath.splitext(name.replace("\\", "/"))[1].lower())


def too_large_reason(size: int | None, limit: int) -> str:
    """The reason given for a file of ``size`` bytes over ``limit`` (``None``: not read to its end)."""
    if size is None:
        return f"file too large (over the limit of {_human(limit)})"
    return f"file too large ({_human(size)} > limit {_human(limit)})"


def _human(n: int) -> str:
    if n >= 1024 * 1024:
        v = f"{n / (1024 * 1024):.1f}".removesuffix(".0")
        return f"{v} MB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"


# ===================================================================== dispatch
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"{\\rtf", "RTF documents are not supported; save as .docx", "unsupported"),
    (b"\x89PNG\r\n\x1a\n", "an image (PNG), not a document; OCR is not supported", "image"),
    (b"\xff\xd8\xff", "an image (JPEG), not a document; OCR is not supported", "image"),
    (b"GIF8", "an image (GIF), not a document; OCR is not supported", "image"),
    (b"II*\x00", "an image (TIFF), not a document; OCR is not supported", "image"),
    (b"MM\x00*", "an image (TIFF), not a document; OCR is not supported", "image"),
    (b"BM", "", "image"),  # BMP: too short a magic to trust alone, see _sniff_binary
    (b"\x1f\x8b", "a compressed archive (gzip), not a document", "archive"),
    (b"Rar!\x1a\x07", "a compressed archive (RAR), not a document", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "a compressed archive (7z), not a document", "archive"),
    (b"%!PS", "a PostScript file; save the report as PDF or .docx", "unsupported"),
    (b"\x7fELF", "a program, not a document", "program"),
    (b"MZ", "", "program"),  # Windows executable: confirmed in _sniff_binary
)


_MAGIC_FIRST = frozenset(m[:1] for m, _r, _c in _OTHER_MAGIC)


def _read(data: bytes, name: str, ext: str) -> Document:
    try:
        if not data:
            raise _Fail("empty file", "empty")
        text, fmt, encoding, warnings = _extract(data, ext)
    except _Fail as e:
        raise ReadError(name, str(e), e.code) from None
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(name, "document nested too deeply to read", "nested") from None
    except MemoryError:
        raise ReadError(name, "document too large to read in memory", "memory") from None
    except Exception as e:  # a library failed on damaged input: never a traceback
        raise ReadError(name, f"cannot read the file (damaged {ext.lstrip('.') or 'file'}: "
                              f"{type(e).__name__})", "damaged") from None
    if not text.strip():
        raise ReadError(name, "no text in the document" if fmt in ("docx", "pdf", "html")
                        else "no text in the file (only blank space)", "no_text")
    return Document(text, fmt, hashlib.sha256(data).hexdigest(), len(data), encoding, warnings)


def _extract(data: bytes, ext: str) -> tuple[str, str, str | None, list[str]]:
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06") or head.startswith(b"PK\x07\x08"):
        text, warnings = _read_docx(data)
        return text, "docx", None, warnings
    if head == _OLE_MAGIC:
        raise _Fail(*_ole_reason(data))
    if b"%PDF-" in data[:1024]:
        text, warnings = _read_pdf(data)
        return text, "pdf", None, warnings
    refused = _sniff_binary(data)
    if refused:
        raise _Fail(*refused)
    if ext in (".html", ".htm", ".xhtml", ".shtml") or (ext != ".md" and _looks_html(data)):
        text, enc, warnings = _read_html(data)
        return text, "html", enc, warnings
    try:
        text, enc, warnings = _decode_text(data)
    except _Fail:
        if ext == ".docx":
            raise _Fail("not a valid .docx (not a zip file)", "mismatch") from None
        if ext == ".pdf":
            raise _Fail("not a valid PDF (no %PDF header)", "mismatch") from None
        if ext in (".txt", ".md", ""):
            raise
        raise _Fail(f"unsupported file type ({ext})", "unsupported") from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, "md" if ext == ".md" else "txt", enc, warnings


def _sniff_binary(data: bytes) -> tuple[str, str] | None:
    """(reason, code) to refuse a known non-report format (images, archives, programs, …), or None."""
    head = data[:4096]
    if head[:13].lower() == b"mime-version:" or b"ultipart/related" in head:
        return "MHTML web archives are not supported; save the page as .html or the report as .docx", "unsupported"
    if b'progid="Word.Document"' in head or b"<w:wordDocument" in head:
        return "Word 2003 XML documents are not supported; save as .docx", "legacy_office"
    if data[:1] not in _MAGIC_FIRST:
        return None
    for magic, reason, code in _OTHER_MAGIC:
        if data.startswith(magic):
            if magic == b"MZ":
                if b"PE\x00\x00" in data[:1024]:
                    return "a program, not a document", code
                continue
            if magic == b"BM":
                if len(data) > 26 and int.from_bytes(data[2:6], "little") == len(data):
                    return "an image (BMP), not a document; OCR is not supported", code
                continue
            return reason, code
    return None


def _ole_reason(data: bytes) -> tuple[str, str]:
    """(reason, code) for an OLE compound file (old Office format, or an encrypted new one)."""

    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("EncryptedPackage") or has("EncryptionInfo"):
        return "encrypted document; save it without a password", "encrypted"
    if has("WordDocument"):
        return "legacy .doc format is not supported; save as .docx", "legacy_office"
    if has("Workbook") or has("Book"):
        return "a spreadsheet (.xls), not a report; save the report as .docx", "spreadsheet"
    if has("PowerPoint Document"):
        return "a presentation (.ppt), not a report; save the report as .docx", "presentation"
    return "unsupported file type (an old Office/OLE file); save as .docx", "legacy_office"


# ===================================================================== text
# characters that do not occur in a text document (C0 controls except
# tab/newline/VT/FF/CR/ESC-less, DEL, C1 controls, replacement char, surrogates)
_BINARY_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")
# the same C0 controls as bytes: in UTF-8 and GB18030 these bytes are never part of a character
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
# high bytes of UTF-16 code units in Chinese text: ASCII/Latin-1 (00), general
# punctuation (20), CJK punctuation (30), CJK ideographs (4E-9F), fullwidth (FF)
_UTF16_HIGH = bytes([0x00, 0x20, 0x30, 0xFF, *range(0x4E, 0xA0)])
_ASCII_BYTES = bytes(range(0x80))
_PLAUSIBLE = re.compile(
    "[^\t\n\r\x0b\x0c\x20-\x7e\u00a0-\u00ff\u2000-\u27ff\u2e80-\u2fdf\u3000-\u33ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def _decode_text(data: bytes) -> tuple[str, str, list[str]]:
    """Decode a text file; raise _Fail("not a text document …", "binary") for binary data."""
    text, enc, warnings = _decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if enc in ("utf-8", "gb18030") and not warnings:  # fast path: count control bytes
        bad = len(data) - len(data.translate(None, _CONTROL_BYTES))
    else:
        bad = len(_BINARY_CHARS.findall(text))
    if bad > 2 + len(text) // 100:
        raise _Fail("not a text document (binary data)", "binary")
    return text, enc, warnings


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    # 1. byte-order marks
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_tolerant(data[3:], "utf-8", "utf-8-sig")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        enc = "utf-32-le" if data[0] == 0xFF else "utf-32-be"
        return _decode_tolerant(data[4:], enc, enc)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if data[0] == 0xFF else "utf-16-be"
        return _decode_tolerant(data[2:], enc, enc)
    # 2. UTF-16 without BOM: ASCII in UTF-16 has NUL bytes, which no other text has
    has_nul = b"\x00" in data
    if has_nul:
        got = _try_utf16(data)
        if got:
            return got[0], got[1], []
    # 3. strict UTF-8 (ASCII included): the common case, and fast
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as e:
        utf8_error = e
    # a UTF-8 file cut inside its last character
    if utf8_error.reason == "unexpected end of data" and utf8_error.start >= len(data) - 3:
        try:
            text = data[:utf8_error.start].decode("utf-8")
            return text, "utf-8", ["the file ends inside a character (truncated?)"]
        except UnicodeDecodeError:
            pass
    # a UTF-8 file with a damaged byte or two (GBK text is never this close to UTF-8)
    if _few_utf8_errors(data, utf8_error):
        text = data.decode("utf-8", "replace")
        errors = text.count("\ufffd")
        return text, "utf-8", [f"{errors} undecodable byte sequence(s) replaced by \ufffd"]
    # 4. UTF-16 without BOM and without any ASCII (pure Chinese text)
    if not has_nul:
        got = _try_utf16(data)
        if got:
            return got[0], got[1], []
    # 5. GB18030 (a superset of GBK and GB2312)
    try:
        return data.decode("gb18030"), "gb18030", []
    except UnicodeDecodeError:
        pass
    # 6. a few damaged bytes in an otherwise good file
    best: tuple[int, str, str] | None = None
    for enc in ("utf-8", "gb18030"):
        text = data.decode(enc, "replace")
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, text, enc)
    assert best is not None
    bad, text, enc = best
    if bad <= max(2, len(data) // 500) and not _binary_ratio_high(text):
        return text, enc, [f"{bad} undecodable byte sequence(s) replaced by \ufffd"]
    raise _Fail("not a text document (binary data or an unknown encoding)", "binary")


def _few_utf8_errors(data: bytes, first: UnicodeDecodeError, limit: int = 4) -> bool:
    """True when ``data`` is UTF-8 but for at most ``limit`` bad spots, with enough
    Chinese (≥ 60 non-ASCII bytes) to tell.  Stops early on GBK, which fails at once."""
    if len(data.translate(None, _ASCII_BYTES)) < 60:
        return False
    pos = _skip_continuation(data, first.end)
    for _ in range(limit):
        try:
            data[pos:].decode("utf-8")
            return True
        except UnicodeDecodeError as e:
            if e.start < 16:  # errors close together: not a damaged byte here and there
                return False
            pos = _skip_continuation(data, pos + e.end)
    return False


def _skip_continuation(data: bytes, pos: int) -> int:
    """Past the stray continuation bytes of a damaged UTF-8 character."""
    end = min(len(data), pos + 3)
    while pos < end and 0x80 <= data[pos] <= 0xBF:
        pos += 1
    return pos


def _try_utf16(data: bytes) -> tuple[str, str] | None:
    """Decode ``data`` as UTF-16 without BOM if its bytes look like it.

    In UTF-16 text of Chinese or Latin script, every other byte (the code
    unit's high byte) is 00, 20, 30, 4E–9F or FF.  The byte order whose high
    bytes fit (≥ 90%) is decoded strictly and kept when the text is plausible.
    """
    n = len(data) - (len(data) % 2)
    if n < 2:
        return None
    body = data[:n]
    for enc, high, low in (("utf-16-le", body[1::2], body[0::2]), ("utf-16-be", body[0::2], body[1::2])):
        misses = len(high.translate(None, _UTF16_HIGH))
        if misses > len(high) // 10:
            continue
        # ASCII text read two bytes at a time also has "CJK" high bytes (x = 0x78);
        # real UTF-16 Chinese has low bytes spread over 00-FF
        if len(low.translate(None, _ASCII_BYTES)) < len(low) // 10:
            if b"\x00" not in high:
                continue
        try:
            text = body.decode(enc)
        except UnicodeDecodeError:
            continue
        if len(_PLAUSIBLE.findall(text)) <= len(text) // 20:
            if n != len(data) and data[-1] not in (0, 0x0A):
                continue
            return text, enc
    return None


def _binary_ratio_high(text: str) -> bool:
    return len(_BINARY_CHARS.findall(text.replace("\ufffd", ""))) > 2 + len(text) // 100


def _decode_tolerant(data: bytes, codec: str, name: str) -> tuple[str, str, list[str]]:
    try:
        return data.decode(codec), name, []
    except UnicodeDecodeError:
        text = data.decode(codec, "replace")
        bad = text.count("\ufffd")
        if bad > max(2, len(data) // 500):
            raise _Fail(f"not a text document (the file says {name} but is not)", "binary") from None
        return text, name, [f"{bad} undecodable byte sequence(s) replaced by \ufffd"]


# ===================================================================== html
_BLOCK_TAGS = frozenset("""address article aside blockquote body center dd details dialog dir div dl dt
fieldset figcaption figure h1 h2 h3 h4 h5 h6 hgroup hr li main menu ol p pre section summary table
tbody thead tfoot tr ul caption legend""".split())
_CONTAINER_TAGS = frozenset("body div section article main center table tbody thead tr td th form "
                            "blockquote dl dd".split())
_SCORE_BLOCKS = _BLOCK_TAGS | {"td", "th"}
_DROP_TAGS = ("script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "frame",
              "frameset", "svg", "math", "select", "button", "input", "textarea", "object", "embed",
              "canvas", "audio", "video", "map", "head", "title", "meta", "link")
_CJK = re.compile("[\u3400-\u9fff]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)"""
                           rb"""|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-:.]+)""", re.I)
_WS = re.compile(r"[ \t\r\n\f]+")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


#: libxml2's limit on nesting with ``huge_tree`` (XML_PARSE_HUGE); deeper pages are refused
MAX_HTML_DEPTH = 2048


def _looks_html(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM
        head = data[:1024].decode("utf-16", "ignore").lstrip().lower().encode("ascii", "ignore")
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        head.startswith(b"<?xml") and b"<html" in data[:2048].lower())


def _read_html(data: bytes) -> tuple[str, str, list[str]]:
    text, enc, warnings = _decode_html(data)
    import lxml.html
    from lxml import etree

    # lxml refuses str input that carries an XML encoding declaration
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        raise _Fail("no text in the page", "no_text")
    # huge_tree: libxml2 stops at 256 levels of nesting otherwise and silently drops the rest;
    # with it, a page nested deeper than MAX_HTML_DEPTH is refused rather than read in part
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise _Fail(f"not a readable HTML page ({e})", "damaged") from None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message for e in parser.error_log):
        raise _Fail(f"HTML nested deeper than {MAX_HTML_DEPTH} elements: the page cannot be read whole", "nested")
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove_keep_tail(el)
    for el in list(root.iter(*_DROP_TAGS)):
        _remove_keep_tail(el)
    for el in list(root.iter("header", "footer")):
        if not any(a.tag in ("article", "main") for a in el.iterancestors()):
            _remove_keep_tail(el)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        style = el.get("style")
        if (style and _HIDDEN.search(style)) or el.get("hidden") is not None:
            _remove_keep_tail(el)
    body = root.find("body")
    if body is None:
        body = root
    counts: dict[Any, float] = {}
    _count_cjk(body, counts)
    main = _main_block(body, counts)
    lines = _html_lines(main)
    title = _html_title(main, body, lines)
    if title:
        lines.insert(0, title)
    return "\n".join(lines), enc, warnings


def _remove_keep_tail(el: Any) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _decode_html(data: bytes) -> tuple[str, str, list[str]]:
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return _decode(data)
    m = _META_CHARSET.search(data[:8192])
    if m:
        declared = (m.group(1) or m.group(2)).decode("ascii", "ignore").lower()
        if declared in ("gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936", "euc-cn", "gb18030"):
            declared = "gb18030"
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            codec = ""
        if codec and not codec.startswith("utf-16") and not codec.startswith("utf-32"):
            try:
                return data.decode(codec), codec, []
            except UnicodeDecodeError:
                pass  # the declaration is wrong: detect instead
    text, enc, warnings = _decode(data)
    return text, enc, warnings


def _count_cjk(el: Any, counts: dict[Any, float]) -> float:
    """Score the blocks under ``el`` by their Chinese text, link text excluded.

    Each run of text between block boundaries scores its CJK characters
    beyond the first 10: article paragraphs score high, the short lines of
    headers, footers, breadcrumbs and menus next to nothing.  A block's score
    includes the blocks inside it.  Iterative (``etree.iterwalk``): a page may
    nest thousands of elements deep.
    """
    from lxml import etree

    frames: list[list[float]] = [[0, 0.0]]  # [run, total] of each open scored block, ``el`` first
    links: list[bool] = [False]  # whether the content of each open element is link text

    def add(s: str | None) -> None:
        if s:
            frames[-1][0] += len(_CJK.findall(s))

    def close() -> None:
        f = frames[-1]
        f[1] += max(0, f[0] - 10)
        f[0] = 0

    add(el.text)
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if node is el:
            continue
        tag = node.tag if isinstance(node.tag, str) else None
        if event == "start":
            if tag in _SCORE_BLOCKS:
                close()
                frames.append([0, 0.0])
                links.append(False)
                add(node.text)
            elif tag == "br":
                close()
                links.append(links[-1])
            elif tag is not None:
                link = links[-1] or tag == "a"
                if not link:
                    add(node.text)
                links.append(link)
            else:
                links.append(links[-1])
            continue
        links.pop()
        if tag in _SCORE_BLOCKS:
            close()
            _run, total = frames.pop()
            counts[node] = total
            frames[-1][1] += total
        if not links[-1]:
            add(node.tail)
    close()
    counts[el] = frames[0][1]
    return frames[0][1]


def _main_block(body: Any, counts: dict[Any, float]) -> Any:
    """The smallest container that holds the article: descend while one child
    holds ≥ 80% of the text, or ≥ 50% and four times any sibling's."""
    cur = body
    while True:
        total = counts.get(cur, 0)
        children = sorted((c for c in cur if isinstance(c.tag, str)), key=lambda c: -counts.get(c, 0))
        if not children or total <= 0:
            return cur
        best = counts.get(children[0], 0)
        second = counts.get(children[1], 0) if len(children) > 1 else 0
        if children[0].tag not in _CONTAINER_TAGS:
            return cur
        if not (best >= 0.8 * total or (best >= 0.5 * total and best >= 4 * second)):
            return cur
        cur = children[0]


def _html_lines(el: Any) -> list[str]:
    """The text of ``el`` as lines (block elements and ``<br>`` break lines, table cells are separated,
    ``<pre>`` keeps its own); iterative, as :func:`_count_cjk`."""
    from lxml import etree

    out: list[str] = []
    buf: list[str] = []
    pre = 0  # open <pre> elements

    def flush() -> None:
        line = "".join(buf).strip(" ")
        buf.clear()
        line = line.strip(TABLE_CELL_SEP) if TABLE_CELL_SEP in line else line
        if line.strip():
            out.append(line)

    def text(s: str) -> str:
        return s if pre else _WS.sub(" ", s)

    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag == "pre":
                pre += 1
            if tag == "br" or tag in _BLOCK_TAGS:
                flush()
            if node.text and tag != "br":
                buf.append(text(node.text))
            continue
        if tag in ("td", "th"):
            buf.append(TABLE_CELL_SEP)
        elif tag in _BLOCK_TAGS:
            flush()
        if tag == "pre":
            pre -= 1
        if node is not el and node.tail:
            buf.append(text(node.tail))
    flush()
    if any("\n" in ln for ln in out):  # <pre> blocks keep their own lines
        out = [part.strip(" ") for ln in out for part in ln.split("\n")]
        out = [ln for ln in out if ln.strip()]
    return out


def _html_title(main: Any, body: Any, lines: list[str]) -> str | None:
    """The article's heading when it sits just before the chosen block (CMS pages
    often put the title in an ``<h1>`` or ``div.title`` beside the content)."""
    if main is body:
        return None
    scope = main
    for _ in range(3):
        parent = scope.getparent()
        if parent is None or scope is body:
            break
        scope = parent
    found = None
    for el in scope.iter():
        if el is main:
            break
        if not isinstance(el.tag, str):
            continue
        cls = f"{el.get('class', '')} {el.get('id', '')}".lower()
        if el.tag in ("h1", "h2", "h3") or ("title" in cls and el.tag in ("div", "p", "td", "span", "h4")):
            t = _WS.sub(" ", el.text_content()).strip()
            if len(_CJK.findall(t)) >= 5 and len(t) <= 150:
                found = t  # the nearest one before the content wins
    if found is None:
        return None
    start = re.sub(r"\s+", "", "".join(lines[:5]))[:300]
    return None if re.sub(r"\s+", "", found) in start else found


# ===================================================================== pdf
def _read_pdf(data: bytes) -> tuple[str, list[str]]:
    if b"%%EOF" not in data[-4096:]:
        raise _Fail("truncated or damaged PDF (no end-of-file marker)", "truncated")
    pypdf = _pypdf()
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except DependencyError:
                raise _Fail("encrypted PDF whose encryption needs the 'cryptography' package; "
                            "save it without a password", "encrypted") from None
            if not ok:
                raise _Fail("encrypted PDF (password required); save it without a password", "encrypted")
        pages = list(reader.pages)
    except _Fail:
        raise
    except FileNotDecryptedError:
        raise _Fail("encrypted PDF (password required); save it without a password", "encrypted") from None
    except LimitReachedError:
        raise _Fail("PDF expands to too much data", "zip_bomb") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise _Fail(f"damaged PDF ({_short(e)})", "damaged") from None
    if not pages:
        raise _Fail("damaged PDF (no pages)", "damaged")
    texts: list[str] = []
    empty: list[int] = []
    failed: list[int] = []
    for i, page in enumerate(pages, 1):
        try:
            t = _page_text(page)
        except LimitReachedError:
            raise _Fail("PDF expands to too much data", "zip_bomb") from None
        except Exception:
            failed.append(i)
            t = ""
        if not t.strip():
            empty.append(i)
        texts.append(t)
    text = "\n".join(t.strip("\n") for t in texts)
    if not text.strip():
        if failed and len(failed) == len(pages):
            raise _Fail("damaged PDF (no page could be read)", "damaged")
        raise _Fail("no text layer (scanned PDF?); OCR is not supported", "no_text")
    visible = re.sub(r"\s+", "", text)
    garbled = len(re.findall("[\ue000-\uf8ff\ufffd\x00-\x08\x0e-\x1f]", visible))
    if garbled > len(visible) * 0.3:
        raise _Fail("the PDF's text layer cannot be decoded (fonts without a Unicode map); "
                    "OCR is not supported", "no_text")
    warnings: list[str] = []
    if failed:
        warnings.append(f"pages that could not be read: {_pages(failed)}")
    if empty and len(empty) < len(pages):
        warnings.append(f"pages without a text layer (scanned?): {_pages(empty)}")
    return text, warnings


_pypdf_ready = False


def _pypdf() -> Any:
    """Import pypdf once, silencing its warnings about damaged files (we report those)."""
    global _pypdf_ready
    import pypdf

    if not _pypdf_ready:
        import logging
        import warnings

        from pypdf.errors import PdfReadWarning

        logging.getLogger("pypdf").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", category=PdfReadWarning)
        _pypdf_ready = True
    return pypdf


def _page_text(page: Any) -> str:
    text = page.extract_text() or ""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    # a page whose glyphs were placed one by one comes out one glyph per line:
    # layout mode puts them back on their lines
    if len(lines) >= 12 and sum(len(ln.strip()) <= 2 for ln in lines) > 0.6 * len(lines):
        layout = page.extract_text(extraction_mode="layout") or ""
        if layout.strip():
            text = "\n".join(_WS_LINE.sub(" ", ln).strip() for ln in layout.split("\n"))
            text = re.sub(r"\n{2,}", "\n", text).strip("\n")
    return text


_WS_LINE = re.compile(r"[ \t]{2,}")


def _pages(nums: list[int]) -> str:
    shown = ", ".join(str(n) for n in nums[:10])
    return shown + (f" and {len(nums) - 10} more" if len(nums) > 10 else "")


def _short(e: BaseException) -> str:
    s = str(e).strip().split("\n")[0]
    return (s[:80] + "…") if len(s) > 80 else (s or type(e).__name__)


# ===================================================================== docx
_W_NS = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
         "http://purl.oclc.org/ooxml/wordprocessingml/main")
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_BOOKMARK_ARTEFACT = re.compile(r"\[bookmark: [^\]\n]*\]")


def _read_docx(data: bytes) -> tuple[str, list[str]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError,
            NotImplementedError, IndexError, KeyError):
        raise _Fail("not a valid .docx (corrupt or truncated zip file)", "truncated") from None
    with zf:
        if len(infos) > DOCX_MAX_MEMBERS:
            raise _Fail("docx expands to too much data (zip bomb?)", "zip_bomb")
        total = sum(i.file_size for i in infos)
        if total > DOCX_MAX_TOTAL:
            raise _Fail("docx expands to too much data (zip bomb?)", "zip_bomb")
        names = {i.filename: i for i in infos}
        main = _docx_main_part(zf, names)
        if main is None:
            raise _Fail(*_zip_kind(zf, names))
        rels = _docx_rels(zf, names, main)
        budget = [DOCX_MAX_PARSED]
        doc_root = _docx_xml(zf, names[main], budget)
        numbering_root = styles_raw = None
        for kind, target in rels.items():
            if target not in names:
                continue
            if kind == "numbering":
                numbering_root = _docx_xml(zf, names[target], budget, required=False)
            elif kind == "styles":
                styles_raw = _docx_raw(zf, names[target], budget, required=False)
    ns = doc_root.tag[1:].split("}")[0] if doc_root.tag.startswith("{") else _W_NS[0]
    if ns not in _W_NS:
        raise _Fail("not a valid .docx (the main part is not a Word document)", "damaged")
    body = doc_root.find(f"{{{ns}}}body")
    if body is None:
        return "", []
    reader = _DocxText(ns, _Numbering(ns, numbering_root, styles_raw))
    lines = reader.blocks(body)
    text = "\n".join(lines)
    if "[bookmark: " in text:
        text = _BOOKMARK_ARTEFACT.sub("", text)
    return text, []


def _docx_main_part(zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> str | None:
    rels = names.get("_rels/.rels")
    if rels is not None:
        root = _docx_xml(zf, rels, [DOCX_MAX_PART], required=False)
        if root is not None:
            for rel in root:
                typ = rel.get("Type", "")
                if typ.endswith("/officeDocument") and rel.get("TargetMode") != "External":
                    target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
                    if target in names:
                        return target
    return "word/document.xml" if "word/document.xml" in names else None


def _zip_kind(zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> tuple[str, str]:
    """(reason, code) for a zip archive that is not a Word document."""
    if any(n.startswith("xl/") for n in names):
        return "a spreadsheet (.xlsx), not a report; save the report as .docx", "spreadsheet"
    if any(n.startswith("ppt/") for n in names):
        return "a presentation (.pptx), not a report; save the report as .docx", "presentation"
    if "mimetype" in names and names["mimetype"].file_size < 200:
        try:
            mime = zf.read("mimetype").decode("ascii", "ignore")
        except Exception:
            mime = ""
        if "opendocument.text" in mime:
            return "OpenDocument text (.odt) is not supported; save as .docx", "unsupported"
    if any(n.endswith(".docx") for n in names):
        return "a zip archive (with .docx files inside); unpack it first", "archive"
    return "unsupported file type (a zip archive, not a .docx)", "archive"


def _docx_rels(zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], main: str) -> dict[str, str]:
    folder, base = posixpath.split(main)
    info = names.get(posixpath.join(folder, "_rels", base + ".rels"))
    out: dict[str, str] = {}
    if info is None:
        for kind in ("numbering", "styles"):
            guess = posixpath.join(folder, kind + ".xml")
            if guess in names:
                out[kind] = guess
        return out
    root = _docx_xml(zf, info, [DOCX_MAX_PART], required=False)
    if root is None:
        return out
    for rel in root:
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        if kind in ("numbering", "styles") and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out.setdefault(kind, posixpath.normpath(path))
    return out


def _docx_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], *, required: bool = True) -> Any:
    """Parse one XML part after checking its declared size (the zip-bomb guard)."""
    raw = _docx_raw(zf, info, budget, required=required)
    if raw is None:
        return None
    root = _parse_xml(raw)
    if root is None and required:
        raise _Fail(f"not a valid .docx (damaged {info.filename})", "damaged")
    return root


def _parse_xml(raw: bytes) -> Any:
    """An XML part as an lxml tree (no DTDs, no entities, no network), or None if malformed."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        return None


def _docx_raw(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], *,
              required: bool = True) -> bytes | None:
    """The bytes of one part, after checking its declared size (the zip-bomb guard)."""
    size = info.file_size
    if (size > DOCX_MAX_PART or size > budget[0]
            or (size > 1024 * 1024 and size > DOCX_MAX_RATIO * max(info.compress_size, 1))):
        raise _Fail("docx expands to too much data (zip bomb?)", "zip_bomb")
    budget[0] -= size
    try:
        raw = zf.read(info)
    except RuntimeError as e:  # zipfile: encrypted member
        raise _Fail("encrypted document; save it without a password", "encrypted") from e
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as e:
        if not required:
            return None
        raise _Fail("not a valid .docx (corrupt or truncated zip file)", "truncated") from e
    except Exception as e:  # zlib.error and friends
        if not required:
            return None
        raise _Fail("not a valid .docx (corrupt or truncated zip file)", "truncated") from e
    return raw


# ----------------------------------------------------------------- numbering
_CN = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_CN_LEGAL_TRAD = "零壹貳參肆伍陸柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PAREN = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_FULLSTOP = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"


def _cn_count(n: int, digits: str = _CN, units: str = "十百千万") -> str:
    """Chinese counting as Word shows it: 1 一, 10 十, 11 十一, 20 二十, 105 一百零五."""
    if n <= 0:
        return digits[0]
    if n >= 100000:
        return str(n)
    parts: list[str] = []
    zero = False
    for value, unit in ((10000, units[3]), (1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // value % 10
        if d:
            if zero and parts:
                parts.append("零")
            zero = False
            if not (unit == units[0] and d == 1 and not parts and digits is _CN):
                parts.append(digits[d])
            parts.append(unit)
        elif parts:
            zero = True
    return "".join(parts)


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letter(n: int) -> str:
    if n <= 0:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format_number(n: int, fmt: str, width: int = 0) -> str:
    if fmt in ("decimal", "", "decimalHalfWidth", "ordinal", "cardinalText", "ordinalText"):
        s = str(n)
    elif fmt == "decimalZero":
        s = f"{n:02d}"
    elif fmt in ("decimalFullWidth", "decimalFullWidth2"):
        s = str(n).translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
    elif fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
                 "taiwaneseCountingThousand", "japaneseLegal"):
        s = _cn_count(n)
    elif fmt in ("chineseLegalSimplified",):
        s = _cn_count(n, _CN_LEGAL, "拾佰仟万")
    elif fmt in ("ideographLegalTraditional",):
        s = _cn_count(n, _CN_LEGAL_TRAD, "拾佰仟萬")
    elif fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        s = "".join(_CN[int(c)] for c in str(n))
    elif fmt in ("ideographTraditional",):
        s = _TIANGAN[(n - 1) % 10] if n > 0 else str(n)
    elif fmt in ("ideographZodiac", "ideographZodiacTraditional"):
        s = _DIZHI[(n - 1) % 12] if n > 0 else str(n)
    elif fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        s = _CIRCLED[n - 1] if 0 < n <= 20 else str(n)
    elif fmt == "decimalEnclosedParen":
        s = _PAREN[n - 1] if 0 < n <= 20 else f"({n})"
    elif fmt == "decimalEnclosedFullstop":
        s = _FULLSTOP[n - 1] if 0 < n <= 20 else f"{n}."
    elif fmt == "upperRoman":
        s = _roman(n)
    elif fmt == "lowerRoman":
        s = _roman(n).lower()
    elif fmt == "upperLetter":
        s = _letter(n)
    elif fmt == "lowerLetter":
        s = _letter(n).lower()
    elif fmt == "none":
        s = ""
    else:
        s = str(n)
    if width > len(s) and s.isdigit():
        s = s.zfill(width)
    return s


@dataclass(slots=True)
class _Level:
    fmt: str = "decimal"
    text: str | None = "%1."
    start: int = 0
    restart: int | None = None
    legal: bool = False
    suffix: str = "tab"
    style: str | None = None
    width: int = 0


class _Numbering:
    """Word automatic list numbering: numbering.xml definitions plus the counters
    of one pass over the document (which python-docx does not give)."""

    def __init__(self, ns: str, numbering: Any, styles: bytes | None) -> None:
        self.w = f"{{{ns}}}"
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.style_link: dict[str, str] = {}  # abstractNum -> numbering style it takes its levels from
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[tuple[str, int]] = set()
        self.styles: dict[str, tuple[str | None, str | None, int | None]] = {}  # id -> basedOn, numId, ilvl
        self.default_style: str | None = None
        # styles.xml is parsed only when a paragraph's style could carry numbering
        self._styles_raw = styles if styles and b"numPr" in styles else None
        if numbering is not None:
            self._load_numbering(numbering)

    def _ensure_styles(self) -> None:
        if self._styles_raw is not None:
            root = _parse_xml(self._styles_raw)
            self._styles_raw = None
            if root is not None:
                self._load_styles(root)

    def _val(self, el: Any, child: str) -> str | None:
        if el is None:
            return None
        c = el.find(self.w + child)
        return None if c is None else c.get(self.w + "val")

    def _int(self, s: str | None, default: int | None = None) -> int | None:
        try:
            return int(s) if s is not None else default
        except ValueError:
            return default

    def _level(self, lvl: Any) -> _Level:
        w = self.w
        level = _Level()
        fmt_el = lvl.find(w + "numFmt")
        width = 0
        if fmt_el is None:  # Word 2010+: custom formats inside mc:AlternateContent
            for alt in lvl.iter(f"{{{_MC_NS}}}AlternateContent"):
                choice = alt.find(f"{{{_MC_NS}}}Choice")
                c = choice.find(w + "numFmt") if choice is not None else None
                fmt = c.get(w + "format", "") if c is not None else ""
                m = re.match(r"(0+)1\b", fmt)
                if c is not None and c.get(w + "val") == "custom" and m:
                    fmt_el = c
                    width = len(m.group(1)) + 1
                else:
                    fb = alt.find(f"{{{_MC_NS}}}Fallback")
                    fmt_el = fb.find(w + "numFmt") if fb is not None else None
                break
        if fmt_el is not None:
            level.fmt = "decimal" if width else (fmt_el.get(w + "val") or "decimal")
        level.width = width
        t = lvl.find(w + "lvlText")
        if t is None:
            level.text = None
        elif t.get(w + "null") in ("1", "true", "on"):
            level.text = ""
        else:
            level.text = t.get(w + "val") or ""
        level.start = self._int(self._val(lvl, "start"), 0) or 0
        restart = self._val(lvl, "lvlRestart")
        level.restart = self._int(restart) if restart is not None else None
        legal = lvl.find(w + "isLgl")
        level.legal = legal is not None and legal.get(w + "val") not in ("0", "false", "off")
        level.suffix = self._val(lvl, "suff") or "tab"
        level.style = self._val(lvl, "pStyle")
        return level

    def _load_numbering(self, root: Any) -> None:
        w = self.w
        for an in root.iter(w + "abstractNum"):
            aid = an.get(w + "abstractNumId")
            if aid is None:
                continue
            levels: dict[int, _Level] = {}
            for lvl in an.findall(w + "lvl"):
                ilvl = self._int(lvl.get(w + "ilvl"))
                if ilvl is not None:
                    levels[ilvl] = self._level(lvl)
            self.abstract[aid] = levels
            link = self._val(an, "numStyleLink")
            if link:
                self.style_link[aid] = link
        for num in root.iter(w + "num"):
            nid = num.get(w + "numId")
            aid = self._val(num, "abstractNumId")
            if nid is None or aid is None:
                continue
            starts: dict[int, int] = {}
            levels = {}
            for ov in num.findall(w + "lvlOverride"):
                ilvl = self._int(ov.get(w + "ilvl"))
                if ilvl is None:
                    continue
                start = self._int(self._val(ov, "startOverride"))
                if start is not None:
                    starts[ilvl] = start
                lvl = ov.find(w + "lvl")
                if lvl is not None:
                    levels[ilvl] = self._level(lvl)
            self.nums[nid] = (aid, starts, levels)

    def _load_styles(self, root: Any) -> None:
        w = self.w
        for st in root.iter(w + "style"):
            if st.get(w + "type") not in (None, "paragraph", "numbering"):
                continue
            sid = st.get(w + "styleId")
            if sid is None:
                continue
            ppr = st.find(w + "pPr")
            numpr = ppr.find(w + "numPr") if ppr is not None else None
            num_id = self._val(numpr, "numId")
            ilvl = self._int(self._val(numpr, "ilvl"))
            self.styles[sid] = (self._val(st, "basedOn"), num_id, ilvl)
            if st.get(w + "default") in ("1", "true", "on") and st.get(w + "type") in (None, "paragraph"):
                self.default_style = sid

    def _style_numpr(self, sid: str | None) -> tuple[str | None, int | None]:
        num_id: str | None = None
        ilvl: int | None = None
        seen: set[str] = set()
        self._ensure_styles()
        while sid and sid not in seen and sid in self.styles:
            seen.add(sid)
            based, n, lv = self.styles[sid]
            if num_id is None and n is not None:
                num_id = n
            if ilvl is None and lv is not None:
                ilvl = lv
            sid = based
        return num_id, ilvl

    def _levels(self, aid: str) -> dict[int, _Level]:
        seen: set[str] = set()
        while aid in self.style_link and aid not in seen:
            seen.add(aid)
            num_id, _ = self._style_numpr(self.style_link[aid])
            if num_id is None or num_id not in self.nums:
                break
            aid = self.nums[num_id][0]
        return self.abstract.get(aid, {})

    def marker(self, ppr: Any) -> tuple[str, str] | None:
        """The list marker shown before this paragraph, and its suffix kind; counts it."""
        if not self.nums:
            return None
        w = self.w
        style = self._val(ppr, "pStyle") if ppr is not None else None
        numpr = ppr.find(w + "numPr") if ppr is not None else None
        num_id = self._val(numpr, "numId")
        ilvl = self._int(self._val(numpr, "ilvl"))
        if (num_id is None or ilvl is None) and (style or numpr is not None):
            # (a paragraph with neither takes the default style, which is never a list)
            self._ensure_styles()
            s_num, s_ilvl = self._style_numpr(style or self.default_style)
            if num_id is None:
                num_id = s_num
            if ilvl is None:
                ilvl = s_ilvl
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return None
        aid, starts, overrides = self.nums[num_id]
        levels = self._levels(aid)
        if ilvl is None:  # a style linked to a list level through w:pStyle
            ilvl = next((i for i, lv in levels.items() if style and lv.style == style), 0)
        ilvl = max(0, min(ilvl, 8))
        level = overrides.get(ilvl) or levels.get(ilvl)
        if level is None:
            return None
        counters = self.counters.setdefault(aid, {})
        if ilvl in starts and (num_id, ilvl) not in self.started:
            self.started.add((num_id, ilvl))
            counters[ilvl] = starts[ilvl]
        elif ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = level.start
        for deeper in [k for k in counters if k > ilvl]:
            lv = overrides.get(deeper) or levels.get(deeper)
            restart = lv.restart if lv is not None else None
            if restart is None or (restart != 0 and ilvl < restart):
                del counters[deeper]
        if level.text is None:
            return None
        if level.fmt == "bullet":
            text = level.text
            text = "".join("•" if "\ue000" <= ch <= "\uf8ff" else ch for ch in text)
            return text, level.suffix

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = overrides.get(k) or levels.get(k)
            value = counters.get(k, lv.start if lv is not None else 0)
            if lv is None:
                return str(value)
            fmt = "decimal" if (level.legal and k < ilvl) else lv.fmt
            return _format_number(value, fmt, lv.width)

        return re.sub(r"%([1-9])", sub, level.text), level.suffix


# ----------------------------------------------------------------- body text
class _DocxText:
    """Walks WordprocessingML: paragraphs and tables in order, with list markers."""

    def __init__(self, ns: str, numbering: _Numbering) -> None:
        w = f"{{{ns}}}"
        self.w = w
        self.numbering = numbering
        self.P, self.TBL, self.TR, self.TC = w + "p", w + "tbl", w + "tr", w + "tc"
        self.T, self.TAB, self.BR, self.CR = w + "t", w + "tab", w + "br", w + "cr"
        self.PPR, self.TXBX = w + "pPr", w + "txbxContent"
        self.SKIP = frozenset({w + "pPr", w + "rPr", w + "del", w + "moveFrom", w + "delText",
                               w + "instrText", w + "fldData", w + "rt", w + "sectPr", w + "tblPr",
                               w + "trPr", w + "tcPr", w + "tblGrid", w + "footnoteReference",
                               w + "endnoteReference", w + "commentReference", w + "annotationRef",
                               w + "sdtPr", w + "sdtEndPr", w + "delInstrText"})
        self.ALT = f"{{{_MC_NS}}}AlternateContent"
        self.CHOICE = f"{{{_MC_NS}}}Choice"
        self.FALLBACK = f"{{{_MC_NS}}}Fallback"

    def blocks(self, parent: Any) -> list[str]:
        out: list[str] = []
        for el in parent:
            tag = el.tag
            if tag == self.P:
                out.extend(self.paragraph(el))
            elif tag == self.TBL:
                out.extend(self.table(el))
            elif tag in self.SKIP or not isinstance(tag, str):
                continue
            elif tag == self.ALT:
                out.extend(self.blocks(self._alt_branch(el)))
            else:  # sdt, sdtContent, customXml, ins, moveTo, smartTag … : look inside
                out.extend(self.blocks(el))
        return out

    def _alt_branch(self, alt: Any) -> Any:
        choice = alt.find(self.CHOICE)
        if choice is not None:
            return choice
        fallback = alt.find(self.FALLBACK)
        return fallback if fallback is not None else alt

    def paragraph(self, p: Any) -> list[str]:
        got = self.numbering.marker(p.find(self.PPR))
        parts: list[str] = []
        extra: list[str] = []
        self._inline(p, parts, extra)
        text = "".join(parts)
        if got:
            marker, suffix = got
            if marker:
                sep = "" if (suffix == "nothing" or not marker[-1:].isalnum()) else " "
                text = marker + sep + text
        return [*text.split("\n"), *extra]

    def _inline(self, el: Any, parts: list[str], extra: list[str]) -> None:
        w = self.w
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in self.SKIP:
                continue
            if tag == self.T:
                if child.text:
                    parts.append(child.text)
            elif tag == self.TAB or tag == w + "ptab":
                parts.append("\t")
            elif tag == self.BR or tag == self.CR:
                parts.append("\n")
            elif tag == w + "noBreakHyphen":
                parts.append("-")
            elif tag == w + "sym":
                code = child.get(w + "char", "")
                try:
                    ch = chr(int(code, 16))
                except ValueError:
                    continue
                if not ("\ue000" <= ch <= "\uf8ff"):
                    parts.append(ch)
            elif tag == self.TXBX:
                extra.extend(self.blocks(child))
            elif tag == self.ALT:
                self._inline(self._alt_branch(child), parts, extra)
            elif tag == self.P:  # a paragraph nested where runs are expected
                extra.extend(self.paragraph(child))
            elif tag == self.TBL:
                extra.extend(self.table(child))
            else:  # r, hyperlink, smartTag, fldSimple, ins, moveTo, sdt, drawing, pict …
                self._inline(child, parts, extra)

    def table(self, tbl: Any) -> list[str]:
        out: list[str] = []
        w = self.w
        for tr in tbl.iter(self.TR):
            if tr.getparent() is not tbl and self._owner_table(tr) is not tbl:
                continue
            cells: list[list[str]] = []
            for tc in tr.iter(self.TC):
                if self._owner_row(tc) is not tr:
                    continue
                tcpr = tc.find(w + "tcPr")
                vmerge = tcpr.find(w + "vMerge") if tcpr is not None else None
                if vmerge is not None and vmerge.get(w + "val") in (None, "continue"):
                    continue
                cells.append([ln for ln in self.blocks(tc) if ln.strip()])
            filled = [c for c in cells if c]
            if len(filled) == 1:  # a layout table: keep the cell's paragraphs as lines
                out.extend(filled[0])
            elif filled:
                row = TABLE_CELL_SEP.join(" ".join(c) for c in cells).rstrip(TABLE_CELL_SEP)
                out.append(row)
        return out

    def _owner_table(self, el: Any) -> Any:
        for a in el.iterancestors(self.TBL):
            return a
        return None

    def _owner_row(self, el: Any) -> Any:
        for a in el.iterancestors(self.TR):
            return a
        return None

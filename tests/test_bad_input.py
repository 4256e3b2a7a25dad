"""SPEC §8 — bad input: each gets a clear one-line error naming the file and the reason."""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest

from fazhi.review.read import DEFAULT_MAX_BYTES, ReadError, read_bytes, read_path
from tests.helpers_formats import (
    strip_ws,
    write_docx,
    write_html,
    write_image_pdf,
    write_ole,
    write_pdf,
    write_text,
)

REPORT = ("某区人民政府关于2023年度法治政府建设工作情况的报告\n一、主要举措和成效\n"
          "区政府常务会议集中学法4次，受理行政复议案件9件。\n二、存在的不足和原因\n"
          "法治宣传的针对性有待增强。\n三、下一步工作安排\n持续深化行政执法监督。")


def refused(path: Path, reason: str, **kw) -> ReadError:
    """Read ``path``, expect a ReadError, check it names the file and gives ``reason``."""
    with pytest.raises(ReadError) as info:
        read_path(path, **kw)
    err = info.value
    assert err.path == str(path)
    assert str(err).startswith(f"{path}: ")
    assert reason in err.reason, err.reason
    assert "\n" not in str(err) and "Traceback" not in str(err)
    return err


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    refused(p, "empty file")


def test_blank_file_has_no_text(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_bytes("\ufeff  \r\n\u3000\n".encode())
    refused(p, "no text")


def test_binary_junk_named_txt(tmp_path):
    p = tmp_path / "junk.txt"
    p.write_bytes(random.Random(7).randbytes(5000))
    refused(p, "not a text document")


def test_binary_with_mostly_valid_bytes_named_txt(tmp_path):
    """A binary record format that happens to decode (ASCII fields, control bytes between)."""
    p = tmp_path / "records.txt"
    p.write_bytes(b"".join(b"\x01\x00\x00\x02REC" + bytes([i % 32]) * 3 for i in range(400)))
    refused(p, "not a text document")


def test_truncated_docx(tmp_path):
    whole = write_docx(tmp_path / "whole.docx", REPORT).read_bytes()
    p = tmp_path / "half.docx"
    p.write_bytes(whole[: len(whole) // 2])
    refused(p, "not a valid .docx (corrupt or truncated zip file)")


def test_docx_zip_bomb_is_refused_without_expanding_it(tmp_path, monkeypatch):
    p = tmp_path / "bomb.docx"
    chunk = b"<w:p/>" * (1 << 17)  # 768 KB of the same bytes
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                   "</Relationships>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(150):  # 115 MB once expanded
                f.write(chunk)
    assert p.stat().st_size < 1024 * 1024
    with zipfile.ZipFile(p) as z:
        assert z.getinfo("word/document.xml").file_size > 100 * 1024 * 1024
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *a, **kw):
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, *a, **kw)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    refused(p, "docx expands to too much data (zip bomb?)")
    assert "word/document.xml" not in opened


def test_encrypted_docx(tmp_path):
    """Word saves a password-protected .docx as an OLE file holding EncryptionInfo + EncryptedPackage."""
    p = write_ole(tmp_path / "secret.docx", {"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                                             "EncryptedPackage": os.urandom(3000)})
    refused(p, "encrypted document; save it without a password")


def test_legacy_doc(tmp_path):
    p = write_ole(tmp_path / "old.doc", {"WordDocument": b"\xec\xa5\xc1\x00" + b"\x00" * 600,
                                         "1Table": b"\x00" * 100})
    refused(p, "legacy .doc format is not supported; save as .docx")


def test_legacy_doc_named_docx(tmp_path):
    p = write_ole(tmp_path / "renamed.docx", {"WordDocument": b"\xec\xa5\xc1\x00" + b"\x00" * 600})
    refused(p, "legacy .doc format is not supported")


def test_encrypted_pdf(tmp_path):
    p = write_pdf(tmp_path / "secret.pdf", REPORT, encrypt="pw")
    refused(p, "encrypted PDF (password required)")


def test_scanned_pdf(tmp_path):
    p = write_image_pdf(tmp_path / "scan.pdf")
    refused(p, "no text layer (scanned PDF?); OCR is not supported")


def test_truncated_pdf(tmp_path):
    whole = write_pdf(tmp_path / "whole.pdf", REPORT * 20).read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(whole[: len(whole) * 2 // 3])
    refused(p, "truncated or damaged PDF")


def test_html_scripts_and_styles_never_reach_the_text(tmp_path):
    p = write_html(tmp_path / "page.html", REPORT)
    page = p.read_text(encoding="utf-8").replace(
        "<p style", '<script>document.write("脚本正文注入")</script><style>p{color:red}</style>'
                    '<p onclick="alert(1)" style', 1)
    p.write_text(page, encoding="utf-8")
    doc = read_path(p)
    assert strip_ws(doc.text) == strip_ws(REPORT)
    for leaked in ("脚本", "document.write", "_hmt", "color:red", "alert", "console", "请启用脚本"):
        assert leaked not in doc.text


def test_html_with_only_script(tmp_path):
    p = tmp_path / "empty.html"
    p.write_text("<html><head><script>var a='法治政府建设';</script></head><body></body></html>", "utf-8")
    refused(p, "no text in the document")


def test_oversized_file(tmp_path):
    p = write_text(tmp_path / "big.txt", REPORT * 100, "utf-8")
    err = refused(p, "file too large", max_bytes=10_000)
    assert "> limit 9.8 KB" in err.reason
    with pytest.raises(ReadError, match=r"^upload\.txt: file too large"):
        read_bytes(p.read_bytes(), "upload.txt", max_bytes=10_000)


def test_oversized_file_is_refused_before_reading(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:  # sparse: 25 MB that were never written
        f.truncate(DEFAULT_MAX_BYTES + 5 * 1024 * 1024)
    err = refused(p, "file too large (25 MB > limit 20 MB)")
    assert err.reason == "file too large (25 MB > limit 20 MB)"


def test_wrong_extension_docx_named_txt_is_read_as_docx(tmp_path):
    """Documented choice: the content decides the format, the extension is only a hint."""
    p = tmp_path / "report.txt"
    p.write_bytes(write_docx(tmp_path / "r.docx", REPORT).read_bytes())
    doc = read_path(p)
    assert doc.format == "docx" and doc.text == REPORT


def test_wrong_extension_pdf_named_docx_and_text_named_pdf(tmp_path):
    p = tmp_path / "report.docx"
    p.write_bytes(write_pdf(tmp_path / "r.pdf", REPORT).read_bytes())
    assert read_path(p).format == "pdf"
    q = write_text(tmp_path / "report.pdf", REPORT, "gb18030")
    doc = read_path(q)
    assert (doc.format, doc.text) == ("txt", REPORT)


def test_wrong_extension_with_unrecognised_content(tmp_path):
    p = tmp_path / "data.bin"
    p.write_bytes(random.Random(3).randbytes(3000))
    refused(p, "unsupported file type")
    q = tmp_path / "report.pdf"
    q.write_bytes(random.Random(4).randbytes(3000))
    refused(q, "not a valid PDF")
    r = tmp_path / "report.docx"
    r.write_bytes(random.Random(5).randbytes(3000))
    refused(r, "not a valid .docx")


def test_other_office_and_image_files(tmp_path):
    x = tmp_path / "table.xlsx"
    with zipfile.ZipFile(x, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    refused(x, "a spreadsheet (.xlsx)")
    png = tmp_path / "scan.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    refused(png, "an image (PNG)")
    rtf = tmp_path / "report.doc"
    rtf.write_bytes(rb"{\rtf1\ansi\ansicpg936 report}")
    refused(rtf, "RTF documents are not supported")


def test_directory(tmp_path):
    refused(tmp_path, "is a directory, not a file")


def test_missing_file(tmp_path):
    refused(tmp_path / "nope.docx", "file not found")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_no_permission(tmp_path):
    p = write_text(tmp_path / "locked.txt", REPORT, "utf-8")
    p.chmod(0)
    try:
        refused(p, "permission denied")
    finally:
        p.chmod(0o644)


def test_damaged_files_only_ever_raise_read_error(tmp_path):
    """Cut at many points and with bytes flipped: a result or a ReadError, never another exception."""
    sources = {
        "docx": write_docx(tmp_path / "a.docx", REPORT * 5).read_bytes(),
        "pdf": write_pdf(tmp_path / "a.pdf", REPORT * 5).read_bytes(),
        "html": write_html(tmp_path / "a.html", REPORT, encoding="gbk").read_bytes(),
        "txt": (REPORT * 5).encode("utf-16"),
    }
    rng = random.Random(11)
    for ext, data in sources.items():
        variants = [data[:n] for n in rng.sample(range(1, len(data)), 25)]
        for _ in range(25):
            b = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            variants.append(bytes(b))
        for v in variants:
            try:
                doc = read_bytes(v, f"x.{ext}")
            except ReadError as e:
                assert str(e).startswith(f"x.{ext}: ") and e.reason
            else:
                assert isinstance(doc.text, str)


def test_read_bytes_errors_name_the_upload():
    with pytest.raises(ReadError, match=r"^报告\.docx: empty file$"):
        read_bytes(b"", "报告.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ReadError, match=r"^upload\.docx: unsupported file type"):
        read_bytes(buf.getvalue(), "upload.docx")


def test_web_archive_and_word_xml(tmp_path):
    mht = tmp_path / "page.mht"
    mht.write_bytes(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="x"\r\n\r\n--x\r\n')
    refused(mht, "MHTML web archives are not supported")
    xml = tmp_path / "report.xml"
    xml.write_text('<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
                   '<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"/>', "utf-8")
    refused(xml, "Word 2003 XML documents are not supported")


def test_invalid_file_name(tmp_path):
    with pytest.raises(ReadError, match="invalid file name"):
        read_path(Path(str(tmp_path) + "/a\x00b.txt"))

"""Write a report's text as the file formats fazhi reads (.txt in any encoding,
.docx with or without Word automatic numbering, .pdf, .html), for tests.

Only the tests use this module; it needs python-docx and reportlab (a dev extra).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

CN_DIGITS = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (what Word's chineseCounting shows)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    raise ValueError(n)


def cn_value(s: str) -> int:
    if s.startswith("十"):
        s = "一" + s
    if "十" in s:
        tens, _, ones = s.partition("十")
        return CN_DIGITS.index(tens) * 10 + (CN_DIGITS.index(ones) if ones else 0)
    return CN_DIGITS.index(s)


# --------------------------------------------------------------------- text
def write_text(path: Path, text: str, encoding: str, *, bom: bool = False) -> Path:
    """Write ``text`` in ``encoding`` ("gb18030", "utf-16-le", "utf-16-be", "utf-8"), with a BOM if asked."""
    boms = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
    data = text.encode(encoding)
    if bom:
        data = boms[encoding] + data
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------- html
def write_html(path: Path, text: str, *, encoding: str = "utf-8", declare: bool = True) -> Path:
    """A government-site article page: the report in a CMS container, wrapped in
    header, navigation, sidebar links, footer, scripts and styles."""
    paras = "\n".join(f"<p style=\"text-indent:2em\">{escape(line)}</p>" for line in text.split("\n"))
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">' if declare else ""
    page = f"""<!DOCTYPE html>
<html><head>{meta}
<title>政府信息公开</title>
<style>body {{ font-family: SimSun; }} .nav li {{ float: left; }}</style>
<script>var _hmt = _hmt || []; document.write("统计代码脚本内容");</script>
</head><body>
<div class="header"><img src="logo.png" alt="人民政府门户网站"><span>欢迎访问人民政府门户网站</span></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/bsfw">办事服务</a></li><li><a href="/hdjl">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 法治政府建设</div>
<div class="main">
  <div class="sidebar"><h3>相关链接</h3><ul>
    <li><a href="/a">关于印发年度工作要点的通知</a></li>
    <li><a href="/b">关于开展专项检查的公告</a></li></ul></div>
  <div class="article">
    <div class="info">发布时间：2024-03-28 来源：司法局 浏览次数：<span id="count">0</span></div>
    <div class="TRS_Editor" id="zoom">
{paras}
    </div>
    <div class="share">分享到：<a href="#">微信</a><a href="#">微博</a> 【<a href="javascript:window.print()">打印本页</a>】</div>
  </div>
</div>
<div class="footer"><p>主办单位：人民政府办公室 网站标识码：4108030001</p>
<p>备案号：豫ICP备05000000号 版权所有</p></div>
<script type="text/javascript">var secret = "脚本里的文字不应出现"; console.log(secret);</script>
<noscript>请启用脚本</noscript>
</body></html>
"""
    path.write_bytes(page.encode(encoding))
    return path


# --------------------------------------------------------------------- pdf
def write_pdf(path: Path, text: str, *, font: str = "STSong-Light", ttf: Path | None = None,
              encrypt: str | None = None, size: float = 11) -> Path:
    """Render ``text`` with reportlab on A4 pages, wrapping long paragraphs at the margin.

    ``font`` is a built-in CID font (no font file needed) unless ``ttf`` names a
    TrueType/TTC file to embed.  ``encrypt`` sets a user password.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if ttf is not None:
        font = "TTF-" + ttf.stem
        if font not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(font, str(ttf), subfontIndex=0))
    elif font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    width, height = A4
    margin = 56
    leading = size * 1.6
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    c.setFont(font, size)
    y = height - margin
    for para in text.split("\n"):
        lines = _wrap(para, font, size, width - 2 * margin) if para else [""]
        for line in lines:
            if y < margin:
                c.showPage()
                c.setFont(font, size)
                y = height - margin
            c.drawString(margin, y, line)
            y -= leading
    c.save()
    return path


def _wrap(para: str, font: str, size: float, max_width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out: list[str] = []
    line = ""
    for ch in para:
        if line and stringWidth(line + ch, font, size) > max_width:
            out.append(line)
            line = ch
        else:
            line += ch
    out.append(line)
    return out


def write_image_pdf(path: Path) -> Path:
    """A 'scanned' page: a drawn image and no text at all."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    png = _tiny_png()
    import io

    c.drawImage(ImageReader(io.BytesIO(png)), 50, 400, width=400, height=300)
    c.rect(60, 60, 200, 100, fill=1)
    c.showPage()
    c.save()
    return path


def _tiny_png() -> bytes:
    import struct
    import zlib

    w, h = 32, 32
    raw = b"".join(b"\x00" + b"".join(bytes((x * 8 % 256, y * 8 % 256, 128)) for x in range(w))
                   for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# --------------------------------------------------------------------- docx
def write_docx(path: Path, text: str) -> Path:
    """One Word paragraph per line of ``text``, markers typed as text."""
    import docx

    d = docx.Document()
    for line in text.split("\n"):
        d.add_paragraph(line)
    d.save(str(path))
    return path


# Outline markers Word can generate: (pattern, lvlText, numFmt, value parser).
_MARKERS = [
    (re.compile(r"^([一二三四五六七八九十]+)、"), "%1、", "chineseCounting", cn_value),
    (re.compile(r"^（([一二三四五六七八九十]+)）"), "（%1）", "chineseCounting", cn_value),
    (re.compile(r"^\(([一二三四五六七八九十]+)\)"), "(%1)", "chineseCounting", cn_value),
    (re.compile(r"^(\d{1,2})\.(?!\d)"), "%1.", "decimal", int),
    (re.compile(r"^(\d{1,2})、"), "%1、", "decimal", int),
    (re.compile(r"^（(\d{1,2})）"), "（%1）", "decimal", int),
]


@dataclass
class NumberedDocx:
    path: Path
    numbered: int  # paragraphs whose marker now comes from numbering.xml


def write_docx_numbered(path: Path, text: str) -> NumberedDocx:
    """Like :func:`write_docx`, but every outline marker (一、 （一） (一) 1. 1、 （1）) at
    the start of a line is removed from the paragraph text and produced by Word's
    automatic numbering instead: one abstract list per marker style, counted
    across paragraphs; where the text's numbering does not simply continue, a
    new list instance restarts it with ``w:startOverride`` (as Word does when
    a user chooses "restart numbering at N").
    """
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    d = docx.Document()
    numbering = d.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    counters: dict[int, int] = {}  # abstract id -> last value shown
    current_num: dict[int, int] = {}  # abstract id -> numId in use
    nums: list[tuple[int, int, int | None]] = []  # (numId, abstractId, startOverride)
    count = 0
    paragraphs = []
    for line in text.split("\n"):
        for aid, (rx, _lvl_text, _fmt, parse) in enumerate(_MARKERS):
            m = rx.match(line)
            if not m:
                continue
            value = parse(m.group(1))
            if aid not in current_num or counters[aid] + 1 != value:
                num_id = len(nums) + 1
                nums.append((num_id, aid, value if aid in current_num or value != 1 else None))
                current_num[aid] = num_id
            counters[aid] = value
            paragraphs.append((line[m.end():], current_num[aid]))
            count += 1
            break
        else:
            paragraphs.append((line, None))
    for aid, (_rx, lvl_text, fmt, _parse) in enumerate(_MARKERS):
        numbering.append(parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{aid}">'
            f'<w:multiLevelType w:val="singleLevel"/>'
            f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{lvl_text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr></w:lvl></w:abstractNum>'))
    for num_id, aid, start in nums:
        override = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
                    if start is not None else "")
        numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{aid}"/>{override}</w:num>'))
    for body, num_id in paragraphs:
        p = d.add_paragraph(body)
        if num_id is not None:
            p_pr = p._p.get_or_add_pPr()
            p_pr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/>'
                                  f'<w:numId w:val="{num_id}"/></w:numPr>'))
            assert p_pr.find(qn("w:numPr")) is not None
    d.save(str(path))
    return NumberedDocx(path, count)


def docx_from_xml(path: Path, body: str, *, numbering: str | None = None, styles: str | None = None) -> Path:
    """A minimal .docx whose ``word/document.xml`` body is ``body`` (WordprocessingML
    with the ``w:`` prefix), with optional numbering.xml and styles.xml contents."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/'
             'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
             '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{r}/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')
    doc_rels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    if numbering is not None:
        doc_rels.append(f'<Relationship Id="rId2" Type="{r}/numbering" Target="numbering.xml"/>')
    if styles is not None:
        doc_rels.append(f'<Relationship Id="rId3" Type="{r}/styles" Target="styles.xml"/>')
    doc_rels.append("</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/_rels/document.xml.rels", "".join(doc_rels))
        z.writestr("word/document.xml",
                   f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {w}>'
                   f"<w:body>{body}</w:body></w:document>")
        if numbering is not None:
            z.writestr("word/numbering.xml", f"<w:numbering {w}>{numbering}</w:numbering>")
        if styles is not None:
            z.writestr("word/styles.xml", f"<w:styles {w}>{styles}</w:styles>")
    return path


def strip_ws(s: str) -> str:
    """The content of a text: every whitespace character removed."""
    return re.sub(r"\s+", "", s)


# --------------------------------------------------------------------- OLE (old Office / encrypted Office)
def write_ole(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal, structurally valid OLE compound file (CFB v3, 512-byte sectors)
    holding ``streams`` — what an old ``.doc`` or a password-protected ``.docx`` is."""
    import struct

    sector = 512
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = list(streams)
    # every stream padded to the 4096-byte mini-stream cutoff, so all live in normal sectors
    # (and the file needs no mini stream)
    blobs = [streams[n].ljust(4096, b"\x00") for n in names]
    fat: list[int] = [fat_sect, end]  # sector 0: the FAT itself, sector 1: the directory
    starts: list[int] = []
    for blob in blobs:
        count = -(-len(blob) // sector)
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + count))
        fat.append(end)
    assert len(fat) <= sector // 4, "test helper: streams too large for one FAT sector"
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(sector, b"\xff")

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = (name + "\x00").encode("utf-16-le")
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", free, right, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
                + struct.pack("<IQ", start, size))

    entries = [entry("Root Entry", 5, 1 if names else free, free, end, 0)]
    for i, n in enumerate(names):
        right = i + 2 if i + 1 < len(names) else free
        entries.append(entry(n, 2, free, right, starts[i], len(blobs[i])))
    directory = b"".join(entries).ljust(sector * (-(-len(entries) * 128 // sector)), b"\x00")
    assert len(directory) == sector, "test helper: at most 4 directory entries"
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + b"\xff" * (4 * 108))
    assert len(header) == sector
    path.write_bytes(header + fat_bytes + directory + b"".join(blobs))
    return path

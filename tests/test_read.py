"""Stage 1 — reading: every supported format gives back the report's text."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from fazhi.review.read import SUPPORTED, Document, read_bytes, read_path
from tests.helpers_formats import (
    docx_from_xml,
    strip_ws,
    write_docx,
    write_docx_numbered,
    write_html,
    write_pdf,
    write_text,
)

ARTEFACT = re.compile(r"\[bookmark: [^\]]*\]")


def seed_text(p: Path) -> str:
    return p.read_text(encoding="utf-8")


def content(s: str) -> str:
    return strip_ws(s)


def assert_same_content(got: str, want: str) -> None:
    a, b = content(want), content(got)
    if a != b:
        i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        pytest.fail(f"text differs at {i}: want …{a[max(0, i - 20):i + 30]}… got …{b[max(0, i - 20):i + 30]}…")


# ------------------------------------------------------------------ seeds, every format
TEXT_VARIANTS = {
    "gb18030": ("gb18030", False, "gb18030"),
    "utf-16-le-bom": ("utf-16-le", True, "utf-16-le"),
    "utf-16-be-bom": ("utf-16-be", True, "utf-16-be"),
    "utf-16-le": ("utf-16-le", False, "utf-16-le"),
    "utf-16-be": ("utf-16-be", False, "utf-16-be"),
    "utf-8-bom": ("utf-8", True, "utf-8-sig"),
    "utf-8": ("utf-8", False, "utf-8"),
}


@pytest.mark.parametrize("variant", list(TEXT_VARIANTS))
def test_seed_text_encodings(seed_paths, tmp_path, variant):
    enc, bom, expected_encoding = TEXT_VARIANTS[variant]
    for seed in seed_paths:
        text = seed_text(seed)
        p = write_text(tmp_path / f"{seed.stem}.txt", text, enc, bom=bom)
        doc = read_path(p)
        assert doc.format == "txt"
        assert doc.encoding == expected_encoding
        assert doc.text == text  # text files come back exactly, line for line


def test_seed_docx(seed_paths, tmp_path):
    for seed in seed_paths:
        text = seed_text(seed)
        doc = read_path(write_docx(tmp_path / f"{seed.stem}.docx", text))
        assert doc.format == "docx"
        # the Word artefact typed into the document is dropped; nothing else is
        assert doc.text.split("\n") == ARTEFACT.sub("", text).split("\n")


def test_seed_docx_automatic_numbering_markers_come_back(seed_paths, tmp_path):
    for seed in seed_paths:
        text = seed_text(seed)
        made = write_docx_numbered(tmp_path / f"{seed.stem}.docx", text)
        assert made.numbered >= 3, "the seed should have outline headings to number"
        with zipfile.ZipFile(made.path) as z:
            xml = z.read("word/document.xml").decode("utf-8")
            assert "<w:numPr>" in xml and "word/numbering.xml" in z.namelist()
        # the markers are not in the paragraphs' text any more …
        first_heading = next(ln for ln in text.split("\n") if re.match(r"^[一二三四五六七八九十]+、", ln))
        assert f">{first_heading}<" not in xml
        # … and come back from numbering.xml, exactly where and as they were
        doc = read_path(made.path)
        assert doc.text.split("\n") == ARTEFACT.sub("", text).split("\n")


def test_seed_pdf(seed_paths, tmp_path):
    for seed in seed_paths:
        text = seed_text(seed)
        doc = read_path(write_pdf(tmp_path / f"{seed.stem}.pdf", text))
        assert doc.format == "pdf"
        assert_same_content(doc.text, text)  # lines are re-wrapped at the page margin


def _cjk_ttf() -> Path | None:
    """A CJK font reportlab can embed (TrueType outlines: Noto CJK's CFF outlines it cannot)."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    for pattern in ("wqy*/*.tt[fc]", "noto*/*CJK*.tt[fc]", "*/*Noto*CJK*.tt[fc]", "arphic*/*.tt[fc]",
                    "*/*[Ss]im[Ss]un*.tt[fc]", "*/*[Hh]ei*.tt[fc]"):
        for root in (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype")):
            for found in sorted(root.glob(pattern)) if root.exists() else []:
                try:
                    TTFont("probe", str(found))
                except TTFError:
                    continue
                return found
    return None


def test_seed_pdf_truetype_font(seed_paths, tmp_path):
    """Real PDFs embed a TrueType subset with a ToUnicode map (Word's, WPS's export)."""
    font = _cjk_ttf()
    if font is None:
        pytest.skip("no TrueType CJK font on this machine")
    for seed in seed_paths[:2]:
        text = seed_text(seed)
        doc = read_path(write_pdf(tmp_path / f"{seed.stem}.pdf", text, ttf=font))
        assert_same_content(doc.text, text)


def test_seed_html(seed_paths, tmp_path):
    for seed in seed_paths:
        text = seed_text(seed)
        for enc, declare in (("utf-8", True), ("gbk", True), ("gbk", False)):
            doc = read_path(write_html(tmp_path / f"{seed.stem}-{enc}.html", text, encoding=enc,
                                       declare=declare))
            assert doc.format == "html"
            assert doc.encoding == ("utf-8" if enc == "utf-8" else "gb18030")
            # the article only, paragraph for paragraph (HTML collapses runs of spaces and
            # has no empty paragraphs): no navigation, breadcrumbs, sidebar, footer or script
            want = [re.sub(r"[ \t]+", " ", ln).strip(" ") for ln in text.split("\n")]
            assert doc.text.split("\n") == [ln for ln in want if ln]
            for noise in ("首页", "当前位置", "相关链接", "备案号", "脚本", "分享到", "浏览次数"):
                assert noise not in doc.text


# ------------------------------------------------------------------ text decoding details
@pytest.mark.parametrize("encoding", ["gbk", "utf-16-le", "utf-16-be"])
def test_short_chinese_text_is_not_mojibake(tmp_path, encoding):
    """20 characters of pure Chinese: no ASCII (so no NUL bytes in UTF-16) to lean on."""
    text = "区政府常务会议专题研究法治政府建设工作"
    p = write_text(tmp_path / "short.txt", text, encoding)
    assert b"\x00" not in p.read_bytes()
    assert read_path(p).text == text


def test_gbk_file_with_little_chinese(tmp_path):
    text = "Report 2023\n" + "x" * 3000 + "\n法治\n"
    p = write_text(tmp_path / "mostly-ascii.txt", text, "gbk")
    assert read_path(p).text == text


def test_crlf_and_cr_line_ends_become_newlines(tmp_path):
    p = tmp_path / "dos.txt"
    p.write_bytes("一、总体情况\r\n（一）学法\r二、问题\r\n".encode("gb18030"))
    assert read_path(p).text == "一、总体情况\n（一）学法\n二、问题\n"


def test_utf8_cut_inside_last_character_keeps_the_rest(tmp_path):
    p = tmp_path / "cut.txt"
    p.write_bytes("依法行政，建设法治政府。".encode()[:-1])
    doc = read_path(p)
    assert doc.text == "依法行政，建设法治政府"
    assert doc.encoding == "utf-8" and doc.warnings


def test_one_damaged_byte_is_replaced_not_fatal(tmp_path):
    text = "依法行政，建设法治政府。" * 50
    data = bytearray(text.encode())
    data[30] = 0xFF  # the first byte of 府 (its two other bytes become strays)
    p = tmp_path / "damaged.txt"
    p.write_bytes(bytes(data))
    doc = read_path(p)
    assert doc.encoding == "utf-8"  # not GB18030 mojibake of the UTF-8 bytes
    assert doc.text == text.replace("府", "\ufffd" * 3, 1)
    assert "undecodable" in doc.warnings[0]


def test_markdown_is_kept_as_written(tmp_path):
    text = "# 某区2023年法治政府建设情况报告\n\n## 一、主要举措\n- 集中学法4次\n"
    p = write_text(tmp_path / "r.md", text, "utf-8")
    doc = read_path(p)
    assert (doc.format, doc.text) == ("md", text)


def test_document_records_bytes_hash_and_size(seed_paths, tmp_path):
    p = write_text(tmp_path / "r.txt", seed_text(seed_paths[0]), "gb18030")
    data = p.read_bytes()
    doc = read_path(p)
    assert isinstance(doc, Document)
    assert doc.sha256 == hashlib.sha256(data).hexdigest() and doc.size == len(data)


def test_read_bytes_matches_read_path(seed_paths, tmp_path):
    text = seed_text(seed_paths[1])
    for p in (write_text(tmp_path / "a.txt", text, "utf-16-le", bom=True),
              write_docx(tmp_path / "a.docx", text), write_pdf(tmp_path / "a.pdf", text),
              write_html(tmp_path / "a.html", text, encoding="gbk")):
        assert read_bytes(p.read_bytes(), p.name) == read_path(p)


def test_supported_extensions():
    assert SUPPORTED == (".txt", ".docx", ".pdf", ".html", ".htm", ".md")


# ------------------------------------------------------------------ docx details
def _p(text: str, *, num: tuple[int, int] | None = None, style: str | None = None) -> str:
    ppr = ""
    if num or style:
        inner = f'<w:pStyle w:val="{style}"/>' if style else ""
        if num:
            inner += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        ppr = f"<w:pPr>{inner}</w:pPr>"
    return f"<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def _lvl(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>')


OUTLINE_LIST = ('<w:abstractNum w:abstractNumId="0">'
                + _lvl(0, "chineseCounting", "%1、") + _lvl(1, "chineseCounting", "（%2）")
                + _lvl(2, "decimal", "%3.") + _lvl(3, "decimal", "（%4）")
                + "</w:abstractNum>")


def test_docx_multilevel_numbering_counts_and_restarts(tmp_path):
    body = "".join([
        _p("总体情况", num=(1, 0)), _p("加强领导", num=(1, 1)), _p("科学决策", num=(1, 1)),
        _p("健全机制", num=(1, 2)), _p("落实制度", num=(1, 2)), _p("一是强化组织领导。"),
        _p("存在问题", num=(1, 0)), _p("短板", num=(1, 1)), _p("细项", num=(1, 3)),
        _p("下一步打算", num=(1, 0)),
    ])
    p = docx_from_xml(tmp_path / "n.docx", body,
                      numbering=OUTLINE_LIST + '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')
    assert read_path(p).text.split("\n") == [
        "一、总体情况", "（一）加强领导", "（二）科学决策", "1.健全机制", "2.落实制度", "一是强化组织领导。",
        "二、存在问题", "（一）短板", "（1）细项", "三、下一步打算"]


def test_docx_numbering_from_paragraph_style(tmp_path):
    """Headings numbered through their style (Heading 1 → 一、), as report templates do."""
    styles = ('<w:style w:type="paragraph" w:styleId="H1"><w:name w:val="heading 1"/>'
              '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="H2"><w:name w:val="heading 2"/><w:basedOn w:val="H1"/>'
              '<w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>')
    body = "".join([_p("主要举措", style="H1"), _p("学法", style="H2"), _p("正文。"),
                    _p("不足", style="H1"), _p("未编号", style="H1", num=(0, 0)), _p("原因", style="H2")])
    p = docx_from_xml(tmp_path / "s.docx", body, styles=styles,
                      numbering=OUTLINE_LIST + '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')
    assert read_path(p).text.split("\n") == ["一、主要举措", "（一）学法", "正文。", "二、不足", "未编号", "（一）原因"]


def test_docx_numbering_formats_and_start_override(tmp_path):
    numbering = (
        '<w:abstractNum w:abstractNumId="0">' + _lvl(0, "chineseCounting", "%1、", start=9) + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="1">' + _lvl(0, "ideographTraditional", "%1.") + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="2">' + _lvl(0, "decimalEnclosedCircle", "%1") + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="3">' + _lvl(0, "decimal", "(%1)") + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="4">' + _lvl(0, "chineseLegalSimplified", "第%1条") + "</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>'
        '<w:num w:numId="4"><w:abstractNumId w:val="3"/></w:num>'
        '<w:num w:numId="5"><w:abstractNumId w:val="3"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        '<w:num w:numId="6"><w:abstractNumId w:val="4"/></w:num>')
    body = "".join([_p("a", num=(1, 0)), _p("b", num=(1, 0)), _p("c", num=(1, 0)),  # 九 十 十一
                    _p("d", num=(2, 0)), _p("e", num=(2, 0)),
                    _p("f", num=(3, 0)), _p("g", num=(3, 0)),
                    _p("h", num=(4, 0)), _p("i", num=(4, 0)),
                    _p("j", num=(5, 0)), _p("k", num=(4, 0)),  # restarted list, continued by numId 4
                    _p("l", num=(6, 0))])
    p = docx_from_xml(tmp_path / "f.docx", body, numbering=numbering)
    assert read_path(p).text.split("\n") == [
        "九、a", "十、b", "十一、c", "甲.d", "乙.e", "① f", "② g", "(1)h", "(2)i", "(1)j", "(2)k", "第壹条 l"]


def test_docx_tables_rows_are_lines_in_document_order(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("三、主要数据")
    t = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("指标", "2022年", "2023年"), ("行政复议案件", "7件", "9件"),
                             ("法律援助案件", "60件", "77件")]):
        for c, val in enumerate(row):
            t.cell(r, c).text = val
    d.add_paragraph("四、下一步安排")
    d.save(str(tmp_path / "t.docx"))
    assert read_path(tmp_path / "t.docx").text.split("\n") == [
        "三、主要数据", "指标\t2022年\t2023年", "行政复议案件\t7件\t9件", "法律援助案件\t60件\t77件", "四、下一步安排"]


def test_docx_runs_tracked_changes_breaks_and_artefacts(tmp_path):
    body = ('<w:p><w:r><w:t>依法</w:t></w:r><w:r><w:t>行政</w:t></w:r>'
            '<w:ins><w:r><w:t>，新增</w:t></w:r></w:ins>'
            '<w:del><w:r><w:delText>删除的字</w:delText></w:r></w:del>'
            '<w:hyperlink><w:r><w:t>链接文字</w:t></w:r></w:hyperlink>'
            '<w:r><w:br/><w:t>换行后</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
            '<w:p><w:r><w:t>[bookmark: _GoBack]一是强化组织领导。</w:t></w:r></w:p>'
            '<w:sdt><w:sdtPr/><w:sdtContent>' + _p("内容控件里的段落") + '</w:sdtContent></w:sdt>')
    p = docx_from_xml(tmp_path / "r.docx", body)
    assert read_path(p).text.split("\n") == [
        "依法行政，新增链接文字", "换行后3", "一是强化组织领导。", "内容控件里的段落"]


def test_docx_text_box_text_is_kept(tmp_path):
    body = ('<w:p><w:r><w:t>正文</w:t></w:r><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml">'
            '<v:textbox><w:txbxContent>' + _p("文本框里的标题") + '</w:txbxContent></v:textbox>'
            '</v:shape></w:pict></w:r></w:p>')
    p = docx_from_xml(tmp_path / "b.docx", body)
    assert read_path(p).text.split("\n") == ["正文", "文本框里的标题"]


# ------------------------------------------------------------------ pdf details
def test_pdf_with_owner_password_only_is_read(seed_paths, tmp_path):
    """Many published PDFs forbid copying with an owner password; the empty user password opens them."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    text = seed_text(seed_paths[0])
    p = write_pdf(tmp_path / "locked.pdf", text,
                  encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    assert_same_content(read_path(p).text, text)


def test_pdf_glyphs_placed_one_by_one_still_give_lines(tmp_path):
    """Some converters position every glyph on its own; the text must not become one glyph per line."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines = ["一、总体工作情况", "区政府常务会议专题研究法治政府建设工作2次。", "先后组织开展集中学法4次。",
             "二、存在问题", "法治宣传教育的针对性有待增强。"]
    c = canvas.Canvas(str(tmp_path / "glyphs.pdf"))
    c.setFont("STSong-Light", 12)
    y = 780
    for line in lines:
        x = 60.0
        for ch in line:
            c.drawString(x, y, ch)
            x += pdfmetrics.stringWidth(ch, "STSong-Light", 12) + 0.6
        y -= 20
    c.save()
    got = [ln for ln in read_path(tmp_path / "glyphs.pdf").text.split("\n") if ln.strip()]
    assert [strip_ws(ln) for ln in got] == lines


def test_pdf_without_text_on_some_pages_warns(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(tmp_path / "mixed.pdf"))
    c.setFont("STSong-Light", 12)
    c.drawString(60, 780, "第一页有文字")
    c.showPage()
    c.rect(60, 60, 100, 100, fill=1)
    c.showPage()
    c.save()
    doc = read_path(tmp_path / "mixed.pdf")
    assert strip_ws(doc.text) == "第一页有文字"
    assert any("2" in w and "text layer" in w for w in doc.warnings)


# ------------------------------------------------------------------ html details
def test_html_title_outside_content_block_is_kept(tmp_path):
    body = "".join(f"<p>{'依法行政，建设法治政府。' * 5}第{i}段。</p>" for i in range(8))
    page = ("<html><head><meta charset='utf-8'><title>网站</title></head><body>"
            "<div class='top'><a href='/'>首页</a><a href='/x'>政务公开</a></div>"
            "<div class='detail'><h1>某区人民政府关于2023年度法治政府建设情况的报告</h1>"
            "<div class='meta'>发布日期：2024-03-20</div>"
            f"<div class='TRS_Editor'>{body}<p>某区人民政府<br>2024年3月20日</p></div></div>"
            "<div class='footer'>版权所有：某区人民政府办公室 地址：人民路一号</div></body></html>")
    p = tmp_path / "a.htm"
    p.write_text(page, encoding="utf-8")
    lines = read_path(p).text.split("\n")
    assert lines[0] == "某区人民政府关于2023年度法治政府建设情况的报告"
    assert lines[-2:] == ["某区人民政府", "2024年3月20日"]
    assert len(lines) == 11
    assert "版权所有" not in "\n".join(lines)


def test_html_table_cells_and_entities(tmp_path):
    page = ("<!DOCTYPE html><html><body><div id='zoom'><p>主要数据如下&nbsp;：</p>"
            "<table><tr><td>行政复议案件</td><td>9件</td></tr><tr><td>法律援助</td><td>77件</td></tr></table>"
            "<p>R&amp;D 投入 &lt;1%</p></div></body></html>")
    p = tmp_path / "t.html"
    p.write_text(page, encoding="utf-8")
    assert read_path(p).text.split("\n") == ["主要数据如下\xa0：", "行政复议案件\t9件", "法律援助\t77件", "R&D 投入 <1%"]


# ------------------------------------------------------------------ the whole pipeline
def _essentials(review) -> dict:
    """What a user reads off a review, without offsets (which depend on line wrapping)."""
    j = review.to_json()
    return {
        "title": strip_ws(j["title"] or ""),
        "issuer": {k: (j["issuer"] or {}).get(k) for k in ("name", "level", "province", "city", "county",
                                                           "township")},
        "year": j["year"],
        "date": j["date"],
        "parts": {k: v["status"] for k, v in j["parts"].items()},
        "outline": [(n.level, n.marker, strip_ws(n.title)) for n in review.nodes()],
        "quantities": [(q["value"], q["unit"], q["approx"]) for q in j["quantities"]],
        "facts": [(f["indicator"], f["value"], f["unit"]) for f in j["facts"]],
    }


@pytest.mark.parametrize("fmt", ["gb18030", "docx", "docx-numbered", "pdf", "html"])
def test_review_is_the_same_whatever_the_format(seed_paths, tmp_path, fmt):
    from fazhi.review.pipeline import review_path

    for seed in seed_paths:
        text = seed_text(seed)
        if fmt == "gb18030":
            p = write_text(tmp_path / f"{seed.stem}.txt", text, "gb18030")
        elif fmt == "docx":
            p = write_docx(tmp_path / f"{seed.stem}.docx", text)
        elif fmt == "docx-numbered":
            p = write_docx_numbered(tmp_path / f"{seed.stem}.docx", text).path
        elif fmt == "pdf":
            p = write_pdf(tmp_path / f"{seed.stem}.pdf", text)
        else:
            p = write_html(tmp_path / f"{seed.stem}.html", text, encoding="gbk")
        want, got = _essentials(review_path(seed)), _essentials(review_path(p))
        for key in want:
            assert got[key] == want[key], f"{seed.name} as {fmt}: {key} differs"

"""The 公文 builder: documents read back with python-docx have the GB/T 9704-2012 layout."""

from __future__ import annotations

import datetime as dt

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm

from fazhi.documents.gongwen import GongwenDocument, Span, chinese_date, chinese_numeral
from tests.documents.readback import all_xml, fmt, font, open_docx, pt, size_pt, texts


def _notice() -> GongwenDocument:
    doc = GongwenDocument("关于开展2025年度法治政府建设\n专项督察的通知", subtitle="（征求意见稿）")
    doc.addressee("各县（市、区）人民政府，市政府各部门")
    doc.paragraph("为推动法治政府建设各项任务落地见效，现就开展专项督察有关事项通知如下。")
    doc.heading("督察内容", 1)
    doc.heading("行政执法", 2)
    doc.heading("执法证件管理", 3)
    doc.paragraph("全市持证执法人员1236名，较上年增加58名。", cites=[{"record": "progress:42"}])
    doc.heading("工作要求", 1)
    doc.heading("压实责任", 2, body="各地要明确专人负责。")
    doc.signature("黑龙江省佳木斯市司法局", dt.date(2025, 3, 20))
    return doc


@pytest.fixture(scope="module")
def notice() -> bytes:
    return _notice().to_bytes()


def _paragraph(document, startswith: str):
    return next(p for p in document.paragraphs if p.text.startswith(startswith))


def test_page_is_a4_with_the_gongwen_margins(notice):
    section = open_docx(notice).sections[0]
    assert abs(section.page_width.mm - 210) <= 0.5
    assert abs(section.page_height.mm - 297) <= 0.5
    for side, mm in {"top": 37, "bottom": 35, "left": 28, "right": 26}.items():
        assert abs(getattr(section, f"{side}_margin").mm - mm) <= 0.5, side


def test_title_is_2hao_xiaobiaosong_centred_with_its_line_break(notice):
    document = open_docx(notice)
    title = document.paragraphs[0]
    assert title.text == "关于开展2025年度法治政府建设\n专项督察的通知"
    assert font(title, "eastAsia") == "方正小标宋简体"
    assert font(title, "ascii") == "方正小标宋简体"
    assert size_pt(title) == 22
    assert fmt(title, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.paragraphs[1]
    assert subtitle.text == "（征求意见稿）"
    assert font(subtitle) == "楷体_GB2312"


def test_body_is_3hao_fangsong_with_fixed_spacing_and_two_character_indent(notice):
    body = _paragraph(open_docx(notice), "为推动")
    assert font(body, "eastAsia") == "仿宋_GB2312"
    assert font(body, "ascii") == "仿宋_GB2312"
    assert size_pt(body) == 16
    assert fmt(body, "line_spacing_rule") == WD_LINE_SPACING.EXACTLY
    assert 28 <= pt(fmt(body, "line_spacing")) <= 29
    assert pt(fmt(body, "first_line_indent")) == 32  # two 16 pt characters


def test_headings_are_numbered_and_use_heiti_kaiti_fangsong(notice):
    document = open_docx(notice)
    expected = {"一、督察内容": "黑体", "（一）行政执法": "楷体_GB2312", "1.执法证件管理": "仿宋_GB2312",
                "二、工作要求": "黑体"}
    for text, face in expected.items():
        heading = _paragraph(document, text)
        assert heading.text == text
        assert font(heading) == face
        assert font(heading, "ascii") == face
        assert size_pt(heading) == 16
    # the second 一级 heading starts its 二级 numbering again
    assert _paragraph(document, "（一）压实责任").text == "（一）压实责任各地要明确专人负责。"


def test_run_in_heading_continues_in_the_body_font(notice):
    heading = _paragraph(open_docx(notice), "（一）压实责任")
    assert font(heading, run=heading.runs[0]) == "楷体_GB2312"
    assert font(heading, run=heading.runs[1]) == "仿宋_GB2312"


def test_addressee_is_flush_left_with_a_colon(notice):
    addressee = _paragraph(open_docx(notice), "各县")
    assert addressee.text == "各县（市、区）人民政府，市政府各部门："
    assert not fmt(addressee, "first_line_indent")


def _field_and_dashes(paragraph) -> tuple[str, str, str]:
    """(text before the PAGE field, its instruction, text after it)."""
    before: list[str] = []
    instruction: list[str] = []
    after: list[str] = []
    where = "before"
    for run in paragraph.runs:
        char = run._r.find(qn("w:fldChar"))
        if char is not None:
            where = {"begin": "instr", "separate": "result", "end": "after"}[char.get(qn("w:fldCharType"))]
        instr = run._r.find(qn("w:instrText"))
        if instr is not None:
            instruction.append(instr.text)
        elif where in ("before", "after") and run.text:
            (before if where == "before" else after).append(run.text)
    return "".join(before), "".join(instruction).strip(), "".join(after)


def test_page_numbers_are_a_page_field_between_dashes_at_the_outer_edge(notice):
    document = open_docx(notice)
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for footer in (odd, even):
        before, instruction, after = _field_and_dashes(footer)
        assert instruction == "PAGE"
        assert before.strip() == "—" and after.strip() == "—"
        assert font(footer) == "宋体"
        assert size_pt(footer) == 14
    assert fmt(odd, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT
    assert fmt(even, "alignment") == WD_ALIGN_PARAGRAPH.LEFT


def test_signature_and_date_are_right_aligned_with_the_date_two_characters_in(notice):
    document = open_docx(notice)
    issuer = _paragraph(document, "黑龙江省佳木斯市司法局")
    date = _paragraph(document, "2025年3月20日")
    for paragraph in (issuer, date):
        assert fmt(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT
    # 11 characters of issuer 2 characters from the right: its first character starts 13
    # characters from the right; the date (2025, 3, 20 are 4.5 half-width = 6.5 characters)
    # starts 2 characters further right, at 11: right indent 4.5 characters of 16 pt.
    assert pt(issuer.paragraph_format.right_indent) == 32
    assert pt(date.paragraph_format.right_indent) == 72


def test_a_date_longer_than_the_issuer_keeps_two_characters_and_moves_the_issuer():
    doc = GongwenDocument("关于报送统计数据的函")
    doc.signature("某县司法局", dt.date(2024, 12, 31))
    document = open_docx(doc.to_bytes())
    # "2024年12月31日" is 4 + 2 + 2 half-width digits and 3 characters = 7 characters:
    # 2 characters in, it starts at 9; the 5-character issuer must start at 11, i.e. 6 in.
    assert pt(_paragraph(document, "2024年12月31日").paragraph_format.right_indent) == 32
    assert pt(_paragraph(document, "某县司法局").paragraph_format.right_indent) == 96


def test_cites_are_in_the_outline_and_nowhere_in_the_docx(notice):
    assert "progress:42" not in all_xml(notice)
    outline = _notice().outline()
    cited = next(b for b in outline if b["kind"] == "paragraph" and b["cites"])
    assert cited["text"] == "全市持证执法人员1236名，较上年增加58名。"
    assert cited["cites"] == [{"record": "progress:42"}]
    kinds = [b["kind"] for b in outline]
    assert kinds[:3] == ["title", "addressee", "paragraph"] and kinds[-1] == "signature"
    assert outline[-1]["date"] == "2025-03-20"


def test_sentence_level_cites_stay_with_their_sentence():
    doc = GongwenDocument("甘肃省天水市2024年度法治政府建设情况的报告")
    doc.paragraph([Span("全年办理行政复议案件312件。", ("case-book:2024",)), Span("复议纠错率有所上升。")])
    paragraph = doc.outline()[1]
    assert paragraph["text"] == "全年办理行政复议案件312件。复议纠错率有所上升。"
    assert paragraph["spans"] == [{"text": "全年办理行政复议案件312件。", "cites": ["case-book:2024"]},
                                  {"text": "复议纠错率有所上升。", "cites": []}]
    assert "case-book" not in all_xml(doc.to_bytes())


def test_table_has_borders_a_repeated_header_and_smaller_fonts():
    doc = GongwenDocument("贵州省遵义市各区县核心指标对照表")
    doc.table(["单位", "行政复议案件（件）", "负责人出庭应诉率"],
              [["红花岗区", 85, "96.2%"], ["汇川区", 61, None]], widths=[2, 1, 1])
    table = open_docx(doc.to_bytes()).tables[0]
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    for side in ("top", "bottom", "left", "right", "insideH", "insideV"):
        assert borders.find(qn(f"w:{side}")).get(qn("w:val")) == "single", side
    head, cell = header.cells[0].paragraphs[0], table.rows[1].cells[0].paragraphs[0]
    assert (font(head), size_pt(head)) == ("黑体", 14)
    assert (font(cell), size_pt(cell)) == ("仿宋_GB2312", 14)
    assert [c.text for c in table.rows[2].cells] == ["汇川区", "61", ""]
    widths = [c.width for c in header.cells]
    assert abs(sum(w.mm for w in widths) - 156) < 1  # the text width, 210 - 28 - 26 mm
    assert abs(widths[0] - 2 * widths[1]) <= Mm(0.1)


def test_table_rows_must_match_the_header():
    doc = GongwenDocument("表")
    with pytest.raises(ValueError, match="列数"):
        doc.table(["单位", "件数"], [["西宁市城东区"]])


def test_attachments_note_and_colophon():
    doc = GongwenDocument("关于印发《法治督察工作办法》的通知")
    doc.paragraph("现将《法治督察工作办法》印发给你们，请认真贯彻执行。")
    doc.attachments(["法治督察工作办法。", "督察问题整改台账"])
    doc.signature("青海省西宁市人民政府办公室", dt.date(2025, 1, 8))
    doc.note("此件公开发布")
    doc.colophon(copies_to=["市委办公室", "市人大常委会办公室"], printed_by="西宁市人民政府办公室",
                 printed_on=dt.date(2025, 1, 9))
    document = open_docx(doc.to_bytes())
    body = texts(document)
    assert "附件：1.法治督察工作办法\n2.督察问题整改台账" in body
    assert "（此件公开发布）" in body
    colophon = [row.cells[0].text for row in document.tables[0].rows]
    assert colophon == ["抄送：市委办公室，市人大常委会办公室。", "西宁市人民政府办公室\t2025年1月9日印发"]


def test_control_characters_are_dropped_not_fatal():
    doc = GongwenDocument("关于\x0b拉萨市城关区报告的审查\x00意见")
    doc.paragraph("执法检查\x07236次\x1b。")
    document = open_docx(doc.to_bytes())
    assert document.paragraphs[0].text == "关于拉萨市城关区报告的审查意见"
    assert document.paragraphs[1].text == "执法检查236次。"


def test_save_writes_the_same_document(tmp_path):
    path = tmp_path / "通知.docx"
    _notice().save(path)
    assert open_docx(path.read_bytes()).paragraphs[0].text.startswith("关于开展2025年度")


@pytest.mark.parametrize(("n", "numeral"), [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (99, "九十九")])
def test_chinese_numerals_of_headings(n, numeral):
    assert chinese_numeral(n) == numeral


def test_heading_levels_are_one_to_four():
    with pytest.raises(ValueError, match="层级"):
        GongwenDocument("题").heading("（1）以下", 5)


def test_dates_are_written_with_arabic_numerals_and_no_leading_zeros():
    assert chinese_date(dt.date(2025, 3, 5)) == "2025年3月5日"

"""Normalisation: what real files contain comes out clean, and every offset maps back."""

from __future__ import annotations

from fazhi.review.normalise import _TRANS, normalise
from fazhi.review.pipeline import review_text


def _same_char(orig: str, norm: str) -> bool:
    mapped = orig.translate(_TRANS)
    pairs = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", '"': "“”", "?": "？", "!": "！"}
    return mapped == norm or norm in pairs.get(mapped, "")


def test_every_offset_of_every_seed_maps_back_to_the_same_character(seed_paths):
    for path in seed_paths:
        raw = path.read_text(encoding="utf-8")
        text, offsets = normalise(raw)
        for i, ch in enumerate(text):
            if ch == "\n":
                continue
            o = offsets.to_original(i)
            assert _same_char(raw[o], ch), (path.name, i, ch, raw[o - 5:o + 5])


def test_seed_paragraphs_are_single_clean_lines(seed_paths):
    for path in seed_paths:
        text, _ = normalise(path.read_text(encoding="utf-8"))
        for line in text.split("\n"):
            assert line and line == line.strip(), (path.name, line[:30])
        assert "[bookmark" not in text


def test_spaces_inside_chinese_words_and_before_units_are_removed():
    text, _ = normalise("依法护 航营商引资，先后处置违章建筑 20 余处，2023 年完成。")
    assert text == "依法护航营商引资，先后处置违章建筑20余处，2023年完成。"


def test_spaces_between_latin_words_are_kept():
    assert normalise("使用 LED 屏和 WeChat Official Account 开展宣传。")[0] == \
        "使用LED屏和WeChat Official Account开展宣传。"


def test_full_width_digits_and_percent_become_ascii_but_chinese_punctuation_stays():
    text, _ = normalise("办结率达到９８．５％，共计１２件。")
    assert text == "办结率达到98.5%，共计12件。"


def test_half_width_punctuation_in_chinese_becomes_full_width_but_number_commas_stay():
    text, _ = normalise('在区委领导下,坚持"第一责任人"职责(试行);共1,234件。')
    assert text == "在区委领导下，坚持“第一责任人”职责（试行）；共1,234件。"


def test_word_bookmark_artefact_is_dropped_with_offsets_kept():
    raw = "（一）加强领导\n[bookmark: _GoBack]一是强化组织领导。"
    text, offsets = normalise(raw)
    assert text == "（一）加强领导\n一是强化组织领导。"
    i = text.index("一是")
    assert raw[offsets.to_original(i):offsets.to_original(i) + 2] == "一是"


def test_sentence_broken_by_page_break_and_blank_lines_is_joined():
    raw = ("二是严格依法决策。严格按照规范性文件制定流程落实主体责任，在制定涉及经济发展的措施中，切实\n\n\n"
           "履行规范性文件制定程序，加强监督管理。\n三是监督权力运行。")
    text, offsets = normalise(raw)
    assert "切实履行规范性文件制定程序" in text
    assert text.count("\n") == 1
    i = text.index("履行规范性")
    assert raw[offsets.to_original(i)] == "履"


def test_pdf_style_wrapped_lines_are_joined_into_one_paragraph():
    raw = ("全面落实行政执法三项制度，严格规范公正文明执法，全年共开展执\n"
           "法检查120次，办理行政处罚案件45件，切实维护了群众合法权益。\n"
           "二、存在的问题\n")
    text, _ = normalise(raw)
    assert text.split("\n") == ["全面落实行政执法三项制度，严格规范公正文明执法，全年共开展执法检查120次，"
                                "办理行政处罚案件45件，切实维护了群众合法权益。", "二、存在的问题"]


def test_title_split_over_two_lines_is_one_line_and_heading_is_not_joined_to_body():
    raw = "某某县人民政府\n关于2022年度法治政府建设情况的报告\n\n一、主要举措和成效\n全年召开常务会议学法6次。"
    lines = normalise(raw)[0].split("\n")
    assert lines[0] == "某某县人民政府关于2022年度法治政府建设情况的报告"
    assert lines[1] == "一、主要举措和成效"


def test_signature_and_date_lines_stay_separate():
    raw = "扎实推进法治政府建设各项任务。\n某某市某某区人民政府\n2024年3月1日"
    assert normalise(raw)[0].split("\n") == ["扎实推进法治政府建设各项任务。", "某某市某某区人民政府", "2024年3月1日"]


def test_windows_line_ends_are_handled():
    text, offsets = normalise("一、总体情况\r\n全年学法4次。\r\n")
    assert text == "一、总体情况\n全年学法4次。"
    assert offsets.to_original(text.index("全")) == 8


def test_table_cells_stay_separated_by_tabs():
    text, _ = normalise("指标\t数值\n行政复议案件\t12件\n")
    assert text.split("\n") == ["指标\t数值", "行政复议案件\t12件"]


def test_unit_name_line_before_a_title_line_is_joined_into_the_title():
    raw = "某市某区司法局\n2022年度法治政府建设情况报告\n\n区委依法治区办：\n现将情况报告如下。"
    assert normalise(raw)[0].split("\n")[0] == "某市某区司法局2022年度法治政府建设情况报告"


def test_a_title_in_traditional_characters_is_not_joined_to_the_body():
    text = "大連市甘井子區人民政府關於2021年度法治政府建設情況的報告\n2021年，甘井子區在大連市委、市政府的堅強領導下，紮實推進法治政府建設。"
    out, _ = normalise(text)
    assert out.split("\n")[0] == "大連市甘井子區人民政府關於2021年度法治政府建設情況的報告"


def test_a_web_pages_source_and_time_line_stays_a_line_of_its_own():
    """Pasted from a web page: the source-and-time line above the article is not the start of its first
    paragraph, so the body's own naming of the issuer and the year is read from the paragraph as written."""
    text = ("来源：临夏回族自治州永靖县司法局 发布时间：2023-02-14 10:20:11\n"
            "2022年，永靖县坚持以习近平法治思想为指导，全面推进法治政府建设，现将有关情况报告如下\n"
            "一、主要举措和成效\n")
    out, _ = normalise(text)
    assert out.split("\n")[:2] == ["来源：临夏回族自治州永靖县司法局发布时间：2023-02-14 10:20:11",
                                   "2022年，永靖县坚持以习近平法治思想为指导，全面推进法治政府建设，现将有关情况报告如下"]
    rv = review_text(text)
    assert (rv.issuer.county, rv.year) == ("永靖县", 2022)


def test_a_date_and_time_line_is_not_joined_to_the_paragraph_after_it():
    out, _ = normalise("2024-03-05 09:12 浏览次数：318\n本镇全年办理行政复议案件3件，化解矛盾纠纷41件，调解成功率达96%\n")
    assert out.split("\n")[0] == "2024-03-05 09:12浏览次数：318"

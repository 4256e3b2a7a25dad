"""Stage 6 — quantities: the seeds against gold, and hand-written hard cases."""

from __future__ import annotations

import pytest

from fazhi.review.quantities import chinese_number, scan


def _same(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def _matched(gold: list[tuple], pred: list[tuple]) -> int:
    """Greedy one-to-one matching of (unit, value[, approx]) tuples, as the scorer does."""
    pool = list(pred)
    tp = 0
    for g in gold:
        for i, p in enumerate(pool):
            if p[0] == g[0] and _same(p[1], g[1]) and p[2:] == g[2:]:
                tp += 1
                del pool[i]
                break
    return tp


def _f1(tp: int, n_gold: int, n_pred: int) -> float:
    p = tp / max(1, n_pred)
    r = tp / max(1, n_gold)
    return 2 * p * r / max(1e-9, p + r)


def test_seed_quantities_f1(seed_reviews, gold):
    tp = n_gold = n_pred = 0
    for stem, g in gold.items():
        if "quantities" not in g:
            continue
        gq = [((u or "").strip(), v) for v, u, _ in g["quantities"]]
        pq = [((q.unit or "").strip(), q.value) for q in seed_reviews[stem].quantities]
        tp += _matched(gq, pq)
        n_gold += len(gq)
        n_pred += len(pq)
    assert n_gold > 0
    assert _f1(tp, n_gold, n_pred) >= 0.95


def test_seed_quantities_approx_flags(seed_reviews, gold):
    """Matching on (unit, value, approx) must be as good as on (unit, value)."""
    tp = n_gold = n_pred = 0
    for stem, g in gold.items():
        gq = [((u or "").strip(), v, bool(a)) for v, u, a in g.get("quantities", [])]
        pq = [((q.unit or "").strip(), q.value, q.approx) for q in seed_reviews[stem].quantities]
        tp += _matched(gq, pq)
        n_gold += len(gq)
        n_pred += len(pq)
    assert _f1(tp, n_gold, n_pred) >= 0.95


def test_seed_quantities_on_raw_text(seed_paths, gold):
    """The extractor does not depend on normalisation (spaces, half-width punctuation)."""
    tp = n_gold = n_pred = 0
    for path in seed_paths:
        g = gold.get(path.stem)
        if not g or "quantities" not in g:
            continue
        gq = [((u or "").strip(), v) for v, u, _ in g["quantities"]]
        pq = [((q.unit or "").strip(), q.value) for q in scan(path.read_text(encoding="utf-8"))]
        tp += _matched(gq, pq)
        n_gold += len(gq)
        n_pred += len(pq)
    assert _f1(tp, n_gold, n_pred) >= 0.95


def test_spans_index_the_text(seed_reviews):
    for review in seed_reviews.values():
        for q in review.quantities:
            assert review.text[q.start:q.end] == q.text
            assert q.unit is None or q.unit in q.text or q.unit == "%" or q.qualifier


# --------------------------------------------------------------- hand-written --

def _q(text: str) -> list[tuple]:
    return [(q.value, q.unit, q.approx) for q in scan(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # Chinese numerals
    ("组织学法十二次", [(12, "次", False)]),
    ("参加人员两千余人", [(2000, "人", True)]),
    ("开展活动三百余场", [(300, "场", True)]),
    ("全年办理一百二十三件", [(123, "件", False)]),
    ("覆盖一万二千人", [(12000, "人", False)]),
    ("成立工作专班，两名科级领导任副组长", [(2, "名", False)]),
    ("百余人参加，办理千余件", [(100, "人", True), (1000, "件", True)]),
    ("近千人次", [(1000, "人次", True)]),
    # 万/亿 multiplied out, full-width digits, decimals, grouping commas
    ("发放资料4万余份", [(40000, "份", True)]),
    ("减免98.4万元", [(984000, "元", False)]),
    ("放贷6205.4万元", [(62054000, "元", False)]),
    ("市场主体总量达1.78万户", [(17800, "户", False)]),
    ("投入资金1.2亿元", [(120000000, "元", False)]),
    ("共计50余万元", [(500000, "元", True)]),
    ("发放资料４万余份，投入９８．４万元", [(40000, "份", True), (984000, "元", False)]),
    ("有效评价234,837条", [(234837, "条", False)]),
    # percentages and other units as written
    ("好评率99.99%", [(99.99, "%", False)]),
    ("满意率百分之九十以上", [(90, "%", True)]),
    ("覆盖率达到百分之百", [(100, "%", False)]),
    ("提高5个百分点，增长1.5倍", [(5, "个百分点", False), (1.5, "倍", False)]),
    ("实现0.5个工作日内办结", [(0.5, "个工作日", False)]),
    ("走访活动6798户次，服务196小时", [(6798, "户次", False), (196, "小时", False)]),
    ("应急演练3100余场次", [(3100, "场次", True)]),
    # approximation words
    ("近600余人次", [(600, "人次", True)]),
    ("超过3000人", [(3000, "人", True)]),
    ("约3万元", [(30000, "元", True)]),
    ("逾百人", [(100, "人", True)]),
    ("缴费比率达到90%以上", [(90, "%", True)]),
    ("参会1000人左右", [(1000, "人", True)]),
    ("发放宣传资料 700 多份", [(700, "份", True)]),
    ("覆盖率达100%", [(100, "%", False)]),
    ("每季度至少2次", [(2, "次", True)]),
    # the bare numeral 一 after its noun, closing a clause
    ("乡级成立应急分队一个，由30名基层民兵组成", [(1, "个", False), (30, "名", False)]),
    # a homophone typo of a measure word after 余
    ("乡村两级共调解160余其矛盾", [(160, "起", True)]),
    # a dash after text is punctuation, not a range
    ("成效显著——120件案件全部办结", [(120, "件", False)]),
])
def test_quantities(text, expected):
    assert _q(text) == expected


@pytest.mark.parametrize("text", [
    # dates, years, time spans
    "2023年，7月和11月份，2024年2月19日，2023全年，2023年度",
    "《法治政府建设实施方案（2021—2025年）》，2021-2025年",
    # document numbers, outline markers
    "（中区法政办〔2023〕9号），解政〔2023〕4号，京政发[2023]12号",
    "1.完善制度建设。（1）加强领导；一是强化组织；（一）总体情况",
    # ordinals and ranks
    "跃居城区第1位，排名前3名，第二届，三等奖，第三方",
    # names, slogans, codes
    "12345政务服务便民热线，“12348”公共法律援助热线，拨打12345",
    "落实行政执法三项制度，“四张清单”，“三重一大”，“一岗双责”，两个维护",
    "“八五”普法，“十四五”规划，十四五时期，“三零”创建，党的二十大",
    "“2+3+N”矛盾纠纷多元化解模式，“1+4”应急体系，“5+X”服务，7×24小时服务",
    # ranges
    "3-5个工作日，3～5个工作日，3—5个",
    "“24小时自助服务”，“全岗通”3.0升级版，315消费者权益日，“12.4”国家宪法日",
    "一胎、二胎、三胎，一站式服务，一窗受理，区乡两级，四级联动，“一次办”",
    "成立75周年，60岁以上老人，G20峰会",
    # vague numbers
    "受教育群众达数万余人，几十次，上千人",
    # 一 that is not a count
    "每月一个法律知识主题，每季度至少听取一次汇报，谋划建设一批阵地，建立一套机制，一次性告知",
    # a figure followed by a word, not a measure word
    "联合12单位，3处罚款",
    # a homophone typo only after 余, and not in real words
    "160余其他纠纷，其中3其",
])
def test_not_quantities(text):
    assert _q(text) == []


def test_quoted_long_text_is_not_a_name():
    # a long quotation is a sentence, not a name: its figures count
    text = "报告指出“全年共办理各类案件120件，同比增长15%，群众满意度明显提升，各项工作稳步推进”。"
    assert _q(text) == [(120, "件", False), (15, "%", False)]


def test_qualifier_and_span():
    text = "解答法律咨询近600余人次。"
    (q,) = scan(text)
    assert (q.text, q.qualifier, q.approx) == ("近600余人次", "近…余", True)
    assert text[q.start:q.end] == q.text


@pytest.mark.parametrize(("s", "n"), [
    ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("两千", 2000),
    ("三万五千", 35000), ("一亿", 100_000_000), ("一亿二千万", 120_000_000), ("十万", 100_000),
    ("两千万", 20_000_000), ("万", 10_000), ("二三十", None), ("", None),
])
def test_chinese_number(s, n):
    assert chinese_number(s) == n


def test_place_names_that_start_with_a_numeral_and_measure_word_are_not_counts():
    from fazhi.review.quantities import scan

    text = "三台县、七台河市和三门峡市的同志来访，全县新建三个村级调解室、五台执法记录仪。"
    got = [(q.value, q.unit) for q in scan(text)]
    assert got == [(3, "个"), (5, "台")]


# -- tables (adversarial findings) ----------------------------------------------

def _unit_values(text: str) -> list[tuple]:
    return [(q.unit, q.value) for q in scan(text)]


def test_table_cells_take_the_unit_of_their_row_label():
    text = ("主要指标如下：\n指标\t2019年\t2018年\n劳动保障监察立案（件）\t146\t173\n"
            "追发工资待遇（万元）\t2365.4\t1980.2\n仲裁调解率（%）\t68.4\t61.2\n")
    assert _unit_values(text) == [("件", 146), ("件", 173), ("元", 23654000), ("元", 19802000), ("%", 68.4), ("%", 61.2)]


def test_table_cells_take_the_unit_of_their_unit_column_or_column_header():
    text = "项目\t单位\t数量\n行政执法人员\t名\t64\n发放宣传资料\t份\t5600\n"
    assert _unit_values(text) == [("名", 64), ("份", 5600)]
    text = "序号\t类别\t数量（件）\n1\t行政复议\t12\n2\t行政诉讼\t7\n"
    assert _unit_values(text) == [("件", 12), ("件", 7)]  # 序号 1, 2 have no unit


def test_table_cells_with_their_own_unit_are_read_once():
    assert _unit_values("项目\t数量\n行政复议\t12件\n") == [("件", 12)]


@pytest.mark.parametrize("text", [
    "开设8小时以外法律服务窗口。", "建成15分钟公共法律服务圈。", "压实两个责任。",
])
def test_names_with_durations_and_counts_are_not_quantities(text):
    assert scan(text) == []


def test_a_report_in_traditional_characters_has_its_quantities():
    got = _unit_values("開展普法宣傳活動420場次，發放宣傳資料6.5萬份，減免稅費3.6億元。" * 3)
    assert got[:3] == [("场次", 420), ("份", 65000), ("元", 360000000)]

"""Synthetic corpus of annual rule-of-law government reports, for benchmarks.

:func:`generate` yields ``(name, text)`` for *n* varied, realistic-looking
reports, deterministically from a seed: random real issuers (a small built-in
table of real provinces, cities, counties, towns and street offices), years
2015–2024, the structures real reports use (five parts, regulation order,
第一责任人 first, three parts, thematic headings with a closing paragraph),
figures in Arabic and Chinese numerals with approx words and 万/亿, shortcomings
with or without causes, a plan that does or does not answer them, an optional
signing date, and a controlled fraction of near-duplicates (passages copied
from an earlier report of the corpus, with small edits).

Every sentence template here was written for fazhi; none is taken from a real
report (``tests/test_corpus_gen.py`` checks that no 20-character run of the
real seed reports appears in generated text).

What was generated is reported on request: ``truth`` collects the
near-duplicate pairs ``(source, copy)``; ``meta`` maps each name to what the
generator put in (issuer, level, year, date, structure, part statuses, facts
of the core indicators, designed findings).
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------
# Places: province|city|county|townships (space separated; 镇/乡/街道).  An
# empty city marks a district of a municipality.  Real names only.
_PLACES = """
北京市||海淀区|学院路街道 中关村街道 清河街道 上地街道 海淀街道
北京市||朝阳区|三里屯街道 望京街道 建外街道 呼家楼街道
北京市||东城区|东华门街道 景山街道 交道口街道 和平里街道
北京市||西城区|什刹海街道 金融街街道 德胜街道 月坛街道
北京市||丰台区|
北京市||通州区|
上海市||浦东新区|陆家嘴街道 花木街道 张江镇 川沙新镇 高桥镇
上海市||徐汇区|徐家汇街道 田林街道 漕河泾街道 龙华街道
上海市||闵行区|莘庄镇 七宝镇 梅陇镇 颛桥镇
上海市||嘉定区|
天津市||和平区|
天津市||河西区|
天津市||滨海新区|
天津市||蓟州区|
重庆市||渝中区|解放碑街道 朝天门街道 七星岗街道
重庆市||江北区|观音桥街道
重庆市||万州区|
重庆市||涪陵区|
重庆市||巫山县|
重庆市||奉节县|
广东省|广州市|越秀区|北京街道 人民街道 东山街道
广东省|广州市|天河区|石牌街道 猎德街道
广东省|广州市|番禺区|市桥街道 大石街道 南村镇
广东省|广州市|花都区|新华街道 狮岭镇
广东省|佛山市|顺德区|大良街道 容桂街道 伦教街道 北滘镇 陈村镇 乐从镇 龙江镇
广东省|佛山市|南海区|桂城街道 狮山镇 大沥镇 西樵镇
广东省|佛山市|禅城区|祖庙街道
广东省|深圳市|南山区|粤海街道 蛇口街道 招商街道
广东省|深圳市|福田区|华富街道 香蜜湖街道
广东省|深圳市|宝安区|西乡街道 新安街道
广东省|江门市|台山市|
广东省|江门市|开平市|
广东省|韶关市|乐昌市|
广东省|韶关市|仁化县|
江苏省|南京市|玄武区|新街口街道 玄武门街道
江苏省|南京市|鼓楼区|湖南路街道 宁海路街道
江苏省|南京市|江宁区|东山街道 秣陵街道 淳化街道
江苏省|南京市|溧水区|
江苏省|苏州市|姑苏区|平江街道 沧浪街道
江苏省|苏州市|吴中区|木渎镇 甪直镇
江苏省|苏州市|吴江区|震泽镇 同里镇
江苏省|苏州市|昆山市|周庄镇 千灯镇 陆家镇
江苏省|苏州市|张家港市|杨舍镇 凤凰镇
江苏省|无锡市|江阴市|澄江街道 华士镇 新桥镇
江苏省|无锡市|宜兴市|丁蜀镇
江苏省|常州市|武进区|
江苏省|常州市|溧阳市|
江苏省|徐州市|鼓楼区|
江苏省|徐州市|沛县|
江苏省|徐州市|邳州市|
浙江省|杭州市|西湖区|北山街道 西溪街道 灵隐街道 转塘街道
浙江省|杭州市|上城区|湖滨街道 清波街道
浙江省|杭州市|萧山区|城厢街道 瓜沥镇
浙江省|杭州市|淳安县|千岛湖镇
浙江省|杭州市|桐庐县|
浙江省|宁波市|鄞州区|
浙江省|宁波市|北仑区|
浙江省|宁波市|象山县|石浦镇
浙江省|宁波市|余姚市|
浙江省|温州市|乐清市|柳市镇
浙江省|温州市|瑞安市|
浙江省|温州市|永嘉县|
浙江省|嘉兴市|桐乡市|乌镇镇
浙江省|嘉兴市|嘉善县|西塘镇
浙江省|湖州市|安吉县|天荒坪镇
浙江省|湖州市|德清县|莫干山镇
浙江省|金华市|东阳市|横店镇
浙江省|金华市|义乌市|
浙江省|绍兴市|诸暨市|
四川省|成都市|武侯区|
四川省|成都市|郫都区|
四川省|成都市|都江堰市|灌口街道 青城山镇
四川省|成都市|大邑县|安仁镇
四川省|成都市|蒲江县|
四川省|绵阳市|三台县|
四川省|绵阳市|江油市|
四川省|绵阳市|北川羌族自治县|
四川省|乐山市|峨眉山市|
四川省|乐山市|夹江县|
四川省|宜宾市|翠屏区|
四川省|南充市|阆中市|
四川省|南充市|仪陇县|
湖北省|武汉市|江岸区|
湖北省|武汉市|武昌区|
湖北省|武汉市|洪山区|
湖北省|武汉市|黄陂区|
湖北省|宜昌市|夷陵区|小溪塔街道
湖北省|宜昌市|秭归县|茅坪镇
湖北省|宜昌市|宜都市|
湖北省|宜昌市|当阳市|
湖北省|襄阳市|樊城区|
湖北省|襄阳市|枣阳市|
湖北省|襄阳市|谷城县|
湖北省|荆州市|松滋市|
湖北省|荆州市|公安县|
湖南省|长沙市|岳麓区|
湖南省|长沙市|长沙县|星沙街道
湖南省|长沙市|浏阳市|大瑶镇
湖南省|长沙市|宁乡市|
湖南省|株洲市|醴陵市|
湖南省|株洲市|攸县|
湖南省|湘潭市|韶山市|
山东省|济南市|历下区|
山东省|济南市|章丘区|
山东省|济南市|平阴县|
山东省|青岛市|崂山区|沙子口街道 王哥庄街道
山东省|青岛市|黄岛区|
山东省|青岛市|胶州市|
山东省|潍坊市|寿光市|
山东省|潍坊市|青州市|
山东省|潍坊市|临朐县|
山东省|临沂市|兰山区|
山东省|临沂市|沂水县|
山东省|临沂市|费县|
河南省|郑州市|金水区|
河南省|郑州市|中牟县|
河南省|郑州市|登封市|
河南省|洛阳市|涧西区|
河南省|洛阳市|栾川县|
河南省|洛阳市|嵩县|
河南省|开封市|鼓楼区|
河南省|开封市|兰考县|
河南省|南阳市|卧龙区|
河南省|南阳市|西峡县|
河南省|南阳市|邓州市|
河北省|石家庄市|长安区|
河北省|石家庄市|正定县|
河北省|石家庄市|赵县|
河北省|保定市|竞秀区|
河北省|保定市|涿州市|
河北省|保定市|高碑店市|白沟镇
河北省|保定市|易县|
福建省|福州市|鼓楼区|鼓东街道 温泉街道
福建省|福州市|仓山区|
福建省|福州市|长乐区|
福建省|福州市|福清市|
福建省|福州市|闽侯县|
福建省|厦门市|思明区|鼓浪屿街道
福建省|厦门市|集美区|
福建省|泉州市|晋江市|陈埭镇 安海镇
福建省|泉州市|安溪县|
福建省|泉州市|德化县|
安徽省|合肥市|蜀山区|
安徽省|合肥市|肥西县|
安徽省|合肥市|巢湖市|
安徽省|芜湖市|鸠江区|
安徽省|芜湖市|南陵县|
江西省|南昌市|东湖区|
江西省|南昌市|南昌县|
江西省|南昌市|进贤县|
江西省|赣州市|章贡区|
江西省|赣州市|瑞金市|
江西省|赣州市|于都县|
江西省|赣州市|兴国县|
陕西省|西安市|雁塔区|
陕西省|西安市|临潼区|
陕西省|西安市|蓝田县|
陕西省|宝鸡市|陈仓区|
陕西省|宝鸡市|岐山县|
陕西省|宝鸡市|眉县|
山西省|太原市|小店区|
山西省|太原市|清徐县|
山西省|太原市|古交市|
辽宁省|沈阳市|沈河区|
辽宁省|沈阳市|浑南区|
辽宁省|沈阳市|新民市|
辽宁省|大连市|甘井子区|
辽宁省|大连市|瓦房店市|
辽宁省|大连市|长海县|
吉林省|长春市|南关区|
吉林省|长春市|农安县|
吉林省|长春市|榆树市|
黑龙江省|哈尔滨市|南岗区|
黑龙江省|哈尔滨市|五常市|
黑龙江省|哈尔滨市|宾县|
云南省|昆明市|五华区|
云南省|昆明市|安宁市|
云南省|昆明市|宜良县|
贵州省|贵阳市|南明区|
贵州省|贵阳市|修文县|
贵州省|贵阳市|清镇市|
广西壮族自治区|南宁市|青秀区|
广西壮族自治区|南宁市|武鸣区|
广西壮族自治区|南宁市|宾阳县|
广西壮族自治区|桂林市|阳朔县|
广西壮族自治区|桂林市|临桂区|
广西壮族自治区|桂林市|荔浦市|
甘肃省|兰州市|城关区|
甘肃省|兰州市|榆中县|
内蒙古自治区|呼和浩特市|赛罕区|
内蒙古自治区|呼和浩特市|土默特左旗|
内蒙古自治区|呼和浩特市|托克托县|
海南省|海口市|美兰区|
海南省|海口市|琼山区|
"""

_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")


def _parse_places() -> list[tuple[str, str | None, str, tuple[str, ...]]]:
    rows = []
    for line in _PLACES.strip().splitlines():
        prov, city, county, towns = line.split("|")
        rows.append((prov, city or None, county, tuple(towns.split())))
    return rows


PLACES = _parse_places()
_WITH_TOWNS = [p for p in PLACES if p[3]]
_CITIES = sorted({(p[0], p[1]) for p in PLACES if p[1]})
_PROVINCES = sorted({p[0] for p in PLACES})

_DEPARTMENTS = ("司法局", "市场监督管理局", "生态环境局", "人力资源和社会保障局", "自然资源和规划局",
                "住房和城乡建设局", "交通运输局", "应急管理局", "卫生健康委员会", "教育局", "农业农村局",
                "城市管理局", "民政局", "财政局", "税务局")

LEVELS = ("province", "city", "county", "department", "township", "street")
_LEVEL_CUM = (0.03, 0.15, 0.51, 0.75, 0.89, 1.01)  # province, city, county, department, township, street
_SCALE = {"province": 12.0, "city": 3.0, "county": 1.0, "department": 0.6, "township": 0.12,
          "street": 0.1}

STRUCTURES = ("five_part", "regulation_order", "first_responsible_first", "three_part", "thematic")
_STRUCTURE_CUM = (0.3, 0.48, 0.6, 0.8, 1.01)

# ---------------------------------------------------------------------------
# Numerals

_DIG = "零一二三四五六七八九"


def _cn_small(n: int, lead: bool) -> str:
    """1..9999 in Chinese numerals; ``lead`` drops the 一 of a leading 十."""
    out = []
    zero = False
    for unit, div in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        d = n // div % 10
        if d:
            if zero:
                out.append("零")
                zero = False
            if not (lead and not out and unit == "十" and d == 1):
                out.append(_DIG[d])
            out.append(unit)
        elif out:
            zero = True
    return "".join(out)


def cn_number(n: int, liang: bool = False) -> str:
    """A non-negative integer in Chinese numerals (十二, 一百零五, 两千零三十六, 三万二千)."""
    if n == 0:
        return "零"
    if n >= 100_000_000:
        hi, lo = divmod(n, 100_000_000)
        s = cn_number(hi) + "亿"
        return s + (("零" if lo < 10_000_000 else "") + cn_number(lo) if lo else "")
    if n >= 10_000:
        hi, lo = divmod(n, 10_000)
        s = _cn_small(hi, True) + "万"
        if lo:
            s += ("零" if lo < 1000 else "") + _cn_small(lo, False)
    else:
        s = _cn_small(n, True)
    if liang and s[0] == "二" and len(s) > 1 and s[1] in "千万百":
        s = "两" + s[1:]
    return s


_APPROX_SUFFIX = ("余", "余", "余", "多")
_APPROX_WORDS = ("近", "约", "超过", "以上", "左右")


class _Figures:
    """Formats random figures; remembers the last value for derived figures."""

    __slots__ = ("approx_p", "cn_p", "lscale", "r", "rng", "scale")

    def __init__(self, rng: random.Random, scale: float, cn_p: float, approx_p: float) -> None:
        self.rng = rng
        self.r = rng.random
        self.scale = scale
        self.lscale = math.log(scale)
        self.cn_p = cn_p
        self.approx_p = approx_p

    def count(self, llo: float, lhi: float, unit: str, scaled: bool = True) -> tuple[str, int | float, bool]:
        """A count drawn log-uniformly between exp(llo) and exp(lhi) (times the level's scale)."""
        r = self.r
        if scaled:
            llo += self.lscale
            lhi += self.lscale
        v = int(math.exp(llo + r() * (lhi - llo))) or 1
        if v >= 10_000 and r() < 0.6:  # 1.3万 / 1.3万余
            w = round(v / 10_000, 1 if v < 100_000 else 0)
            approx = r() < 0.3
            ws = f"{w:g}"
            value = round(w * 10_000)
            return (f"{ws}万余{unit}" if approx else f"{ws}万{unit}"), value, approx
        if v >= 20 and r() < self.approx_p:
            mag = 10 if v < 1000 else 100 if v < 10_000 else 1000
            v = v // mag * mag
            if r() < 0.7:
                word = _APPROX_SUFFIX[int(r() * 4)]
                num = cn_number(v, liang=True) if r() < self.cn_p else str(v)
                return f"{num}{word}{unit}", v, True
            word = _APPROX_WORDS[int(r() * 5)]
            if word == "以上" or word == "左右":
                return f"{v}{unit}{word}", v, True
            return f"{word}{v}{unit}", v, True
        if v < 100_000 and r() < self.cn_p:
            return cn_number(v, liang=r() < 0.5) + unit, v, False
        return f"{v}{unit}", v, False

    def pct(self, lo: float, hi: float) -> tuple[str, float, bool]:
        if lo >= hi:
            v: float = lo
        else:
            v = round(lo + self.r() * (hi - lo), 1)
        if v == int(v) and self.r() < 0.7:
            v = int(v)
        return f"{v:g}%", v, False

    def money(self, lo: float, hi: float) -> tuple[str, int, bool]:
        """lo/hi in 万元 (scaled)."""
        lo, hi = max(1.0, lo * self.scale), max(5.0, hi * self.scale)
        v = math.exp(math.log(lo) + self.r() * (math.log(hi) - math.log(lo)))
        if v >= 10_000:
            y = round(v / 10_000, 2)
            return f"{y:g}亿元", round(y * 100_000_000), False
        if v >= 100 or self.r() < 0.5:
            w = int(v)
            return f"{w}万元", w * 10_000, False
        tenth = round(v, 1)
        return f"{tenth:g}万元", round(tenth * 10_000), False


# ---------------------------------------------------------------------------
# Sentence grammar.  A template is (text, figure specs, min_year, max_year).
# Placeholders: {G} the government in short (县政府, 局), {S} self (我县),
# {Q} scope (全县), {M} the meeting (县政府常务会议), {L} the head (县长),
# {U} the unit's short name (三台县), {P} the leadership above, {PF} the
# current 普法 plan (“八五”), {Y}, {Y1}; figures {a} {b} {c}.
# A figure spec: ("n", lo, hi, unit, indicator|None) count (scaled by level),
# ("N", …) count not scaled, ("p", lo, hi, None, indicator) percentage,
# ("m", lo_wan, hi_wan, None, None) money, ("f", lo, hi, unit, None) a share
# of the previous figure.

T = tuple[str, tuple[tuple[Any, ...], ...], int, int]


def _t(text: str, *specs: tuple[Any, ...], y0: int = 2015, y1: int = 2024) -> T:
    # counts are drawn log-uniformly: keep their bounds as logarithms
    specs = tuple((k, math.log(lo), math.log(hi), u, i) if k in "nN" else (k, lo, hi, u, i)
                  for k, lo, hi, u, i in specs)
    return (text, specs, y0, y1)


THEMES: dict[str, dict[str, Any]] = {
    "leadership": {
        "fillers": (
            "年初召开{Q}法治政府建设工作会议，对年度重点任务作出安排，层层签订目标责任书，把责任压实到具体单位和具体岗位。",
            "对照法治政府建设实施纲要和年度工作要点，逐项梳理任务完成情况，对发现的短板弱项明确整改措施和完成时限。",
            "把法治建设列入领导班子年度民主生活会和述职述廉内容，推动各级领导干部自觉把依法办事贯穿于日常工作全过程。",
            "把法治政府建设纳入{Q}经济社会发展总体规划，与中心工作同部署、同推进、同督促。",
            "调整充实法治政府建设领导小组，领导小组办公室负责日常统筹、督促检查和情况通报。",
            "建立重点任务台账，实行月调度、季通报，对进度滞后的事项及时督办。",
            "坚持以上率下，领导班子成员结合分管领域抓好法治建设任务落实。",
            "把法治素养和依法履职情况作为干部考察的重要内容，树立重视法治的用人导向。",
            "注重发挥考核指挥棒作用，对法治建设成效突出的单位予以通报表扬。",
        ),
        "headings": ("加强组织领导，压实法治建设责任", "强化统筹推进，健全法治建设工作机制",
                     "抓住关键少数，提升领导干部法治素养", "完善工作格局，推动法治建设任务落地"),
        "sentences": (
            _t("{M}全年专题研究法治政府建设工作{a}，及时协调解决推进中的难点问题。", ("N", 2, 9, "次", None)),
            _t("坚持{M}会前学法制度，全年集中学法{a}，学习内容覆盖宪法和与{Q}工作密切相关的法律法规。",
               ("N", 4, 24, "次", "law_study_sessions")),
            _t("理论学习中心组开展集中学法{a}，组织领导干部参加年度法律知识考试，参考率{b}。",
               ("N", 3, 14, "次", "law_study_sessions"), ("p", 96, 100, None, None)),
            _t("举办法治专题讲座{a}，{Q}领导干部和公职人员参训{b}。", ("N", 2, 10, "场", None),
               ("n", 200, 6000, "人次", None)),
            _t("制定年度法治政府建设工作要点，分解任务{a}，逐项明确责任单位和完成时限。", ("N", 20, 110, "项", None)),
            _t("把法治建设成效纳入年度综合考核，考核结果与干部评先评优挂钩，以考核促落实。"),
            _t("组织开展述法评议，{Q}各部门主要负责人在年终述职中专项报告履行法治建设职责情况。", y0=2017),
            _t("深入学习贯彻习近平法治思想，把学习成果转化为推动{Q}工作的具体举措。", y0=2021),
        ),
    },
    "decision": {
        "fillers": (
            "对涉及重大公共利益的决策事项，通过座谈会、听证会和网上征集等方式广泛听取社会各方面意见，并向社会说明采纳情况和理由。",
            "坚持集体讨论决定制度，会议讨论情况和决定如实记录，对不同意见如实载明，做到决策有据可查、有责可究。",
            "把法律顾问意见作为决策的重要依据，对法律顾问提出的风险提示逐项研究处理，从源头上减少违法决策。",
            "凡涉及群众切身利益的决策事项，坚持先听取意见、再作出决定，意见采纳情况及时向社会反馈。",
            "重大决策出台前开展社会稳定风险评估，对风险较高的事项暂缓实施或调整方案。",
            "决策过程全程记录、材料完整归档，做到决策过程可回溯、责任可追究。",
            "对专业性较强的事项组织专家论证，提高决策的科学性和可行性。",
            "推行政府合同统一审查和备案管理，防范合同履行中的法律风险。",
        ),
        "headings": ("坚持依法决策，提升决策质量", "健全决策机制，推进依法科学民主决策",
                     "严格决策程序，防范决策风险"),
        "sentences": (
            _t("年初公布重大行政决策事项目录，将{a}事项纳入目录管理，每项决策都经过征求意见、专家论证、"
               "风险评估和合法性审查后再集体讨论。", ("N", 2, 12, "项", None)),
            _t("发挥法律顾问作用，全年出具法律意见书{a}，审查各类合同{b}。",
               ("n", 20, 400, "份", "legal_adviser_opinions"), ("n", 30, 300, "件", None)),
            _t("法律顾问和公职律师列席{M}{a}，提出合法性审查意见{b}，为涉法事务把关。",
               ("N", 5, 40, "次", None), ("n", 20, 300, "条", "legal_adviser_opinions")),
            _t("对提交{M}研究的议题开展合法性审查{a}，未经审查的议题一律不上会。", ("n", 30, 200, "件", None)),
            _t("建立重大行政决策执行情况跟踪反馈制度，对{a}已实施的决策开展后评估。", ("N", 1, 6, "项", None)),
            _t("聘请律师事务所担任常年法律顾问，{Q}公职律师达到{a}。", ("n", 5, 80, "名", None)),
        ),
    },
    "normative": {
        "fillers": (
            "对起草部门报送的文件草案，重点审查制定主体、制定权限、制定程序和内容的合法性，发现问题的退回起草部门修改完善。",
            "对涉及市场主体经济活动的文件同步开展公平竞争审查，防止出台排除、限制市场竞争的政策措施。",
            "严格执行起草、征求意见、合法性审核、集体审议、公开发布等程序，未经审核的文件不得印发。",
            "定期对现行有效文件开展评估，对与上位法不一致、不适应发展要求的文件及时修改或废止。",
            "建立规范性文件异议审查渠道，群众和企业可以对文件提出审查建议。",
            "文件发布时同步推出政策解读，方便企业和群众准确理解和执行。",
        ),
        "headings": ("加强制度建设，规范行政规范性文件管理", "完善依法行政制度体系，提高文件制定质量",
                     "严把文件合法关口，维护法制统一"),
        "sentences": (
            _t("全年审查并报送备案行政规范性文件{a}，报备率、及时率均达到{b}。",
               ("n", 3, 60, "件", "normative_docs_filed"), ("p", 100, 100, None, None)),
            _t("开展规范性文件专项清理，废止{a}、修改{b}，清理结果及时向社会公布。",
               ("n", 1, 30, "件", "normative_docs_repealed"), ("n", 1, 15, "件", None)),
            _t("出台行政规范性文件管理办法（{DOC}），把合法性审核作为制发文件的必经环节。"),
            _t("对拟出台的文件提出修改意见{a}，纠正与上位法不一致的条款。", ("n", 10, 150, "条", None)),
            _t("备案审查规范性文件{a}，对发现问题的文件督促制定机关及时纠正。",
               ("n", 3, 60, "件", "normative_docs_filed")),
            _t("落实规范性文件统一编号和有效期制度，向社会公布现行有效文件目录。"),
        ),
    },
    "functions": {
        "fillers": (
            "围绕企业全生命周期和群众关心的高频事项，推出一批集成服务，政务服务从“能办”向“好办”“易办”转变。",
            "深化数字政府建设，推进部门间数据共享，能通过共享获取的材料不再要求企业和群众重复提交。",
            "建立政务服务“好差评”制度，差评事项全部回访整改，群众对政务服务的满意度稳步提升。",
            "聚焦企业和群众办事的堵点难点，持续精简办事材料、压缩办理时限。",
            "推动涉企审批事项“一件事一次办”，企业办事来回跑、多头跑的情况明显减少。",
            "加强事中事后监管，坚持放管结合、宽严相济，监管的精准性和有效性不断提高。",
            "建立企业诉求快速响应机制，对企业反映的问题实行专人跟踪、限时办结。",
            "加强社会信用体系建设，对守信主体在办事中给予便利，对失信行为依法实施惩戒。",
        ),
        "headings": ("深化“放管服”改革，依法全面履行政府职能", "优化法治化营商环境，激发市场主体活力",
                     "转变政府职能，提升政务服务效能"),
        "sentences": (
            _t("动态调整权责清单，全年新增、取消和调整事项{a}，做到清单之外无权力。", ("n", 20, 500, "项", None)),
            _t("政务服务事项网上可办率达到{a}，办事材料和办理时限持续压缩。", ("p", 85, 99.9, None, None)),
            _t("开展“双随机、一公开”抽查{a}，其中跨部门联合抽查{b}，抽查结果全部向社会公示。",
               ("n", 30, 600, "次", "random_inspections"), ("n", 5, 80, "次", None), y0=2016),
            _t("制定“双随机、一公开”抽查计划{a}，各执法部门全部纳入统一监管平台。",
               ("n", 10, 200, "项", "random_inspections"), y0=2016),
            _t("落实减税降费和助企纾困政策，为市场主体减轻负担{a}。", ("m", 500, 200000, None, None)),
            _t("建立涉企轻微违法行为不予处罚清单，全年依法免罚{a}。", ("n", 10, 800, "件", None), y0=2019),
            _t("推行证明事项告知承诺制，办理告知承诺事项{a}。", ("n", 100, 5000, "件", None), y0=2019),
            _t("在{Q}推行“一网通办”“跨省通办”，企业和群众办事的便利度明显提升。", y0=2018),
        ),
    },
    "enforcement": {
        "fillers": (
            "组织开展执法人员法律知识和业务技能培训，通过以案释法、案卷讲评、模拟执法等方式提高执法人员的实际操作能力。",
            "聚焦群众反映强烈的执法不作为、乱作为问题开展专项监督，对发现的问题督促整改，对典型案例予以通报。",
            "推进行政执法监督平台应用，执法主体、执法人员、执法事项和执法结果实现网上可查，执法监督由事后向事前、事中延伸。",
            "推行说理式执法和柔性执法，对初次违法且危害后果轻微的当事人以教育引导为主。",
            "开展执法领域突出问题专项整治，督促有关部门逐项整改并建立长效机制。",
            "落实执法人员持证上岗和资格管理制度，未取得执法证件的人员不得从事执法活动。",
            "执法文书统一格式，执法过程全程留痕，重大执法决定经法制审核后作出。",
            "建立执法协作机制，部门间执法信息互通、结果互认，减少重复检查。",
        ),
        "headings": ("规范执法行为，推进严格规范公正文明执法", "强化执法监督，提升行政执法质效",
                     "深化综合执法改革，夯实基层执法基础"),
        "sentences": (
            _t("{Q}现有持证行政执法人员{a}，全年组织执法培训{b}。",
               ("n", 60, 12000, "名", "enforcement_officers"), ("n", 100, 20000, "人次", None)),
            _t("全面落实行政执法“三项制度”，执法信息公示率达到{a}。", ("p", 95, 100, None, None), y0=2017),
            _t("开展行政执法案卷评查，评查案卷{a}，优良率{b}，发现的问题逐一反馈整改。",
               ("n", 50, 1500, "卷", None), ("p", 80, 98, None, None)),
            _t("向乡镇（街道）下放行政执法事项{a}，同步开展业务指导和跟踪评估。",
               ("N", 20, 200, "项", None), y0=2019),
            _t("选聘行政执法社会监督员{a}，畅通群众监督执法的渠道。", ("n", 10, 150, "名", None)),
            _t("全年办理行政处罚案件{a}，没有发生因执法不当引发的重大舆情。", ("n", 50, 8000, "件", None)),
            _t("规范行政裁量权基准，{Q}执法部门全部公布裁量标准，压缩随意执法的空间。"),
        ),
    },
    "supervision": {
        "fillers": (
            "认真办理人大代表建议和政协委员提案，办理前主动沟通、办理中跟踪协调、办理后征求意见，推动代表委员意见转化为工作成效。",
            "深化政务公开标准化规范化建设，围绕重大项目、财政预决算、公共资源配置等领域加大公开力度，及时回应社会关切。",
            "主动接受纪检监察、审计和社会舆论监督，对各方面监督发现的问题建立台账、限期整改、跟踪问效。",
            "自觉接受人大法律监督、工作监督和政协民主监督，对代表委员关注的问题逐项研究落实。",
            "坚持以公开为常态、不公开为例外，重点领域信息做到应公开尽公开。",
            "支持人民法院依法受理和审理行政案件，认真履行人民法院生效裁判。",
            "发挥审计监督作用，加强对重点领域资金使用和重大项目的监督。",
            "畅通群众监督渠道，对群众反映的问题做到件件有回音、事事有着落。",
        ),
        "headings": ("自觉接受监督，规范行政权力运行", "强化权力制约监督，深入推进政务公开",
                     "发挥复议应诉作用，推动行政争议实质性化解"),
        "sentences": (
            _t("承办人大代表建议{a}、政协委员提案{b}，办复率{c}。",
               ("n", 5, 600, "件", "npc_cppcc_proposals"), ("n", 5, 700, "件", "npc_cppcc_proposals"),
               ("p", 100, 100, None, None)),
            _t("全年主动公开政府信息{a}，依申请公开全部在法定期限内答复。",
               ("n", 100, 50000, "条", "gov_info_disclosed")),
            _t("{G}受理行政复议案件{a}，审结{b}，纠错率{c}。",
               ("n", 5, 1200, "件", "admin_reconsideration_cases"), ("f", 0.85, 0.98, "件", None),
               ("p", 3, 20, None, None)),
            _t("全年共办理行政应诉案件{a}，败诉率{c}，行政机关负责人出庭应诉率{b}。",
               ("n", 3, 600, "件", "admin_litigation_cases"), ("p", 80, 100, None, "head_appearance_rate"),
               ("p", 0, 15, None, "litigation_loss_rate")),
            _t("行政机关负责人出庭应诉率达到{a}，行政诉讼败诉率降至{b}。",
               ("p", 60, 100, None, "head_appearance_rate"), ("p", 0, 15, None, "litigation_loss_rate")),
            _t("完成审计项目{a}，推动审计发现问题整改到位。", ("n", 5, 60, "个", None)),
            _t("办理12345热线工单{a}，按时办结率{b}。", ("n", 1000, 200000, "件", None),
               ("p", 90, 100, None, None)),
        ),
    },
    "disputes": {
        "fillers": (
            "健全矛盾纠纷多元化解体系，在婚姻家庭、劳动争议、物业管理等纠纷多发领域建立行业性、专业性调解组织。",
            "推动公共法律服务向基层延伸，村（社区）法律顾问每月定期到村（社区）开展服务，为群众提供家门口的法律帮助。",
            "建立重大矛盾纠纷领导包案制度，对涉及人数多、化解难度大的纠纷实行专班推进，防止矛盾激化升级。",
            "健全人民调解、行政调解、司法调解衔接联动机制，推动矛盾纠纷多元化解。",
            "坚持矛盾纠纷定期排查制度，对排查发现的苗头性问题做到早发现、早介入、早化解。",
            "推进公共法律服务实体平台、热线平台和网络平台融合发展，群众获取法律服务更加便捷。",
            "开通农民工、老年人、残疾人等群体法律援助绿色通道，对行动不便的当事人提供上门服务。",
            "把信访工作纳入法治轨道，引导群众通过法定途径表达诉求、解决纠纷。",
        ),
        "headings": ("践行新时代“枫桥经验”，依法化解社会矛盾", "健全多元解纷机制，维护社会和谐稳定",
                     "完善公共法律服务体系，保障群众合法权益"),
        "sentences": (
            _t("各级调解组织调解矛盾纠纷{a}，调解成功率{b}。",
               ("n", 50, 80000, "件", "disputes_mediated"), ("p", 92, 99.9, None, "mediation_success_rate")),
            _t("排查矛盾纠纷{a}，成功化解{b}，把矛盾化解在基层。",
               ("n", 60, 90000, "件", None), ("f", 0.85, 0.99, "件", "disputes_mediated")),
            _t("办理法律援助案件{a}，为困难群众挽回经济损失{b}。",
               ("n", 20, 20000, "件", "legal_aid_cases"), ("m", 20, 5000, None, None)),
            _t("公共法律服务平台接待法律咨询{a}，村（社区）法律顾问实现全覆盖。",
               ("n", 300, 100000, "人次", "legal_consultations")),
            _t("“12348”热线解答群众法律咨询{a}。", ("n", 300, 100000, "人次", "legal_consultations")),
            _t("培育农村“法律明白人”{a}，建成民主法治示范村（社区）{b}。",
               ("n", 50, 5000, "名", None), ("N", 2, 40, "个", None)),
        ),
    },
    "publicity": {
        "fillers": (
            "坚持把领导干部作为普法重点，把宪法法律列入各级党委（党组）理论学习中心组学习内容和干部教育培训的必修课。",
            "深化法治乡村建设，开展民主法治示范村（社区）创建，培育农村学法用法带头人，推动法治观念在基层落地生根。",
            "在重要节点组织开展法治文艺演出、法律知识竞赛和以案说法活动，让群众在身边案例中学法、知法、懂法。",
            "围绕宪法和与群众生产生活密切相关的法律法规，组织开展形式多样的普法活动。",
            "运用短视频、微信公众号等新媒体开展普法，扩大普法宣传的覆盖面。",
            "推进法治文化建设，把法治元素融入公园、广场、街区等公共空间。",
            "落实国家工作人员学法用法制度，组织公职人员参加年度学法考试。",
            "结合重要时间节点开展主题宣传，营造尊法学法守法用法的良好氛围。",
        ),
        "headings": ("深入开展法治宣传教育，营造浓厚法治氛围", "落实普法责任制，提升全民法治素养",
                     "推进法治社会建设，增强全社会法治观念"),
        "sentences": (
            _t("推进{PF}普法，开展主题普法活动{a}，发放普法资料{b}。",
               ("n", 20, 5000, "场次", "publicity_events"), ("n", 1000, 1000000, "份", "publicity_materials")),
            _t("落实“谁执法谁普法”普法责任制，组织法律进机关、进乡村、进社区、进学校活动{a}。",
               ("n", 20, 3000, "场次", "publicity_events")),
            _t("建成法治文化阵地{a}，通过新媒体推送普法信息{b}。", ("n", 3, 60, "个", None),
               ("n", 50, 3000, "条", None)),
            _t("组织国家宪法日集中宣传，发放宣传册{a}，受教育群众{b}。",
               ("n", 500, 200000, "份", "publicity_materials"), ("n", 1000, 500000, "人次", None)),
            _t("把民法典宣传作为普法重点，编印通俗读本，送法进村入户。", y0=2020),
        ),
    },
}

# shortcomings: key -> (problems, causes, plan items answering it)
SHORTCOMINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "enforce": (("基层执法力量相对薄弱，部分执法人员专业素质与执法任务不相适应",
                 "行政执法规范化水平有待提高，个别案件存在程序瑕疵"),
                ("执法人员培训不够系统，新进人员缺乏实战锻炼",
                 "执法编制和人员配备没有随执法事项下放同步到位"),
                ("加强执法队伍建设，分层分类开展执法人员培训，推行案卷评查常态化",
                 "充实基层执法力量，开展执法人员轮训和岗位练兵")),
    "decision": (("部分单位依法决策意识不强，重大行政决策程序执行不够严格",
                  "个别决策事项论证不充分，公众参与的广度和深度不够"),
                 ("一些干部仍习惯凭经验决策，程序意识不足",
                  "决策程序的刚性约束不够，责任追究机制落实不到位"),
                 ("严格落实重大行政决策程序，把合法性审查作为决策的必经程序",
                  "完善公众参与和专家论证机制，扩大决策听取意见的范围")),
    "normative": (("规范性文件起草质量不高，个别文件出台后因上位法变化需要频繁调整",),
                  ("起草环节调研论证不充分，对上位法立改废跟踪不及时",),
                  ("建立上位法变动跟踪机制，加强规范性文件起草论证和合法性审核",)),
    "publicity": (("普法宣传针对性、实效性不强，形式较为单一",
                   "面向外来务工人员和老年群体的普法覆盖不足"),
                  ("对不同群体的法律需求调研不够，普法资源整合不充分",
                   "普法工作重部署、轻评估，普法内容更新较慢"),
                  ("开展精准普法，针对不同群体设计普法内容，运用新媒体创新普法形式",
                   "开展普法需求调研，为外来务工人员和老年群体编写专题普法读本")),
    "talent": (("法治工作队伍力量不足，部分单位缺少专职法制审核人员",),
               ("法律专业人才引进渠道窄，基层岗位吸引力不强",),
               ("拓宽法治人才引进和培养渠道，配齐配强法制审核人员",)),
    "dispute": (("行政争议源头预防不够，行政复议和应诉案件数量居高不下",),
                ("部分部门作出行政行为前沟通解释不充分，风险研判不到位",),
                ("建立行政争议源头预防机制，发挥行政复议化解争议的作用，推动争议实质性化解",)),
    "digital": (("法治建设信息化水平不高，执法监督平台应用不充分",),
                ("部门数据标准不统一，平台建设投入不足",),
                ("推进执法监督平台建设和数据共享，提高法治建设数字化水平",)),
    "oversight": (("督察发现问题整改不够彻底，执法监督的刚性不足",),
                  ("督察结果运用不充分，与年度考核衔接不紧",),
                  ("强化督察结果运用，把问题整改纳入考核，实行清单化销号管理",)),
}

THEME_KEYS = tuple(THEMES)
# fillers without placeholders need no formatting: mark them once
for _th in THEMES.values():
    _th["fillers"] = tuple((s, "{" in s) for s in _th["fillers"])
SHORT_KEYS = tuple(SHORTCOMINGS)

GENERIC_PLAN = (
    "持续优化法治化营商环境，深化“放管服”改革",
    "加强政务公开标准化规范化建设，提升公开质量",
    "规范政府合同管理，防范履约风险",
    "推进法治政府建设示范创建，以创建促提升",
    "统筹推进法治政府建设各项任务，确保年度目标如期完成",
)

CAUSE_LEADS = ("分析原因，主要在于：", "究其原因，", "从原因看，", "产生这些问题的原因，主要是")
PROBLEM_LEADS = ("对照上级要求和群众期待，{S}法治政府建设还存在一些薄弱环节：",
                 "{S}法治政府建设虽然取得了一定成效，但仍有一些不足：",
                 "在看到成绩的同时，我们也清醒认识到工作中还存在差距：")
ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

FIRST_RESP = (
    _t("{LEAD}主要负责同志认真履行推进法治建设第一责任人职责，主持{M}专题研究法治工作{a}，"
       "对重点任务亲自部署、重大问题亲自过问。", ("N", 2, 8, "次", None), y0=2017),
    _t("主要负责同志带头学法、带头述法，{L}带头出庭应诉行政案件{a}，带动各部门负责人出庭。",
       ("N", 1, 4, "件", None), y0=2017),
    _t("把履行推进法治建设第一责任人职责情况列入年终述职内容，领导班子成员年度述法实现全覆盖。", y0=2017),
    _t("主要负责同志坚持把法治建设作为分内之责，做到重要工作亲自部署、重要环节亲自协调、"
       "重要任务亲自督办。", y0=2017),
    _t("主要负责同志在{M}上带头学法，全年集中学法{a}，带动领导干部提高运用法治方式推动工作的能力。",
       ("N", 4, 20, "次", "law_study_sessions"), y0=2017),
)
FIRST_RESP_HEADINGS = ("党政主要负责人履行法治建设第一责任人职责情况",
                       "主要负责同志履行推进法治建设第一责任人职责情况",
                       "{LEAD}主要负责人推进法治建设第一责任人职责履行情况")
FIRST_RESP_SUBHEADINGS = ("履行第一责任人职责，加强组织领导", "压实第一责任人职责，健全工作机制")

ACH_HEADINGS = ("{Y}年法治政府建设主要举措和成效", "{Y}年度推进法治政府建设的主要做法和成效",
                "主要工作举措及成效", "{Y}年法治政府建设工作开展情况")
SHORT_HEADINGS = ("存在的不足和原因", "存在的问题及原因", "{Y}年法治政府建设存在的不足和原因")
SHORT_HEADINGS_NOCAUSE = ("存在的不足", "存在的主要问题", "存在问题")
PLAN_HEADINGS = ("{Y1}年法治政府建设主要安排", "{Y1}年工作安排", "下一步工作打算", "{Y1}年工作思路",
                 "{Y1}年度推进法治政府建设工作计划")
OTHER_HEADINGS = ("其他需要报告的事项", "其他需要报告的情况")
THREE_PART = (("{Y}年工作情况", "工作开展情况", "主要工作情况"), ("存在问题", "存在的问题和不足"),
              ("下一步工作打算", "{Y1}年工作打算"))
OTHER_TEXT = ("{Y}年，{Q}未发生因违法行政引发的重大群体性事件，各级行政机关均按时履行人民法院生效裁判。",
              "无其他需要报告的事项。",
              "本报告将在{G}门户网站向社会公开，接受社会监督。")

INTROS = (
    "{Y}年，在{P}的领导下，{U}{GUIDE}，围绕年度目标任务，统筹推进依法行政和法治政府建设，各项工作取得新的进展。"
    "现将有关情况报告如下：",
    "{Y}年，{U}认真落实法治政府建设各项部署，{GUIDE}，把法治要求贯穿到经济社会发展各个领域，"
    "依法行政能力和水平持续提升。现将{Y}年度法治政府建设工作情况报告如下。",
    "根据法治政府建设年度报告制度的要求，现将{U}{Y}年法治政府建设情况报告如下。",
    "{Y}年是{PLAN_YEAR}。{U}在{P}的坚强领导下，{GUIDE}，法治政府建设稳步推进。现报告如下：",
)
CLOSINGS = ("一年来，{S}法治政府建设取得了一定成效，但对照上级要求和群众期待仍有差距。",
            "总的看，{S}法治政府建设有序推进，但也还存在一些短板。")
NEXT_LEADS = ("下一步，{S}将", "{Y1}年，{S}将", "今后，{S}将")
NEXT_TAILS = ("不断提升法治政府建设水平。", "为{Q}经济社会发展提供有力法治保障。", "推动法治政府建设再上新台阶。")


def _guide(year: int) -> str:
    if year >= 2021:
        return "深入学习贯彻习近平法治思想"
    if year >= 2018:
        return "深入学习贯彻党的十九大精神"
    return "认真贯彻落实党的十八届四中全会精神"


def _plan_year(year: int) -> str:
    if year == 2016:
        return "“十三五”开局之年"
    if year == 2021:
        return "“十四五”开局之年"
    if year == 2020:
        return "全面建成小康社会之年"
    return "推进法治政府建设的关键之年"


def _pufa(year: int) -> str:
    return "“八五”" if year >= 2021 else "“七五”" if year >= 2016 else "“六五”"


# ---------------------------------------------------------------------------
# Issuers

def _issuer(rng: random.Random) -> dict[str, Any]:
    x = rng.random()
    level = next(lv for lv, c in zip(LEVELS, _LEVEL_CUM, strict=True) if x < c)
    ch = rng.choice
    if level in ("township", "street"):
        prov, city, county, towns = ch(_WITH_TOWNS)
        pool = [t for t in towns if t.endswith("街道") == (level == "street")] or list(towns)
        town = ch(pool)
        level = "street" if town.endswith("街道") else "township"
        name = f"{county}{town}办事处" if level == "street" else ch((f"{town}人民政府", f"{county}{town}人民政府"))
        short = town.removesuffix("街道") + "街道" if level == "street" else town
        r = dict(province=prov, city=city, county=county, township=town)
        words = dict(G="街道办事处" if level == "street" else "镇政府",
                     S="我街道" if level == "street" else ("我乡" if town.endswith("乡") else "我镇"),
                     Q="全街道" if level == "street" else "全镇",
                     M="街道工委会" if level == "street" else "镇党委会议",
                     L="办事处主任" if level == "street" else "镇长",
                     P=f"{county[-1]}委、{county[-1]}政府",
                     LEAD="街道党工委、办事处" if level == "street" else "镇党委、镇政府",
                     TO=ch((f"{county}人民政府：", f"{county[-1]}委全面依法治{county[-1]}委员会办公室：")))
        return dict(level=level, name=name, short=short, region=r, **words)
    if level == "province":
        prov = ch(_PROVINCES)
        return dict(level=level, name=f"{prov}人民政府", short=prov,
                    region=dict(province=prov, city=None, county=None, township=None),
                    G="省政府" if prov.endswith("省") else "自治区政府" if "自治区" in prov else "市政府",
                    S="我省" if prov.endswith("省") else "我区" if "自治区" in prov else "我市",
                    Q="全省" if prov.endswith("省") else "全区" if "自治区" in prov else "全市",
                    M="省政府常务会议" if prov.endswith("省") else "政府常务会议",
                    L="省长" if prov.endswith("省") else "主席" if "自治区" in prov else "市长",
                    P="党中央、国务院", TO="国务院：", LEAD="省委、省政府")
    if level == "city":
        prov, city = ch(_CITIES)
        return dict(level=level, name=f"{city}人民政府", short=city,
                    region=dict(province=prov, city=city, county=None, township=None),
                    G="市政府", S="我市", Q="全市", M="市政府常务会议", L="市长",
                    P="省委、省政府", TO=f"{prov}人民政府：", LEAD="市委、市政府")
    prov, city, county, _ = ch(PLACES)
    kind = county[-1]  # 区 县 市 旗
    gov = {"区": "区政府", "县": "县政府", "市": "市政府", "旗": "旗政府"}[kind]
    head = {"区": "区长", "县": "县长", "市": "市长", "旗": "旗长"}[kind]
    up = city or prov
    region = dict(province=prov, city=city, county=county, township=None)
    to = ch((f"{up}人民政府：", f"{up[-1]}委全面依法治{up[-1]}委员会办公室："))
    if level == "department":
        dept = ch(_DEPARTMENTS)
        if rng.random() < 0.5 and city:
            name = f"{city}{dept}"
            region = dict(province=prov, city=city, county=None, township=None)
            to = f"{city[-1]}委全面依法治{city[-1]}委员会办公室："
        else:
            name = f"{county}{dept}" if rng.random() < 0.7 else f"{up}{county}{dept}"
            to = f"{kind}委全面依法治{kind}委员会办公室："
        return dict(level=level, name=name, short=name, region=region,
                    G="局" if dept.endswith("局") else "委", S="我局" if dept.endswith("局") else "我委",
                    Q="全系统", M="党组会议", L="主要负责人", P="本级党委、政府", TO=to, LEAD="局党组")
    name = ch((f"{county}人民政府", f"{up}{county}人民政府")) if city else f"{county}人民政府"
    return dict(level="county", name=name, short=county, region=region, G=gov,
                S="我" + kind, Q="全" + kind, M=f"{gov}常务会议", L=head,
                P="市委、市政府", TO=to, LEAD=f"{kind}委、{kind}政府")


# ---------------------------------------------------------------------------
# One report

class _Report:
    """Builds one report as a list of paragraphs, recording what went in."""

    def __init__(self, rng: random.Random, index: int) -> None:
        self.rng = rng
        r = self.r = rng.random
        iss = _issuer(rng)
        year = 2015 + int(r() * 10)
        self.year = year
        self.iss = iss
        self.ctx = {"G": iss["G"], "S": iss["S"], "Q": iss["Q"], "M": iss["M"], "L": iss["L"], "P": iss["P"],
                    "U": iss["short"], "LEAD": iss["LEAD"], "Y": str(year), "Y1": str(year + 1), "PF": _pufa(year),
                    "GUIDE": _guide(year), "PLAN_YEAR": _plan_year(year),
                    "DOC": f"{iss['short'][:2]}政发〔{year}〕{1 + int(r() * 30)}号"}
        self.fig = _Figures(rng, _SCALE[iss["level"]], cn_p=0.25 if r() < 0.2 else 0.04,
                            approx_p=0.15 + 0.3 * r())
        self.no_figures = r() < 0.03
        self.facts: list[tuple[str, int | float, bool]] = []
        self.paras: list[str] = []
        self.short_keys: list[str] = []
        self.index = index

    def pick(self, seq: Any) -> Any:
        return seq[int(self.r() * len(seq))]

    # -- pieces --------------------------------------------------------
    def fill(self, tmpl: T) -> str | None:
        text, specs, y0, y1 = tmpl
        if not (y0 <= self.year <= y1):
            return None
        ctx = self.ctx
        if not specs:
            return text.format_map(ctx)
        if self.no_figures:
            return None
        prev: int | float = 0
        fig = self.fig
        facts = self.facts
        for key, spec in zip("abc", specs, strict=False):
            kind, lo, hi, unit, ind = spec
            if kind == "n":
                s, v, a = fig.count(lo, hi, unit)
            elif kind == "N":
                s, v, a = fig.count(lo, hi, unit, False)
            elif kind == "p":
                s, v, a = fig.pct(lo, hi)
            elif kind == "m":
                s, v, a = fig.money(lo, hi)
            else:  # share of the previous figure
                v = max(1, int(prev * (lo + self.r() * (hi - lo))))
                s, a = f"{v}{unit}", False
            prev = v
            ctx[key] = s
            if ind:
                facts.append((ind, v, a))
        return text.format_map(ctx)

    def sentences(self, pool: tuple[T, ...], k: float) -> list[str]:
        """About ``k`` sentences from ``pool``, in pool order (each kept with probability k/len)."""
        r = self.r
        p = k / len(pool)
        out = []
        for tmpl in pool:
            if r() < p:
                s = self.fill(tmpl)
                if s:
                    out.append(s)
        return out

    def theme_body(self, key: str, inline: bool) -> str:
        th = THEMES[key]
        r = self.r
        sents = self.sentences(th["sentences"], 2 + 2 * r())
        ctx = self.ctx
        fill = [s.format_map(ctx) if fmt else s for s, fmt in th["fillers"] if r() < 0.5]
        for s in fill:  # fillers go in at random places
            sents.insert(int(r() * (len(sents) + 1)), s)
        if inline and 1 < len(sents) < 7:
            return "".join(f"{ORDINALS[i]}是{s}" for i, s in enumerate(sents))
        return "".join(sents)

    def achievements(self, level: int, embed_first: str | None) -> list[str]:
        """The achievement sections; level 1 (thematic) or level 2 ((一) …)."""
        r = self.r
        keys = [k for k in THEME_KEYS if r() < 0.75] or ["leadership", "enforcement"]
        if r() < 0.5:
            self.rng.shuffle(keys)
        half = r() < 0.1
        out = []
        for i, key in enumerate(keys):
            head = self.pick(THEMES[key]["headings"])
            if level == 1:
                out.append(f"{ORDINALS[i]}、{head}")
                body = self.theme_body(key, r() < 0.5)
                if i == 0 and embed_first == "text":
                    body = self.first_resp_text() + body
                out.append(body)
                continue
            marker = f"({ORDINALS[i]})" if half else f"（{ORDINALS[i]}）"
            if i == 0 and embed_first == "heading":
                out.append(f"{marker}{self.pick(FIRST_RESP_SUBHEADINGS)}。{self.first_resp_text()}")
                continue
            body = self.theme_body(key, r() < 0.6)
            if i == 0 and embed_first == "text":
                body += self.first_resp_text()
            out.append(f"{marker}{head}。{body}")
        return out

    def first_resp_text(self) -> str:
        s = self.sentences(FIRST_RESP, 2.5)
        if not s:  # before the 2016 regulation, or nothing drawn: a plainer sentence
            s = [f"{self.ctx['LEAD']}主要负责同志认真履行推进法治建设第一责任人职责，亲自研究部署重点任务。"]
        return "".join(s)

    def shortcomings(self, causes: bool) -> tuple[list[str], list[str]]:
        keys = [k for k in SHORT_KEYS if self.r() < 0.35][:4]
        if len(keys) < 2:
            keys = self.rng.sample(SHORT_KEYS, 2)
        probs, cs = [], []
        pick = self.pick
        for k in keys:
            p, c, _ = SHORTCOMINGS[k]
            probs.append(pick(p))
            cs.append(pick(c))
        self.short_keys = keys
        return probs, (cs if causes else [])

    def shortcoming_paras(self, causes: bool, numbered: bool) -> list[str]:
        probs, cs = self.shortcomings(causes)
        lead = self.pick(PROBLEM_LEADS).format_map(self.ctx)
        if causes and self.r() < 0.5:  # cause right after each problem
            items = [f"{p}。原因是{c}。" for p, c in zip(probs, cs, strict=True)]
            cs = []
        else:
            items = [f"{p}。" for p in probs]
        if numbered:
            out = [lead] + [f"{i + 1}. {it}" for i, it in enumerate(items)]
        else:
            out = [lead + "".join(f"{ORDINALS[i]}是{it}" for i, it in enumerate(items))]
        if cs:
            out.append(self.pick(CAUSE_LEADS) + "；".join(
                f"{ORDINALS[i]}是{c}" for i, c in enumerate(cs)) + "。")
        return out

    def plan_items(self, answers: bool) -> list[str]:
        pick = self.pick
        items = [pick(SHORTCOMINGS[k][2]) for k in self.short_keys] if answers else []
        n_extra = (1 if answers else 2) + int(self.r() * 2)
        start = int(self.r() * len(GENERIC_PLAN))
        items += [GENERIC_PLAN[(start + j) % len(GENERIC_PLAN)] for j in range(n_extra)]
        if answers and self.r() < 0.5:
            items.append(items.pop(0))
        return items

    def plan_paras(self, answers: bool, style: str) -> list[str]:
        items = self.plan_items(answers)
        if style == "sub":
            return [f"（{ORDINALS[i]}）{it}。" for i, it in enumerate(items)]
        if style == "num":
            return [f"{i + 1}.{it}。" for i, it in enumerate(items)]
        return ["".join(f"{ORDINALS[i]}是{it}。" for i, it in enumerate(items))]

    # -- whole report --------------------------------------------------
    def build(self) -> dict[str, Any]:
        r, pick, ctx = self.r, self.pick, self.ctx
        year = self.year
        x = r()
        structure = next(s for s, c in zip(STRUCTURES, _STRUCTURE_CUM, strict=True) if x < c)
        causes = r() < 0.7
        answers = r() < 0.75
        fr_ok = year >= 2016
        paras = self.paras
        # title
        has_year_in_title = r() < 0.9
        name = self.iss["name"]
        if year <= 2017 and r() < 0.5:
            core = f"关于{year}年依法行政和法治政府建设情况的报告" if has_year_in_title else "关于依法行政工作情况的报告"
        elif has_year_in_title:
            core = pick((f"关于{year}年度法治政府建设情况的报告", f"关于{year}年法治政府建设工作情况的报告",
                         f"{year}年度法治政府建设工作报告", f"关于{year}年度法治政府建设工作的报告"))
        else:
            core = "关于法治政府建设工作情况的报告"
        has_title = r() < 0.96
        if has_title:
            if r() < 0.25 and core.startswith("关于"):
                paras += [name, core]
            else:
                paras.append(name + core)
            if r() < 0.4:
                paras.append("")
        if r() < 0.3:
            paras.append(self.iss["TO"])
        paras.append(pick(INTROS).format_map(ctx))
        parts = {"achievements": "dedicated", "shortcomings": "dedicated",
                 "first_responsible": "dedicated", "next_year_plan": "dedicated"}
        blank = r() < 0.3
        plan_style = pick(("sub", "num", "inline"))

        def sec(i: int, title: str) -> None:
            if blank:
                paras.append("")
            paras.append(f"{ORDINALS[i]}、{title.format_map(ctx)}")

        if structure in ("five_part", "regulation_order", "first_responsible_first"):
            if structure == "first_responsible_first":
                order = ["fr", "ach", "short", "plan"]
            elif structure == "five_part":
                order = ["ach", "fr", "short", "plan", "other"] if r() < 0.5 else [
                    "ach", "short", "fr", "plan", "other"]
            else:
                order = ["ach", "short", "fr", "plan"]
            if not fr_ok:
                order.remove("fr")
                parts["first_responsible"] = "missing"
            for i, o in enumerate(order):
                if o == "ach":
                    sec(i, pick(ACH_HEADINGS))
                    paras += self.achievements(2, None)
                elif o == "fr":
                    sec(i, pick(FIRST_RESP_HEADINGS))
                    paras.append(self.first_resp_text())
                elif o == "short":
                    sec(i, pick(SHORT_HEADINGS) if causes else pick(SHORT_HEADINGS_NOCAUSE))
                    paras += self.shortcoming_paras(causes, r() < 0.3)
                elif o == "plan":
                    sec(i, pick(PLAN_HEADINGS))
                    paras += self.plan_paras(answers, plan_style)
                else:
                    sec(i, pick(OTHER_HEADINGS))
                    paras.append(pick(OTHER_TEXT).format_map(ctx))
        elif structure == "three_part":
            emb = pick(("heading", "text")) if fr_ok and r() < 0.8 else None
            parts["first_responsible"] = "embedded" if emb else "missing"
            sec(0, pick(THREE_PART[0]))
            paras += self.achievements(2, emb)
            sec(1, pick(THREE_PART[1]))
            paras += self.shortcoming_paras(causes, r() < 0.5)
            sec(2, pick(THREE_PART[2]))
            paras += self.plan_paras(answers, "num" if plan_style == "sub" else plan_style)
        else:  # thematic: level-1 themes, then a closing paragraph
            emb = "text" if fr_ok and r() < 0.8 else None
            parts.update(shortcomings="embedded", next_year_plan="embedded",
                         first_responsible="embedded" if emb else "missing")
            paras += self.achievements(1, emb)
            probs, cs = self.shortcomings(causes)
            close = pick(CLOSINGS).format_map(ctx) + "比如，" + "；".join(probs) + "。"
            if cs:
                close += pick(CAUSE_LEADS) + "；".join(cs) + "。"
            items = self.plan_items(answers)
            close += pick(NEXT_LEADS).format_map(ctx) + "，".join(items) + "，" + pick(NEXT_TAILS).format_map(ctx)
            if blank:
                paras.append("")
            paras.append(close)
        # signature and date
        date = None
        if r() < 0.75:
            month = 1 + int(r() * 3) if r() < 0.88 else 4 + int(r() * 2)
            day = 1 + int(r() * 28)
            date = f"{year + 1}-{month:02d}-{day:02d}"
            if r() < 0.2:
                ds = ("".join("〇一二三四五六七八九"[int(c)] for c in str(year + 1))
                      + f"年{cn_number(month)}月{cn_number(day)}日")
            else:
                ds = f"{year + 1}年{month}月{day}日"
            paras += ["", name, ds]
        elif r() < 0.5:
            paras += ["", name]
        findings = [f"part.{st}.{p}" for p, st in parts.items() if st != "dedicated"]
        if not causes:
            findings.append("shortcomings.no_causes")
        if not answers:
            findings.append("plan.unanswered_shortcomings")
        if date and date[5:] > "04-01":
            findings.append("date.late")
        if self.no_figures:
            findings.append("figures.none")
        return {"issuer": {"name": name, "level": self.iss["level"], **self.iss["region"]},
                "year": year, "date": date, "structure": structure, "parts": parts,
                "has_title": has_title, "causes": causes, "plan_answers": answers,
                "facts": list(self.facts), "findings": sorted(findings), "near_duplicate_of": None}


# ---------------------------------------------------------------------------
# Near-duplicates

_SYNONYMS = (("进一步", "持续"), ("全面", "全力"), ("不断", "持续"), ("切实", "扎实"), ("积极", "主动"),
             ("有效", "有力"), ("加强", "强化"), ("推进", "推动"))
_DIGITS = re.compile(r"\d+")


def _near_copy(rng: random.Random, src: tuple[list[str], dict[str, Any]], new: _Report) -> list[str]:
    """The paragraphs of a new report that copies most of ``src``'s body, lightly edited."""
    src_paras, src_words = src
    r = rng.random
    body = list(src_paras)
    head: list[str] = []
    # keep the new report's own title lines, copy the rest
    own = new.paras
    for p in own[:3]:
        if p.endswith("报告") or p == new.iss["name"]:
            head.append(p)
    ctx = new.ctx
    reps = [(src_words["name"], new.iss["name"])]
    reps += [(src_words[k], ctx[k]) for k in ("U", "M", "LEAD", "P", "L", "S", "Q", "G")]
    # years: next year first, through a placeholder, so that 2022→2023, 2023→2024 cannot chain
    reps += [(src_words["Y1"], "\x00"), (src_words["Y"], ctx["Y"]), ("\x00", ctx["Y1"])]
    out = list(head)
    for p in body:
        if p in src_words["title_lines"]:
            continue
        x = r()
        if x < 0.08:  # dropped
            continue
        for a, b in reps:
            if a and a != b:
                p = p.replace(a, b)
        if r() < 0.5:  # renumber some figures
            p = _DIGITS.sub(lambda m: str(int(m.group()) + rng.randint(1, 9)) if r() < 0.3 else m.group(), p)
        if r() < 0.3:
            a, b = rng.choice(_SYNONYMS)
            p = p.replace(a, b, 1)
        out.append(p)
        if r() < 0.05 and len(own) > 4:  # a paragraph of the new report's own
            out.append(rng.choice(own[3:]))
    return out


# ---------------------------------------------------------------------------
# Public API

def generate(n: int, seed: int = 0, *, dup_rate: float = 0.05, truth: list[tuple[str, str]] | None = None,
             meta: dict[str, dict[str, Any]] | None = None) -> Iterator[tuple[str, str]]:
    """Yield ``(name, text)`` for ``n`` synthetic reports, deterministically from ``seed``.

    About ``dup_rate`` of the reports are near-duplicates of an earlier one
    (most paragraphs copied, names replaced, some figures and words changed);
    each such pair ``(source, copy)`` is appended to ``truth`` when given.
    ``meta``, when given, receives ``name -> dict`` of what was put into each
    report (issuer, year, date, structure, part statuses, facts, findings).
    Memory is bounded: only a window of recent reports is kept for copying.
    """
    rng = random.Random(seed)
    recent: deque[tuple[str, list[str], dict[str, Any]]] = deque(maxlen=64)
    for i in range(n):
        name = f"syn_{seed:04d}_{i:06d}"
        rep = _Report(rng, i)
        info = rep.build()
        paras = rep.paras
        if recent and rng.random() < dup_rate:
            src_name, src_paras, src_words = recent[int(rng.random() * len(recent))]
            paras = _near_copy(rng, (src_paras, src_words), rep)
            # the copy has the source's structure; its figures, date and findings are not known
            info.update(near_duplicate_of=src_name, facts=None, findings=None, date=None,
                        **{k: src_words["info"][k] for k in ("structure", "parts", "causes", "plan_answers")})
            if truth is not None:
                truth.append((src_name, name))
        else:
            title_lines = set(paras[:2])
            words = {k: rep.ctx[k] for k in ("U", "M", "LEAD", "P", "L", "S", "Q", "G", "Y", "Y1")}
            recent.append((name, paras, {**words, "name": rep.iss["name"], "title_lines": title_lines,
                                         "info": info}))
        if meta is not None:
            meta[name] = info
        sep = "\n" if rng.random() < 0.8 else "\n\n"
        text = sep.join(paras)
        if rng.random() < 0.15:
            text = "\n".join(("\u3000\u3000" + p if p and not p[0].isdigit() and "、" not in p[:3] else p)
                             for p in text.split("\n"))
        yield name, text + "\n"


def write_corpus(dir: str | Path, n: int, seed: int = 0, *, dup_rate: float = 0.05,
                 truth: list[tuple[str, str]] | None = None,
                 meta: dict[str, dict[str, Any]] | None = None) -> list[Path]:
    """Write ``n`` generated reports as UTF-8 ``.txt`` files into ``dir``, one at a time.

    Returns the paths written, in order.
    """
    out_dir = Path(dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate(n, seed, dup_rate=dup_rate, truth=truth, meta=meta):
        p = out_dir / f"{name}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


# ---------------------------------------------------------------------------
# Originality check (used by the tests for the generator and the examples)

def _squeeze(s: str) -> str:
    s = s.translate(str.maketrans(",;:()!?", "，；：（）！？"))
    return re.sub(r"[ \t\u3000\r]+", "", s)


@cache
def _seed_grams(paths: tuple[str, ...], k: int) -> frozenset[str]:
    grams: set[str] = set()
    for p in paths:
        t = _squeeze(Path(p).read_text(encoding="utf-8"))
        grams.update(t[i:i + k] for i in range(len(t) - k + 1))
    return frozenset(g for g in grams if "\n" not in g)


def seed_overlaps(text: str, seed_paths: Iterable[str | Path], k: int = 20) -> list[str]:
    """The ``k``-character runs of ``text`` that also occur in one of the seed reports.

    Spaces are ignored and ASCII punctuation is read as its full-width form,
    so a copy is found whatever its punctuation.
    """
    grams = _seed_grams(tuple(sorted(str(p) for p in seed_paths)), k)
    t = _squeeze(text)
    return sorted({t[i:i + k] for i in range(len(t) - k + 1) if t[i:i + k] in grams})

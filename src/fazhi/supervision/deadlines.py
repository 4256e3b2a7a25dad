"""Read a deadline as offices write it in a 责任分工表 ("6月底前", "每季度末", "长期坚持").

:func:`parse_due` turns the text of a 完成时限 cell (or an Excel date) into a
due date, the milestones before it and, for recurring work, the period.  A
month without a year is in the campaign's year; "次年" is the year after.
Chinese numerals ("十二月三十一日", "二〇二五年") and full-width digits are
read.  What cannot be read ("视情况", "2月30日") is returned unrecognised
with a Chinese reason, never guessed.

Decisions:

* A month without a day means its last day ("2025年10月" → 10-31), like
  "底"/"末"/"下旬"; "上旬"/"初" mean the 10th, "中旬" the 20th, "中" the 15th.
* "二季度前" reads as "by the end of the second quarter", as offices use it.
* Several dates make milestones; the latest is the due date.  A range
  ("3月—6月", "3月1日至6月30日") counts by its end only.
* Recurring work ("每季度末", "每月", "每半年", "每年") has a milestone at
  each period's end in the campaign's year (or on the day given: "每月10日前")
  and is due at the last one.
* Ongoing work ("长期坚持", "持续推进", "常态化开展") is recognised with no due
  date unless a date or a period is also written.
* "立即"/"本月底" are relative: they need ``today``; without it they are not
  recognised.
* An Excel number between 20000 and 80000 is a date serial; another number
  (6.3 typed for "6.30") is refused: it cannot tell June 3 from June 30.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_PERIODS = (
    ("monthly", re.compile(r"每个?月|按月|逐月")),
    ("quarterly", re.compile(r"每个?季度?|按季度?|逐季")),
    ("half-yearly", re.compile(r"每半年|按半年")),
    ("yearly", re.compile(r"每年|按年度?")),
)
_ONGOING = re.compile(r"长期|持续|常态化|常年|经常性|日常|久久为功")
_VAGUE = re.compile(r"视情况|根据上级|按上级|按照上级|另行通知|另行确定|待定|适时|根据工作需要|根据需要|"
                    r"按要求|按规定|按时|及时")
_EMPTY = re.compile(r"^[-—/\\无暂空]*$")
_RELATIVE = re.compile(r"(?P<now>立即|立行立改|即时|马上|即刻)|(?P<month>本月[底末内])|(?P<next>下个?月[底末内])|"
                       r"(?P<quarter>本季度?[末底内])")
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_REL_YEAR = "次|明|翌|下一|来|当|本|今"


def _year_re(prefix: str) -> str:
    """A year before a month, quarter or half: "2025年", "次年", "本年度"."""
    return rf"(?:(?P<{prefix}y>\d{{4}})年|(?P<{prefix}rel>{_REL_YEAR})年)度?"


_TOKEN = re.compile("|".join((
    r"(?<!\d)(?P<iso_y>\d{4})[./-](?P<iso_m>\d{1,2})(?:[./-](?P<iso_d>\d{1,2}))?(?!\d)",
    r"(?<!\d)(?P<compact>20\d{6})(?!\d)",
    rf"(?:{_year_re('md_')})?(?P<md_m>\d{{1,2}})月份?(?:(?P<md_d>\d{{1,2}})[日号]|(?P<md_part>底|末|上旬|中旬|下旬|初|中))?",
    rf"(?:{_year_re('q_')})?第?(?P<q_q>[一二三四1-4])季度?",
    rf"(?:{_year_re('h_')})?(?P<h_h>[上下])半年",
    rf"(?:{_year_re('ye_')}|(?<![每半上下])年度?)(?:底|末|内|终)|(?P<ye_all>全年|年度内|本年度)",
    r"(?P<yr_y>\d{4})年(?!度?[上下]半年|第?[一二三四1-4]季|\d)",
    r"(?<![\d.])(?P<sd_m>\d{1,2})[./](?P<sd_d>\d{1,2})(?=前|之前|以前|止|$|[，,;；。、])",
)))
_RANGE_START = re.compile(r"(?<![\d.])\d{1,2}月?[-—–~至到]+(?=\d{1,2}月)")
_CONNECTOR = re.compile(r"^[-—–~至到]+$")
_PART_DAY = {"上旬": 10, "初": 10, "中旬": 20, "中": 15}


@dataclass(frozen=True)
class Due:
    """A deadline as read: the due date, milestones before it, the period of recurring work.

    ``milestones`` are sorted and end with ``due``.  ``recognised`` is False
    when the text gives no usable deadline; ``reason`` then says why."""

    text: str
    due: date | None = None
    milestones: tuple[date, ...] = ()
    periodic: str | None = None
    ongoing: bool = False
    recognised: bool = True
    reason: str = ""


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _cn_number(text: str) -> int:
    """A Chinese numeral up to 99: 九 9, 十 10, 十二 12, 二十 20, 三十一 31."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def normalise(text: str) -> str:
    """Half-width digits, no spaces, Arabic numerals for years, months and days, no range starts."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("－", "-").replace("～", "~")
    text = re.sub(r"[〇零一二三四五六七八九]{4}(?=年)", lambda m: "".join(str(_CN_DIGITS[c]) for c in m[0]), text)
    text = re.sub(r"[一二三四五六七八九十两]{1,3}(?=[月日号])", lambda m: str(_cn_number(m[0])), text)
    return _RANGE_START.sub("", text)


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    written: str
    when: date | None


def _year(match: re.Match[str], prefix: str, year: int) -> int:
    if match[f"{prefix}y"]:
        return int(match[f"{prefix}y"])
    rel = match[f"{prefix}rel"]
    return year + 1 if rel and rel not in "当本今" else year


def _resolve(match: re.Match[str], year: int) -> date:
    """The date a token stands for; raises ValueError for a date that does not exist."""
    if match["iso_y"]:
        y, m = int(match["iso_y"]), int(match["iso_m"])
        return date(y, m, int(match["iso_d"])) if match["iso_d"] else _month_end(y, m)
    if match["compact"]:
        return datetime.strptime(match["compact"], "%Y%m%d").date()
    if match["md_m"]:
        y, m = _year(match, "md_", year), int(match["md_m"])
        if match["md_d"]:
            return date(y, m, int(match["md_d"]))
        part = match["md_part"]
        return date(y, m, _PART_DAY[part]) if part in _PART_DAY else _month_end(y, m)
    if match["q_q"]:
        quarter = "一二三四".find(match["q_q"]) + 1 or int(match["q_q"])
        return _month_end(_year(match, "q_", year), quarter * 3)
    if match["h_h"]:
        y = _year(match, "h_", year)
        return date(y, 6, 30) if match["h_h"] == "上" else date(y, 12, 31)
    if match["sd_m"]:
        return date(year, int(match["sd_m"]), int(match["sd_d"]))
    y = int(match["yr_y"]) if match["yr_y"] else _year(match, "ye_", year)
    return date(y, 12, 31)


def _tokens(text: str, year: int) -> Iterator[_Token]:
    for match in _TOKEN.finditer(text):
        try:
            when: date | None = _resolve(match, year)
        except ValueError:
            when = None
        yield _Token(match.start(), match.end(), match[0], when)


def _without_range_starts(tokens: list[_Token], text: str) -> list[_Token]:
    """Drop a token that only opens a range ("3月1日至6月30日": 3月1日)."""
    return [t for i, t in enumerate(tokens)
            if i + 1 == len(tokens) or not _CONNECTOR.match(text[t.end:tokens[i + 1].start])]


def _periodic(text: str, year: int) -> tuple[str | None, list[date]]:
    for name, pattern in _PERIODS:
        if pattern.search(text):
            if name == "monthly":
                day = re.search(r"每个?月(\d{1,2})[日号]", text)
                return name, [date(year, m, min(int(day[1]), calendar.monthrange(year, m)[1])) if day
                              else _month_end(year, m) for m in range(1, 13)]
            months = {"quarterly": (3, 6, 9, 12), "half-yearly": (6, 12), "yearly": (12,)}[name]
            return name, [_month_end(year, m) for m in months]
    return None, []


def _relative(match: re.Match[str], today: date) -> date:
    if match["now"]:
        return today
    if match["month"]:
        return _month_end(today.year, today.month)
    if match["next"]:
        return _month_end(today.year + today.month // 12, today.month % 12 + 1)
    return _month_end(today.year, (today.month - 1) // 3 * 3 + 3)


def _from_value(value: date | float, text: str) -> Due:
    if isinstance(value, date):
        when = value.date() if isinstance(value, datetime) else value
        return Due(text, when, (when,))
    if float(value).is_integer() and 20000 <= value <= 80000:
        when = date(1899, 12, 30) + timedelta(days=int(value))
        return Due(text, when, (when,))
    return Due(text, recognised=False,
               reason=f"单元格是数字 {text}，无法判断是几月几日，请写成“6月30日”这样的文字")


def _written_value(value: date | float) -> str:
    """A typed cell as text: a date in ISO form (without a midnight time), a number as is."""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else f"{value:g}"


def parse_due(text: str | date | float | None, year: int, *, today: date | None = None) -> Due:
    """Read a deadline written in a sheet, for a campaign of ``year`` (see the module's decisions)."""
    if text is not None and not isinstance(text, str):
        return _from_value(text, _written_value(text))
    written = (text or "").strip()
    norm = normalise(written)
    if _EMPTY.match(norm):
        return Due(written, recognised=False, reason="没有填写完成时限")
    tokens = _without_range_starts(list(_tokens(norm, year)), norm)
    invalid = [t.written for t in tokens if t.when is None]
    if invalid:
        return Due(written, recognised=False, reason=f"“{invalid[0]}”不是有效的日期")
    dates = {t.when for t in tokens if t.when is not None}
    relative = _RELATIVE.search(norm)
    if relative and today is None:
        return Due(written, recognised=False, reason=f"“{relative[0]}”是相对时限，需要知道当天日期才能换算")
    if relative and today is not None:
        dates.add(_relative(relative, today))
    periodic, every = _periodic(norm, year)
    dates.update(every)
    ongoing = bool(_ONGOING.search(norm))
    if dates or ongoing:
        milestones = tuple(sorted(dates))
        return Due(written, milestones[-1] if milestones else None, milestones, periodic, ongoing)
    if _VAGUE.search(norm):
        return Due(written, recognised=False, reason=f"“{written}”不是具体的完成时限")
    return Due(written, recognised=False, reason=f"无法从“{written}”中读出完成时限")

"""A unit over the years (fazhi.corpus.unit_history): its reports year by year and each core indicator's
trend, one report per year, within the user's region scope — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fazhi import db
from fazhi.accounts.roles import Scope
from fazhi.corpus.unit_history import find_issuer, unit_history
from fazhi.units.models import Issuer
from tests.search_helpers import QINGXIU, QINZHOU, fact, store

CORE = 18


def report(year: int, cases: int, consult: str, note: str = "") -> str:
    return (f"天水市秦州区人民政府关于{year}年度法治政府建设情况的报告{note}\n一、主要举措\n"
            f"全年办理行政复议案件{cases}件。接待群众法律咨询{consult}。\n")


@pytest.fixture
def Session(migrated):
    return db.session_factory(migrated, write=True)


@pytest.fixture
def qinzhou(Session) -> dict[str, int]:
    """秦州区: 2021, two reports of 2022 (the second stored last), 2023 whose consultations are counted in 人."""
    made = {}
    with Session.begin() as s:
        for key, year, cases, consult, unit, note in (
                ("2021", 2021, 10, "300人次", "人次", ""), ("2022a", 2022, 11, "310人次", "人次", "（征求意见稿）"),
                ("2022b", 2022, 12, "320人次", "人次", ""), ("2023", 2023, 9, "280人", "人", "")):
            t = report(year, cases, consult, note)
            made[key] = store(s, t, QINZHOU, year, score=60 + cases, facts=[
                fact(t, "admin_reconsideration_cases", cases, "件", f"办理行政复议案件{cases}件"),
                fact(t, "legal_consultations", float(consult[:3]), unit, f"接待群众法律咨询{consult}")])
        made["other"] = store(s, "南宁市青秀区人民政府2023年法治政府建设年度报告\n办理行政复议案件99件。\n", QINGXIU, 2023)
    return made


def test_trends_take_one_report_a_year_with_each_value_and_its_sentence(Session, qinzhou):
    with Session() as s:
        h = unit_history(s, s.scalar(select(Issuer.id).where(Issuer.county == "秦州区")), None)
    assert h is not None
    assert (h.name, h.region, h.level) == ("天水市秦州区人民政府", "甘肃省天水市秦州区", "county")
    assert h.years == [2021, 2022, 2023]
    assert [(r.id, r.year, r.in_trend) for r in h.reports] == [
        (qinzhou["2021"], 2021, True), (qinzhou["2022a"], 2022, False), (qinzhou["2022b"], 2022, True),
        (qinzhou["2023"], 2023, True)]
    trends = {t.id: t for t in h.trends}
    assert len(trends) == CORE  # every core indicator, those never reported with no points
    cases = trends["admin_reconsideration_cases"]
    assert cases.name == "行政复议案件数" and cases.unit == "件"
    assert [(p.year, p.value, p.report_id) for p in cases.points] == [
        (2021, 10, qinzhou["2021"]), (2022, 12, qinzhou["2022b"]), (2023, 9, qinzhou["2023"])]
    assert cases.at(2022).text == "办理行政复议案件12件"
    consult = trends["legal_consultations"]
    assert consult.unit == "人次"  # the unit most years use; 2023's 人 cannot be drawn beside it
    assert [(p.year, p.value, p.unit, p.comparable) for p in consult.points] == [
        (2021, 300, "人次", True), (2022, 320, "人次", True), (2023, 280, "人", False)]
    assert trends["legal_aid_cases"].points == []
    body = h.to_json()
    assert body["trends"][0]["id"] and body["reports"][1]["in_trend"] is False


def test_a_unit_outside_the_scope_is_not_there(Session, qinzhou):
    with Session() as s:
        ids = {i.county: i.id for i in s.scalars(select(Issuer))}
        tianshui = Scope(label="甘肃省天水市", province="甘肃省", city="天水市")
        assert unit_history(s, ids["秦州区"], tianshui) is not None
        assert unit_history(s, ids["青秀区"], tianshui) is None
        assert unit_history(s, 987654, None) is None
        assert find_issuer(s, ids["秦州区"], Scope(label="空")) is None  # a scope of no region sees nothing

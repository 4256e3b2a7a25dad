"""Corpus-mode scores of stored reports: a report compared with the others of its database, and re-scored
when a near-copy of it is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fazhi import db
from fazhi.corpus import service
from fazhi.corpus.models import Report
from fazhi.corpus.originality import rescore
from fazhi.review.pipeline import review_text

pytestmark = [pytest.mark.db]

BODY = ("一、2023年推进法治政府建设的主要举措和成效\n"
        "（一）坚持依法决策。全年召开政府常务会议专题学法6次，对重大行政决策事项全部开展合法性审查，"
        "出具法律意见书42份，审查规范性文件15件，备案率达到100%。\n"
        "（二）深化行政执法改革。组织全县执法人员312名参加年度轮训，开展双随机抽查128次，"
        "全面推行行政执法公示、执法全过程记录和重大执法决定法制审核制度。\n"
        "（三）化解矛盾纠纷。全县人民调解组织排查调处矛盾纠纷1460件，调解成功率达到98.2%，"
        "办理法律援助案件286件，接待群众法律咨询4200人次。\n"
        "二、存在的不足和原因\n一是执法队伍专业化水平不高，原因是培训经费不足。\n"
        "三、党政主要负责人履行推进法治建设第一责任人职责情况\n县长主持研究法治政府建设工作4次。\n"
        "四、2024年工作安排\n一是加强执法队伍培训，提升专业化水平。\n")


def _store(engine, title: str, body: str) -> int:
    rv = review_text(f"{title}\n{body}")
    with db.session_factory(engine, write=True).begin() as s:
        return service.save_review(s, rv.to_json(), rv.text).id


def _stored(engine, rid: int) -> dict:
    with db.session_factory(engine)() as s:
        return s.scalar(select(Report.review).where(Report.id == rid))


def test_a_copy_lowers_both_scores_and_names_the_other_report(migrated) -> None:
    a = _store(migrated, "甘肃省临夏州永靖县人民政府关于2023年度法治政府建设情况的报告", BODY)
    _store(migrated, "青海省海东市互助土族自治县人民政府关于2023年度法治政府建设情况的报告",
           BODY.replace("312", "198").replace("县长", "县委书记"))
    alone = _stored(migrated, a)
    first = rescore(migrated, [a], follow=False)
    assert first.ids == [a] and not first.failed
    once = _stored(migrated, a)
    assert once["corpus"]["copied"] > 0.5 and once["corpus"]["corpus_size"] == 1  # the other report
    dim = once["score"]["dimensions"]["originality"]
    assert dim["score"] < alone["score"]["dimensions"]["originality"]["score"]
    assert "与语料库" in dim["explanation"]
    assert any(f["rule"] == "text.copied" for f in once["findings"])
    assert once["score"]["total"] < alone["score"]["total"]


def test_storing_a_near_copy_rescores_the_report_it_copies(migrated) -> None:
    a = _store(migrated, "云南省大理州宾川县人民政府关于2023年度法治政府建设情况的报告", BODY)
    assert rescore(migrated, [a]).ids == [a]
    before = _stored(migrated, a)
    assert before["corpus"]["copied"] == 0  # alone in its database
    b = _store(migrated, "贵州省黔东南州雷山县人民政府关于2023年度法治政府建设情况的报告", BODY.replace("128", "96"))
    done = rescore(migrated, [b])
    assert done.ids == [b] and done.followed == [a]
    after = _stored(migrated, a)
    assert after["corpus"]["copied"] > 0.5
    assert after["score"]["total"] < before["score"]["total"]
    with db.session_factory(migrated)() as s:
        assert s.scalar(select(Report.score_total).where(Report.id == a)) == after["score"]["total"]

"""Evidence: files checked on their content and stored once, revisions, links; stored annual reports'
facts proposed as evidence for their unit's tasks and indicators, accepted or rejected by the office."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

from fazhi.accounts.models import User
from fazhi.supervision import evidence, framework_store, progress
from fazhi.supervision.access import Actor
from fazhi.supervision.errors import InputError
from fazhi.supervision.models import Evidence
from tests.supervision.builders import zip_bomb
from tests.supervision.cycle_helpers import OFFICE, by_title, new_campaign, sheet, tx, unit_actor, unit_id


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "抽查台账"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


@pytest.mark.parametrize(("data", "name", "fmt"), [
    (PDF, "会议纪要.pdf", "pdf"), (_docx("执法公示制度"), "制度.docx", "docx"), (_xlsx(), "台账.xlsx", "xlsx"),
    (PNG, "现场.png", "png"), (JPEG, "现场.JPG", "jpeg"), ("清单：共35项".encode("gb18030"), "清单.txt", "txt"),
    (PDF, "没有扩展名", "pdf"),
])
def test_accepted_files_are_known_by_their_content(data: bytes, name: str, fmt: str) -> None:
    assert evidence.check_file(data, name) == fmt


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"MZ\x90\0" + b"\0" * 60 + b"PE\0\0" + b"\0" * 100, "通知.pdf", "可执行程序"),
    (b"\x7fELF\x02\x01" + b"\0" * 50, "run", "可执行程序"),
    (zip_bomb(), "台账.xlsx", "恶意"),
    (PDF, "制度.docx", "扩展名是 .docx，内容却是 PDF"),
    (_docx("x"), "台账.xlsx", "内容却是 Word"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧表.xls", "旧版 Office"),
    (_zip({"a.pdf": PDF}), "材料.zip", "压缩包"),
    (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/vbaProject.bin": b"\0"}),
     "宏.xlsx", "宏"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "页面.txt", "网页"),
    (b"", "空.txt", "空"),
])
def test_refused_files_say_why(data: bytes, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        evidence.check_file(data, name)


def test_a_file_over_the_limit_is_refused() -> None:
    with pytest.raises(InputError, match="文件太大"):
        evidence.check_file(PDF + b" " * 2000, "大.pdf", max_bytes=1024)


def test_a_file_is_stored_once_and_linked_to_many_tasks(migrated) -> None:
    campaign_id = new_campaign(migrated, "泰和县")
    with tx(migrated) as s:
        from fazhi.supervision import tasks

        tasks.import_tasks(s, OFFICE, campaign_id, sheet([[1, "落实执法公示", "县司法局", None, "6月底前"],
                                                          [2, "落实法制审核", "县司法局", None, "6月底前"]]), "x.xlsx")
    justice = unit_actor(unit_id(migrated, "泰和县司法局"))
    found = by_title(migrated, campaign_id)
    data = _docx("行政执法三项制度实施办法")
    with tx(migrated) as s:
        first, reused = evidence.add_file(s, justice, data, "三项制度.docx", period_start=dt.date(2025, 1, 1),
                                          period_end=dt.date(2025, 12, 31))
        assert not reused and first.unit_id == justice.unit_id and first.format == "docx"
        again, reused = evidence.add_file(s, justice, data, "改了名字.docx")
        assert reused and again.id == first.id
        for title in ("落实执法公示", "落实法制审核"):
            progress.report_progress(s, justice, found[title].id, "已制定办法", evidence_ids=[first.id])
        assert s.scalar(select(func.count()).select_from(Evidence)) == 1
        linked = [evidence.links_of(s, justice, "task", found[t].id) for t in ("落实执法公示", "落实法制审核")]
        assert [[x.evidence.id for x in links] for links in linked] == [[first.id], [first.id]]
        # a revision replaces the old version wherever it was attached
        revised, _ = evidence.add_file(s, justice, _docx("实施办法（修订）"), "三项制度修订.docx",
                                       supersedes_id=first.id)
        now = evidence.links_of(s, justice, "task", found["落实执法公示"].id)
        assert [x.evidence.id for x in now] == [revised.id] and revised.supersedes_id == first.id
        with pytest.raises(InputError, match="起止日期"):
            evidence.add_file(s, justice, PDF, "x.pdf", period_start=dt.date(2025, 6, 1),
                              period_end=dt.date(2025, 1, 1))


def test_an_office_sees_only_the_evidence_of_its_region(migrated) -> None:
    """The evidence of a unit of 泰和县 is not a file a reviewer of another county (or a viewer of it) can
    fetch by id: it does not exist for them; the office of 泰和县's city and an unscoped one see it."""
    from fazhi.supervision.access import NotFound
    from fazhi.units.scope import resolve_region

    campaign_id = new_campaign(migrated, "泰和县")
    with tx(migrated) as s:
        from fazhi.supervision import tasks

        tasks.import_tasks(s, OFFICE, campaign_id, sheet([[1, "落实执法公示", "县司法局", None, "6月底前"]]), "x.xlsx")
    justice = unit_actor(unit_id(migrated, "泰和县司法局"))
    with tx(migrated) as s:
        ev, _ = evidence.add_file(s, justice, _docx("行政执法公示办法"), "公示办法.docx")

    def office(region: str, role: str = "reviewer") -> Actor:
        return Actor(user_id=None, role=role, scope=resolve_region(region))
    with tx(migrated) as s:
        assert evidence.content(s, office("吉安市"), ev.id)[1] == "公示办法.docx"
        assert evidence.content(s, OFFICE, ev.id)[1] == "公示办法.docx"
        for outsider in (office("万安县"), office("万安县", "viewer"), office("焦作市")):
            with pytest.raises(NotFound):
                evidence.content(s, outsider, ev.id)


REPORT = """宁乡市司法局关于2025年法治政府建设工作情况的报告

一、主要举措和成效
（一）化解行政争议。全年办理行政应诉案件26件，行政机关负责人出庭应诉率达到100%。
（二）人民调解。全市调解组织调解矛盾纠纷2180件，调解成功率97.5%。

二、存在的不足和原因
基层执法力量不足，原因是编制有限。

三、党政主要负责人履行第一责任人职责情况
主要负责人全年主持研究法治建设3次。

四、下一年度工作安排
针对执法力量不足，加强培训。

宁乡市司法局
2026年2月18日
"""


def _ingest(engine, tmp_path, text: str, name: str) -> int:
    from fazhi.corpus.ingest import ingest
    from fazhi.corpus.models import Report

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = ingest([path], engine=engine, workers=0)
    assert result.counts.ok == 1
    with tx(engine) as s:
        return s.scalar(select(Report.id).where(Report.ingest_run_id == result.run_id))


def test_a_units_annual_report_proposes_its_facts_for_the_tasks_that_name_them(migrated, tmp_path) -> None:
    with tx(migrated) as s:
        framework_id = framework_store.import_packaged(s, OFFICE, "demo-county-2025").framework.id
    campaign_id = new_campaign(migrated, "宁乡市", framework_id=framework_id)
    rows = [[1, "行政机关负责人出庭应诉率达到100%", "市司法局", None, "年底前"],
            [2, "开展矛盾纠纷排查化解", "市司法局", "各镇街", "每季度末"],
            [3, "开展道路交通安全整治", "市公安局", None, "年底前"]]
    with tx(migrated) as s:
        from fazhi.supervision import tasks

        tasks.import_tasks(s, OFFICE, campaign_id, sheet(rows), "x.xlsx")
    report_id = _ingest(migrated, tmp_path, REPORT, "宁乡市司法局2025.txt")
    found = by_title(migrated, campaign_id)
    with tx(migrated) as s:
        made = evidence.propose_report_facts(s, OFFICE, report_id)
        assert evidence.propose_report_facts(s, OFFICE, report_id) == []  # never twice
    on_task = {(p.target_id, p.evidence.indicator): p for p in made if p.target_type == "task"}
    appearance = on_task[(found["行政机关负责人出庭应诉率达到100%"].id, "head_appearance_rate")]
    assert (appearance.evidence.value, appearance.evidence.value_unit) == (100, "%")
    assert "出庭应诉率达到100%" in appearance.evidence.quote and appearance.status == "proposed"
    assert appearance.evidence.period_start == dt.date(2025, 1, 1)
    mediation = {i for t, i in on_task if t == found["开展矛盾纠纷排查化解"].id}
    assert "disputes_mediated" in mediation
    assert not any(t == found["开展道路交通安全整治"].id for t, _ in on_task)  # another unit's task
    # the indicator node of the framework that measures the indicator gets it too
    with tx(migrated) as s:
        _, nodes = framework_store.get_framework(s, OFFICE, framework_id)
    node_paths = {n.id: n.path for n in nodes}
    assert any(p.target_type == "node" and node_paths[p.target_id] == "四/1" and
               p.evidence.indicator == "head_appearance_rate" for p in made)
    with tx(migrated) as s:
        reviewer = User(name="依法治市办王某", role="reviewer")
        s.add(reviewer)
        s.flush()
        office = OFFICE.__class__.cli(user_id=reviewer.id)
        decided = evidence.decide(s, office, appearance.id, accept=True)
        rejected = evidence.decide(s, office, made[-1].id, accept=False, reason="与任务无关")
    assert (decided.status, decided.decided_by_id) == ("accepted", reviewer.id) and decided.decided_at is not None
    assert (rejected.status, rejected.reason) == ("rejected", "与任务无关")
    with tx(migrated) as s:
        assert evidence.propose_report_facts(s, OFFICE, report_id) == []  # a rejected proposal stays rejected
        pending = evidence.proposals(s, OFFICE, campaign_id=campaign_id)
    assert appearance.id not in {p.id for p in pending}


def test_a_report_of_another_year_or_an_unregistered_unit_proposes_nothing(migrated, tmp_path) -> None:
    campaign_id = new_campaign(migrated, "宁乡市")
    with tx(migrated) as s:
        from fazhi.supervision import tasks

        tasks.import_tasks(s, OFFICE, campaign_id, sheet([[1, "行政机关负责人出庭应诉", "市司法局", None, "年底前"]]),
                           "x.xlsx")
    older = _ingest(migrated, tmp_path, REPORT.replace("2025年", "2024年").replace("2026年", "2025年"), "2024.txt")
    other = _ingest(migrated, tmp_path, REPORT.replace("宁乡市司法局", "浏阳市司法局"), "浏阳.txt")
    with tx(migrated) as s:
        assert evidence.propose_report_facts(s, OFFICE, older) == []
        assert evidence.propose_report_facts(s, OFFICE, other) == []

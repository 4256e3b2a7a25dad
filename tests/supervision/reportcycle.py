"""A small supervision record for the annual report's cycle, built with the models directly: a county office
(甘肃省张掖市临泽县), its 司法局 with a year of tasks, progress, evidence, an assessment, inspection findings
and last year's report, and two more units that must report.  Every text is written here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from fazhi.corpus.service import save_review
from fazhi.review.pipeline import review_text
from fazhi.supervision.models import (
    Assessment,
    Campaign,
    Evidence,
    EvidenceLink,
    Framework,
    IndicatorNode,
    InspectionFinding,
    ItemAssessment,
    Profile,
    ProfileItem,
    Progress,
    Rectification,
    Task,
)
from fazhi.units.models import Unit
from fazhi.units.service import unit_key

YEAR = 2025
UTC = dt.UTC

#: what the record says, for the tests to check the draft against (worked out by hand from the rows below)
FILED_TEXT = "全年审查备案行政规范性文件18件，纠正违法文件2件。"
RECONSIDERATION_TEXT = "办理行政复议案件36件，其中调解和解9件。"
LEADER_TEXT = "局主要负责人主持召开局党组会议专题研究法治建设4次。"
PROBLEM_NO_CAUSE = "行政执法案卷评查发现部分案卷证据材料不完整"
PROBLEM_WITH_CAUSE = "法律顾问参与重大行政决策论证不够充分，主要原因是法律顾问人员力量不足"
RECTIFIED = "政务公开栏目更新不及时"
LAST_YEAR_TEXT = """甘肃省临泽县司法局关于2024年度法治政府建设情况的报告
一、2024年度主要工作和成效
全年办理行政复议案件30件，审查备案规范性文件15件。
二、存在的问题和原因
一是执法人员培训不足，主要原因是培训经费紧张。
三、2025年度工作安排
一是持续加强行政规范性文件备案审查，做到有件必备、有备必审。
二是深化行政复议体制改革，提升行政复议案件办理质量。
三是组织开展民法典主题宣传月活动。
临泽县司法局
2025年2月18日
"""


@dataclass
class Record:
    """The ids of what was built."""

    campaign: Campaign
    next_campaign: Campaign
    organiser: Unit
    bureau: Unit  # 临泽县司法局: the unit whose report is drafted
    market: Unit  # 临泽县市场监督管理局 (a department)
    town: Unit  # 沙河镇人民政府 (a township)
    tasks: dict[str, Task]
    progress: dict[str, Progress]
    evidence_file: Evidence
    evidence_fact: Evidence
    findings: dict[str, InspectionFinding]
    rectifications: dict[str, Rectification]
    item: ItemAssessment
    assessment: Assessment
    last_year_report_id: int


def _unit(session: Session, name: str, type_: str, level: str, parent: Unit | None, **extra: str) -> Unit:
    unit = Unit(name=name, type=type_, level=level, province="甘肃省", city="张掖市", county="临泽县",
                region_code="620723", parent_id=parent.id if parent else None, **extra)
    unit.key = unit_key(unit)
    session.add(unit)
    session.flush()
    return unit


def _accepted(task: Task, unit: Unit, text: str, figures: list[dict], day: dt.date) -> Progress:
    return Progress(task_id=task.id, unit_id=unit.id, period=day.isoformat(), text=text, figures=figures,
                    status="accepted", reviewed_at=dt.datetime(day.year, day.month, day.day, 9, tzinfo=UTC))


def build(session: Session) -> Record:
    """The record (flushed, not committed)."""
    organiser = _unit(session, "临泽县人民政府", "政府", "county", None)
    bureau = _unit(session, "临泽县司法局", "部门-有执法权", "department", organiser, department="司法局")
    market = _unit(session, "临泽县市场监督管理局", "部门-有执法权", "department", organiser,
                   department="市场监督管理局")
    town = _unit(session, "沙河镇人民政府", "乡镇", "township", organiser, township="沙河镇")
    town.region_code = "620723100"

    framework = Framework(urn="urn:test:framework:linze", name="临泽县法治政府建设指标", version="1", sha256="0" * 64,
                          data={})
    session.add(framework)
    session.flush()
    top_docs = IndicatorNode(framework_id=framework.id, path="一", position=1, level=1, ref_id="一",
                             name="一、依法行政制度体系完善")
    top_enforce = IndicatorNode(framework_id=framework.id, path="二", position=2, level=1, ref_id="二",
                                name="二、行政权力制约和监督科学有效")
    session.add_all([top_docs, top_enforce])
    session.flush()
    node_docs = IndicatorNode(framework_id=framework.id, parent_id=top_docs.id, path="一/1", position=3, level=2,
                              ref_id="1", name="1.行政规范性文件备案审查")
    node_review = IndicatorNode(framework_id=framework.id, parent_id=top_enforce.id, path="二/1", position=4,
                                level=2, ref_id="1", name="1.行政复议", indicators=["admin_litigation_cases"])
    session.add_all([node_docs, node_review])
    session.flush()

    campaign = Campaign(name="临泽县2025年度法治政府建设督导", kind="annual", year=YEAR, organiser_id=organiser.id,
                        organiser_name="临泽县", framework_id=framework.id,
                        settings={"report_due": {"department": "2026-03-01", "government": "2026-04-01"},
                                  "publish_by": "2026-04-01"})
    next_campaign = Campaign(name="临泽县2026年度法治政府建设督导", kind="annual", year=YEAR + 1,
                             organiser_id=organiser.id, organiser_name="临泽县", settings={})
    session.add_all([campaign, next_campaign])
    session.flush()

    def task(key: str, title: str, position: int, **extra: object) -> Task:
        row = Task(campaign_id=campaign.id, position=position, title=title, lead_unit_id=bureau.id,
                   lead_name="县司法局", **extra)
        session.add(row)
        return row

    tasks = {
        "docs": task("docs", "加强行政规范性文件备案审查", 1, node_id=node_docs.id, status="accepted",
                     due=dt.date(2025, 12, 31)),
        "review": task("review", "推进行政复议规范化建设", 2, node_id=node_review.id, status="accepted",
                       due=dt.date(2025, 12, 31)),
        "leader": task("leader", "落实党政主要负责人履行推进法治建设第一责任人职责", 3, section="三、组织保障",
                       status="accepted"),
        "cases": task("cases", "完成行政执法案卷评查", 4, section="二、执法监督", status="assigned",
                      due=dt.date(2025, 9, 30)),
        "mediation": task("mediation", "建设县级人民调解中心", 5, section="二、执法监督", status="in_progress"),
    }
    session.add(Task(campaign_id=campaign.id, position=1, title="临泽县市场监督管理局的任务", lead_unit_id=market.id))
    session.add(Task(campaign_id=next_campaign.id, position=1, title="开展民法典主题宣传月活动",
                     lead_unit_id=bureau.id, due=dt.date(2026, 5, 31)))
    session.flush()

    progress = {
        "docs": _accepted(tasks["docs"], bureau, FILED_TEXT,
                          [{"name": "审查备案规范性文件", "indicator": "normative_docs_filed", "value": 18,
                            "unit": "件", "text": "审查备案规范性文件=18件"}], dt.date(2025, 12, 20)),
        "review": _accepted(tasks["review"], bureau, RECONSIDERATION_TEXT,
                            [{"name": "行政复议案件", "indicator": "admin_reconsideration_cases", "value": 36,
                              "unit": "件", "text": "行政复议案件=36件"},
                             {"name": "行政机关负责人出庭应诉率", "indicator": "head_appearance_rate", "value": 100,
                              "unit": "%", "text": "行政机关负责人出庭应诉率=100%"}], dt.date(2025, 12, 22)),
        "leader": _accepted(tasks["leader"], bureau, LEADER_TEXT,
                            [{"name": "领导干部集中学法次数", "indicator": "law_study_sessions", "value": 6,
                              "unit": "次", "text": "领导干部集中学法次数=6次"}], dt.date(2025, 12, 15)),
        "mediation": Progress(task_id=tasks["mediation"].id, unit_id=bureau.id, text="调解中心已选址。",
                              status="returned", returned_reason="未附佐证"),
    }
    # an older accepted figure of the same indicator: the latest one is the record's value
    early = _accepted(tasks["docs"], bureau, "上半年审查备案行政规范性文件7件。",
                      [{"name": "审查备案规范性文件", "indicator": "normative_docs_filed", "value": 7, "unit": "件",
                        "text": "审查备案规范性文件=7件"}], dt.date(2025, 6, 30))
    session.add_all([early, *progress.values()])
    session.flush()

    evidence_file = Evidence(kind="file", title="2025年行政复议案件台账", unit_id=bureau.id, sha256="1" * 64,
                             size=10, format="xlsx", filename="台账.xlsx", content=b"x")
    evidence_fact = Evidence(kind="report_fact", title="行政应诉案件数", unit_id=bureau.id,
                             indicator="admin_litigation_cases", value=41, value_unit="件",
                             quote="办理行政应诉案件41件", period_start=dt.date(2025, 1, 1),
                             period_end=dt.date(2025, 12, 31))
    rejected = Evidence(kind="report_fact", title="被驳回的数字", unit_id=bureau.id, indicator="legal_aid_cases",
                        value=99, value_unit="件", period_end=dt.date(2025, 12, 31))
    session.add_all([evidence_file, evidence_fact, rejected])
    session.flush()
    session.add_all([
        EvidenceLink(evidence_id=evidence_file.id, target_type="progress", target_id=progress["review"].id),
        EvidenceLink(evidence_id=evidence_fact.id, target_type="task", target_id=tasks["review"].id),
        EvidenceLink(evidence_id=rejected.id, target_type="task", target_id=tasks["review"].id, status="rejected"),
    ])

    findings = {
        "no_cause": InspectionFinding(campaign_id=campaign.id, unit_id=bureau.id, source="inspection",
                                      text=PROBLEM_NO_CAUSE),
        "with_cause": InspectionFinding(campaign_id=campaign.id, unit_id=bureau.id, source="inspection",
                                        text=PROBLEM_WITH_CAUSE),
        "rectified": InspectionFinding(campaign_id=campaign.id, unit_id=bureau.id, source="inspection",
                                       text=RECTIFIED),
    }
    session.add_all(findings.values())
    session.flush()
    rectifications = {
        "no_cause": Rectification(finding_id=findings["no_cause"].id, unit_id=bureau.id,
                                  measure="组织全系统执法案卷集中评查", deadline=dt.date(2026, 6, 30), status="open"),
        "with_cause": Rectification(finding_id=findings["with_cause"].id, unit_id=bureau.id,
                                    measure="充实法律顾问队伍", status="in_progress"),
        "rectified": Rectification(finding_id=findings["rectified"].id, unit_id=bureau.id,
                                   measure="明确专人每周更新", status="closed",
                                   closed_at=dt.datetime(2025, 11, 20, 3, tzinfo=UTC)),
    }
    session.add_all(rectifications.values())

    profile = Profile(name="县直部门考核细则", year=YEAR, sha256="2" * 64, data={})
    session.add(profile)
    session.flush()
    item = ProfileItem(profile_id=profile.id, ref="1", content="规范性文件报备", points=5, kind="score")
    full = ProfileItem(profile_id=profile.id, ref="2", content="行政复议工作", points=10, kind="score")
    session.add_all([item, full])
    session.flush()
    assessment = Assessment(campaign_id=campaign.id, unit_id=bureau.id, profile_id=profile.id, status="final",
                            reviewed_total=93, final_total=93)
    session.add(assessment)
    session.flush()
    lost = ItemAssessment(assessment_id=assessment.id, item_id=item.id, final_score=3,
                          scorer_reason="报备不及时", status="final")
    session.add_all([lost, ItemAssessment(assessment_id=assessment.id, item_id=full.id, final_score=10,
                                          status="final")])

    last = review_text(LAST_YEAR_TEXT, path="linze_sfj_2024.txt")
    saved = save_review(session, last.to_json(), last.text)
    session.flush()
    return Record(campaign, next_campaign, organiser, bureau, market, town, tasks, progress, evidence_file,
                  evidence_fact, findings, rectifications, lost, assessment, saved.id)

"""Finding reports (fazhi.corpus.search), their original files (originals), bulk downloads (bundle) and the
new list filters and sorting — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import docx
import pytest
from sqlalchemy import func, select, text, update

from fazhi import db
from fazhi.accounts.roles import Scope
from fazhi.corpus import bundle, search, service
from fazhi.corpus.ingest import ingest, original_from_file
from fazhi.corpus.models import ReportOriginal
from fazhi.corpus.originals import OriginalDamaged, read_original
from fazhi.corpus.reports import report_summaries
from fazhi.corpus.service import ReportFilter
from tests.search_helpers import DAOLI, MAIJI, QINGXIU, QINZHOU, review_doc, store

A_TEXT = ("天水市秦州区人民政府关于2022年度法治政府建设情况的报告\n"
          "一、主要举措和成效\n"
          "全年办理行政复议案件12件，行政复议决定全部按期作出。推行“双随机、一公开”监管。\n"
          "二、存在的不足\n基层执法力量薄弱。\n")
B_TEXT = ("南宁市青秀区人民政府2023年法治政府建设年度报告\n"
          "一、工作成效\n深化“放管服”改革，法律顾问出具法律意见书45份，人大代表建议办理率达100%。\n"
          "二、问题\n普法宣传形式单一。\n")
C_TEXT = ("哈尔滨市道里区人民政府关于2023年法治政府建设工作情况的报告\n"
          "一、主要工作\n化解矛盾纠纷320件，办理行政复议案件8件，政协提案办理率达100.0%。\n")
D_TEXT = "天水市麦积区人民政府2021年度法治政府建设情况报告\n一、主要工作\n开展法治宣传活动20场次。\n"


@pytest.fixture
def Session(migrated):
    return db.session_factory(migrated, write=True)


@pytest.fixture
def four(Session) -> dict[str, int]:
    """A (秦州区 2022, 85 分), B (青秀区 2023, 62.5 分, 不足散见), C (道里区 2023, 40 分, 不足和安排缺失),
    D (麦积区 2021, no score, no original file)."""
    with Session.begin() as s:
        return {
            "A": store(s, A_TEXT, QINZHOU, 2022, score=85, name="秦州区.txt"),
            "B": store(s, B_TEXT, QINGXIU, 2023, score=62.5, rules=("shortcomings.no_causes",),
                       embedded=("shortcomings",)),
            "C": store(s, C_TEXT, DAOLI, 2023, score=40, rules=("part.missing.shortcomings", "figures.none"),
                       missing=("shortcomings", "next_year_plan")),
            "D": store(s, D_TEXT, MAIJI, 2021, keep_file=False),
        }


def found(s, query: str, flt: ReportFilter | None = None, scope: Scope | None = None, **kw) -> list[int]:
    return [h.report["id"] for h in search.search(s, query, flt, scope, **kw).hits]


def names(ids: dict[str, int], got: list[int]) -> list[str]:
    back = {v: k for k, v in ids.items()}
    return [back[i] for i in got]


# =========================================================================== the query
def test_phrases_are_split_by_blanks_grouped_by_quotes_and_normalised():
    assert search.phrases("行政复议 法律顾问") == ["行政复议", "法律顾问"]
    assert search.phrases('"依法 行政" 复议') == ["依法行政", "复议"]  # blanks inside Chinese dropped, as in texts
    assert search.phrases("２０２２年") == ["2022年"]  # full-width digits, as normalised texts have them
    assert search.phrases("“双随机、一公开”监管") == ["“双随机、一公开”监管"]  # Chinese quotes are text
    assert search.phrases('"未闭合 引号') == ["未闭合", "引号"]
    assert search.phrases("法治 法治") == ["法治"]
    for bad in ("", "   ", "字" * 201, " ".join(f"词{i}" for i in range(9))):
        with pytest.raises(search.QueryError):
            search.phrases(bad)


def test_snippets_mark_each_phrase_within_its_line():
    body = "第一行没有要找的词。\n" + "甲" * 100 + "法治" + "乙" * 100 + "\n短行法治。\n"
    count, sn = search.snippets(body, ["法治"], context=40)
    assert count == 2 and len(sn) == 2
    long_line = body.index("甲")
    first = sn[0]
    at = body.index("法治")
    assert (first.start, first.end) == (at - 40, at + 2 + 40)
    assert first.cut_before and first.cut_after and first.marks == [(40, 42)]
    assert first.first == (at, at + 2) and first.start > long_line
    second = sn[1]  # a short line: the whole line, nothing cut
    assert second.text == "短行法治。" and not second.cut_before and not second.cut_after
    assert second.segments() == [("短行", False), ("法治", True), ("。", False)]


def test_snippets_show_every_phrase_before_repeats_and_merge_neighbours():
    body = "甲方案" + "。" * 200 + "乙方案" + "。" * 200 + "甲方案丙方案" + "。" * 200 + "丁"
    count, sn = search.snippets(body, ["乙方案", "丙方案", "甲方案"], limit=3, context=5)
    assert count == 4
    # the first 甲, the first 乙 and the first 丙 (five characters each side); the second 甲 falls inside
    # 丙's snippet and is marked there
    assert [s.text for s in sn] == ["甲方案。。。。。", "。。。。。乙方案。。。。。", "。。甲方案丙方案。。。。。"]
    assert sn[2].marks == [(2, 5), (5, 8)]
    assert search.snippets("没有", ["法治"]) == (0, [])


# =========================================================================== search
def test_search_finds_phrases_on_either_backend_with_snippets(Session, four):
    with Session() as s:
        status = search.index_status(s)
        assert status.kind == ("fts5" if s.get_bind().dialect.name == "sqlite" else "pg_trgm")
        res = search.search(s, "行政复议", None, None)
        assert names(four, [h.report["id"] for h in res.hits]) == ["A", "C"]  # year, then unit
        assert res.total == 2 and res.phrases == ["行政复议"]
        a = res.hits[0]
        assert a.count == 2  # 行政复议案件, 行政复议决定
        line = "全年办理行政复议案件12件，行政复议决定全部按期作出。推行“双随机、一公开”监管。"
        assert len(a.snippets) == 1 and a.snippets[0].text == line  # a short line, both in one snippet
        assert [a.snippets[0].text[x:y] for x, y in a.snippets[0].marks] == ["行政复议", "行政复议"]
        start = A_TEXT.index("行政复议")
        assert a.snippets[0].first == (start, start + 4)
        assert a.report["issuer"]["county"] == "秦州区"
        # every phrase must be there
        assert names(four, found(s, "行政复议 矛盾纠纷")) == ["C"]
        assert found(s, "行政复议 法律顾问") == []
        # two characters: shorter than a trigram, found in the texts
        assert names(four, found(s, "复议")) == ["A", "C"]
        assert names(four, found(s, "２０２２年")) == ["A"]
        assert names(four, found(s, "“放管服”")) == ["B"]
        # LIKE's wildcards are text: 100% is not 100.0%
        assert names(four, found(s, "办理率达100%")) == ["B"]
        assert names(four, found(s, "率达100")) == ["B", "C"]
        assert found(s, "不存在的词语") == []


def test_search_combines_with_filters_scope_sort_and_paging(Session, four):
    with Session() as s:
        assert names(four, found(s, "法治政府", ReportFilter.parse(["score=60-"]))) == ["A", "B"]
        assert names(four, found(s, "法治政府", ReportFilter(year=2023))) == ["B", "C"]
        gansu = Scope(label="甘肃省", province="甘肃省")
        assert names(four, found(s, "法治政府", None, gansu)) == ["D", "A"]
        assert found(s, "矛盾纠纷", None, gansu) == []  # 道里区 is outside the scope
        assert names(four, found(s, "法治政府", None, None, sort="-score")) == ["A", "B", "C", "D"]
        page = search.search(s, "法治政府", None, None, sort="-score", limit=2, offset=2)
        assert page.total == 4 and names(four, [h.report["id"] for h in page.hits]) == ["C", "D"]


def test_index_stays_in_step_when_reports_are_stored_replaced_and_deleted(Session, four):
    doc = review_doc(A_TEXT, QINZHOU, 2022, score=85)
    changed = A_TEXT.replace("行政复议决定全部按期作出", "复议决定书全部公开")
    with Session.begin() as s:
        assert service.save_review(s, doc, changed, replace=True).status == "replaced"
    with Session() as s:
        assert found(s, "行政复议决定") == []
        assert names(four, found(s, "复议决定书全部公开")) == ["A"]
    with Session.begin() as s:
        assert service.delete_report(s, four["A"])
    with Session() as s:
        assert found(s, "复议决定书") == [] and names(four, found(s, "行政复议")) == ["C"]
        e = store(s, "西藏自治区拉萨市城关区人民政府2023年法治政府建设报告\n一、成效\n开展高原普法巡回宣讲。\n",
                  ("拉萨市城关区人民政府", "county", "西藏自治区", "拉萨市", "城关区", "540102"), 2023)
        s.commit()
        assert found(s, "高原普法巡回") == [e]
        if s.get_bind().dialect.name == "sqlite":  # FTS5's own check of an external-content index
            s.execute(text("INSERT INTO reports_fts(reports_fts, rank) VALUES ('integrity-check', 1)"))


def test_without_an_index_search_reads_every_text_and_says_so(Session, four):
    """A SQLite without FTS5 trigram, a PostgreSQL where pg_trgm could not be made: migration 0005 makes no
    index; search finds the same reports and says why it is slower."""
    with Session.begin() as s:
        if s.get_bind().dialect.name == "sqlite":
            for stmt in ("DROP TRIGGER reports_fts_insert", "DROP TRIGGER reports_fts_delete",
                         "DROP TRIGGER reports_fts_update", "DROP TABLE reports_fts"):
                s.execute(text(stmt))
        else:
            s.execute(text("DROP INDEX ix_reports_text_trgm"))
    with Session() as s:
        res = search.search(s, "行政复议", None, None)
        assert res.index.kind is None and "全文索引不可用" in res.index.note
        assert names(four, [h.report["id"] for h in res.hits]) == ["A", "C"]
        assert names(four, found(s, "行政复议 矛盾纠纷")) == ["C"]
        assert names(four, found(s, "办理率达100%")) == ["B"]


# =========================================================================== filters and sorting
def test_filters_by_finding_score_and_part_status(Session, four):
    def ids(*where: str) -> list[str]:
        with Session() as s:
            _total, items = report_summaries(s, ReportFilter.parse(list(where)), None)
        return sorted(names(four, [i["id"] for i in items]))

    assert ids("rule=part.missing") == ["C"]  # the rule, whatever part it is about
    assert ids("rule=part.missing.shortcomings") == ["C"]
    assert ids("rule=part") == ["C"]  # the family, up to a dot
    assert ids("rule=par") == [] and ids("rule=part.missing.next_year_plan") == []
    assert ids("rule=part.missing,shortcomings.no_causes") == ["B", "C"]
    assert ids("score=60-90") == ["A", "B"]
    assert ids("score=-50") == ["C"]
    assert ids("score=62.5-") == ["A", "B"]
    assert ids("shortcomings=missing") == ["C"]
    assert ids("shortcomings=missing,embedded") == ["B", "C"]
    assert ids("next_year_plan=dedicated") == ["A", "B", "D"]
    assert ids("shortcomings=embedded", "score=60-") == ["B"]
    for bad in ("score=60", "score=-", "shortcomings=gone", "next_year_plan="):
        with pytest.raises(ValueError):
            ReportFilter.parse([bad])


def test_lists_sort_by_any_column_empty_values_last(Session, four):
    def order(sort: str) -> list[str]:
        with Session() as s:
            return names(four, [i["id"] for i in report_summaries(s, None, None, sort=sort)[1]])

    assert order("-score") == ["A", "B", "C", "D"]
    assert order("score") == ["C", "B", "A", "D"]
    assert order("year") == ["D", "A", "B", "C"]  # 2021, 2022, then 2023 by unit
    units = {"A": QINZHOU[0], "B": QINGXIU[0], "C": DAOLI[0], "D": MAIJI[0]}
    assert order("issuer") == sorted(units, key=units.__getitem__)
    assert order("-issuer") == sorted(units, key=units.__getitem__, reverse=True)
    assert order("nonsense") == order("year")


# =========================================================================== original files
def test_original_is_kept_checked_and_deleted_with_its_report(Session, four):
    with Session() as s:
        got = read_original(s, four["A"])
        assert got is not None and got.data == A_TEXT.encode() and got.name == "秦州区.txt"
        assert got.download_name == "秦州区.txt" and got.media_type == "application/octet-stream"
        assert read_original(s, four["D"]) is None  # stored without its file
    # the same file again fills in the missing original; another file's bytes are refused
    with Session.begin() as s:
        doc = review_doc(D_TEXT, MAIJI, 2021)
        with pytest.raises(ValueError, match="sha256"):
            service.save_review(s, doc, D_TEXT, original=service.Original("x.txt", b"other bytes"))
    with Session.begin() as s:
        again = service.save_review(s, doc, D_TEXT, original=service.Original("麦积区.txt", D_TEXT.encode()))
        assert again == service.Saved(four["D"], "exists")
    with Session() as s:
        assert read_original(s, four["D"]).data == D_TEXT.encode()
    # damaged bytes are refused, not handed on
    with Session.begin() as s:
        s.execute(update(ReportOriginal).where(ReportOriginal.report_id == four["B"]).values(data=b"tampered"))
    with Session() as s:
        with pytest.raises(OriginalDamaged, match="校验失败"):
            read_original(s, four["B"])
    with Session.begin() as s:
        service.delete_report(s, four["A"])
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ReportOriginal)
                        .where(ReportOriginal.report_id == four["A"])) == 0


def test_ingest_keeps_each_file_as_received(migrated, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    gbk = folder / "海南省三亚市吉阳区.txt"
    gbk.write_bytes("三亚市吉阳区人民政府关于2023年度法治政府建设情况的报告\n一、主要举措\n办理行政复议案件6件。\n"
                    .encode("gb18030"))
    utf = folder / "新疆乌鲁木齐市天山区.txt"
    utf.write_bytes("乌鲁木齐市天山区人民政府2022年法治政府建设年度报告\n一、工作成效\n法律援助案件90件。\n".encode())
    res = ingest([folder], engine=migrated, workers=0)
    assert res.counts.ok == 2, res.failures
    with db.session_factory(migrated)() as s:
        kept = {o.name: o.data for o in s.scalars(select(ReportOriginal))}
    assert kept == {gbk.name: gbk.read_bytes(), utf.name: utf.read_bytes()}
    # a file changed after it was reviewed is not kept as the report's original
    sha = hashlib.sha256(utf.read_bytes()).hexdigest()
    assert original_from_file(str(utf), sha) == service.Original(utf.name, utf.read_bytes())
    utf.write_bytes(b"changed")
    assert original_from_file(str(utf), sha) is None
    assert original_from_file(str(tmp_path / "gone.txt"), sha) is None


# =========================================================================== bulk download
def test_bulk_zip_holds_review_opinion_and_original_per_report(Session, four):
    with Session() as s:
        planned = bundle.plan(s, [four["A"], four["D"]], None)
    assert planned is not None
    data = b"".join(bundle.stream(Session, planned))
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    a_dir = f"{four['A']:05d}_天水市秦州区人民政府_2022"
    d_dir = f"{four['D']:05d}_天水市麦积区人民政府_2021"
    assert sorted(zf.namelist()) == sorted([
        f"{a_dir}/审查结果.json", f"{a_dir}/审查意见书.docx", f"{a_dir}/原文.txt",
        f"{d_dir}/审查结果.json", f"{d_dir}/审查意见书.docx", "清单.csv"])
    review = json.loads(zf.read(f"{a_dir}/审查结果.json"))
    assert review["id"] == four["A"] and review["text"] == A_TEXT and review["issuer"]["county"] == "秦州区"
    assert zf.read(f"{a_dir}/原文.txt") == A_TEXT.encode()
    opinion = docx.Document(io.BytesIO(zf.read(f"{d_dir}/审查意见书.docx")))
    assert "麦积区" in "\n".join(p.text for p in opinion.paragraphs)
    manifest = zf.read("清单.csv").decode("utf-8-sig").splitlines()
    assert manifest[0].split(",") == bundle.MANIFEST_HEAD
    assert manifest[1].endswith(",有,有,有（秦州区.txt）") and manifest[1].startswith(f"{four['A']},")
    assert manifest[2].endswith(",有,有,无（入库时未保存原文件）")


def test_bulk_plan_is_all_in_scope_or_nothing_and_names_are_safe(Session, four):
    gansu = Scope(label="甘肃省", province="甘肃省")
    with Session() as s:
        assert [p.id for p in bundle.plan(s, [four["D"], four["A"]], gansu)] == [four["D"], four["A"]]
        assert bundle.plan(s, [four["A"], four["B"]], gansu) is None  # 青秀区 is outside
        assert bundle.plan(s, [four["A"], 987654], None) is None
    assert bundle.folder_name(12, "../../etc/passwd 甲/乙\\丙", 2023) == "00012_etcpasswd甲乙丙_2023"
    assert bundle.folder_name(7, None, None) == "00007"
    assert bundle.parse_ids(["3,5", "5", " 8 "]) == [3, 5, 8]
    for bad in ([], [""], ["x"], ["1;2"], [",".join(str(i) for i in range(1, bundle.MAX_REPORTS + 2))]):
        with pytest.raises(bundle.BundleError):
            bundle.parse_ids(bad)


def test_manifest_cells_never_become_formulas(Session):
    with Session.begin() as s:
        rid = store(s, "=HYPERLINK(\"http://x\")\n一、主要工作\n开展普法。\n", QINZHOU, 2023)
    with Session() as s:
        planned = bundle.plan(s, [rid], None)
    zf = zipfile.ZipFile(io.BytesIO(b"".join(bundle.stream(Session, planned))))
    row = list(csv.reader(io.StringIO(zf.read("清单.csv").decode("utf-8-sig"))))[1]
    assert row[3] == "'=HYPERLINK(\"http://x\")"  # the title, kept as text

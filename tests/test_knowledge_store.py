"""Knowledge as a value (two versions side by side, catastrophic patterns refused), versions kept in the
database (SQLite and PostgreSQL), and `fazhi ingest` / `fazhi knowledge` using the database's active set."""

from __future__ import annotations

import threading

import pytest
import yaml
from sqlalchemy import event, func, select
from sqlalchemy import exc as sa_exc
from typer.testing import CliRunner

from fazhi import db, knowledge
from fazhi.accounts.models import AuditEvent
from fazhi.cli import app as cli_app
from fazhi.corpus.ingest import ingest
from fazhi.corpus.models import IngestRun, Report
from fazhi.knowledge import versions as ks
from fazhi.review import pipeline
from fazhi.review.facts import catalogue
from fazhi.review.pipeline import Reviewer
from tests.knowledge_helpers import RULE, local_rules

pytestmark = [pytest.mark.db]

REPORT = ("焦作市中站区人民政府关于2023年度法治政府建设情况的报告\n一、2023年推进法治政府建设的主要举措和成效\n"
          "（一）加强学法用法。全年组织集中学法4次，办理行政复议案件12件，受理法律援助案件35件。\n"
          "二、存在的不足和原因\n一是法治宣传不够深入。\n"
          "三、党政主要负责人履行推进法治建设第一责任人职责情况\n主要负责人带头学法，研究法治工作3次。\n"
          "四、2024年工作安排\n一是加强法治宣传。\n焦作市中站区人民政府\n2024年2月20日\n")


rules_text = local_rules


def indicators_without(indicator: str, version: str = "2024.1-少一项") -> str:
    data = yaml.safe_load(knowledge.packaged_path("indicators").read_text(encoding="utf-8"))
    data["version"] = version
    data["indicators"] = [i for i in data["indicators"] if i["id"] != indicator]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def no_causes(rv) -> tuple[str, str] | None:
    f = next((f for f in rv.findings if f.rule == RULE), None)
    return (f.severity, f.message) if f else None


# ============================================================================ knowledge as a value
def test_a_review_follows_the_knowledge_it_is_given_and_leaves_the_files_alone():
    base = pipeline.review_text(REPORT)
    assert "admin_reconsideration_cases" in {f.indicator for f in base.facts}
    assert no_causes(base)[0] == "warning" and base.versions["rules"] == "2024.1"

    local = knowledge.from_texts({"indicators": indicators_without("admin_reconsideration_cases"),
                                  "rules": rules_text()})
    rv = Reviewer(local).review_text(REPORT)
    assert "admin_reconsideration_cases" not in {f.indicator for f in rv.facts}
    assert not any(i.id == "admin_reconsideration_cases" for i in catalogue(local).indicators)
    assert no_causes(rv) == ("error", "本地：不足没有分析原因")
    assert rv.versions["rules"] == "2024.1-本地" and rv.versions["indicators"] == "2024.1-少一项"
    assert local.origin["rules"] == "override" and local.origin["parts"] == knowledge.files().origin["parts"]
    # the same texts give the same value (compiled once); the files are untouched
    assert knowledge.from_texts({"rules": rules_text(), "indicators": indicators_without(
        "admin_reconsideration_cases")}) is local
    assert catalogue(local) is catalogue(local)
    assert any(i.id == "admin_reconsideration_cases" for i in catalogue().indicators)
    assert pipeline.review_text(REPORT).to_json() == base.to_json()
    assert knowledge.source("rules") == str(knowledge.packaged_path("rules"))


def test_an_invalid_text_is_refused_with_its_place():
    with pytest.raises(knowledge.KnowledgeError) as info:
        knowledge.from_texts({"rules": rules_text("x", severity="fatal")})
    assert info.value.location.endswith("/severity") and "'fatal' is not one of" in info.value.reason
    with pytest.raises(knowledge.KnowledgeError):
        knowledge.from_texts({"catalogue": "version: x\n"})  # not a file a database can replace
    assert knowledge.files().version("rules") == "2024.1"


@pytest.mark.parametrize("name, where, pattern", [
    ("parts", "parts/shortcomings/text/0", "(([^。]|[^。])*)*不足"),
    ("rules", "rules/{no_causes}/params/causes", "(原因[^。]*)+导致"),
    ("indicators", "indicators/0/exclude", "(讲座|讲)*+(a+)*x"),
    ("units", "names/0", "(第[一二三]+条)*"),
])
def test_a_catastrophic_pattern_is_refused_when_the_text_is_read(name, where, pattern):
    data = yaml.safe_load(knowledge.packaged_path(name).read_text(encoding="utf-8"))
    if name == "rules":
        where = where.format(no_causes=next(i for i, r in enumerate(data["rules"]) if r["id"] == RULE))
    node = data
    *path, last = where.split("/")
    for k in path:
        node = node[int(k)] if isinstance(node, list) else node[k]
    if isinstance(node, list):
        node[int(last)] = pattern
    else:
        node[last] = pattern
    data["version"] = "bad.1"
    with pytest.raises(knowledge.KnowledgeError) as info:
        knowledge.from_texts({name: yaml.safe_dump(data, allow_unicode=True)})
    assert info.value.location == where and "灾难性回溯" in str(info.value)


def test_two_versions_review_in_two_threads_at_once():
    """The same report under two knowledge versions, in two threads started together, many times: every
    review is right for the version its reviewer holds (the rule's severity and the versions agree)."""
    reviewers = {"error": Reviewer(knowledge.from_texts({"rules": rules_text()})), "warning": Reviewer()}
    start = threading.Barrier(len(reviewers))
    bad: list[str] = []
    done: dict[str, int] = {}

    def work(severity: str) -> None:
        start.wait()
        for _ in range(12):
            rv = reviewers[severity].review_text(REPORT)
            want = "2024.1-本地" if severity == "error" else "2024.1"
            if no_causes(rv)[0] != severity or rv.versions["rules"] != want:
                bad.append(f"{severity}: {no_causes(rv)} {rv.versions['rules']}")
            done[severity] = done.get(severity, 0) + 1

    threads = [threading.Thread(target=work, args=(sev,)) for sev in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == [] and done == {"error": 12, "warning": 12}


# ============================================================================ the store, both backends
@pytest.fixture
def Session(migrated):
    return db.session_factory(migrated, write=True)


def test_add_activate_deactivate_and_audit(Session):
    with Session.begin() as s:
        row = ks.add_version(s, "rules", rules_text(), note="  所有不足\x00须析因 ", user=None)
        assert (row.name, row.version, row.active, row.note) == ("rules", "2024.1-本地", False, "所有不足须析因")
        assert ks.active_set(s) == ks.EMPTY
    with Session.begin() as s:
        ks.activate(s, row.id)
        got = ks.active_set(s)
        assert [(v.name, v.version) for v in got.versions] == [("rules", "2024.1-本地")]
        assert got.texts["rules"] == rules_text()
    with Session.begin() as s:
        second = ks.add_version(s, "rules", rules_text("2024.1-本地2", message="第二版"), activate_it=True)
        assert ks.find_version(s, "rules", "2024.1-本地").active is False  # one active per name
        assert ks.find_version(s, "rules", f"#{second.id}").active is True
        assert ks.active_set(s).get("rules").version == "2024.1-本地2"
    with Session.begin() as s:
        assert ks.deactivate(s, "rules").id == second.id
        assert ks.deactivate(s, "rules") is None  # nothing active: nothing changes, nothing audited
        assert ks.active_set(s) == ks.EMPTY
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["knowledge.add", "knowledge.activate", "knowledge.add", "knowledge.activate",
                       "knowledge.deactivate"]
    with Session() as s:
        with pytest.raises(ks.KnowledgeStoreError) as info:
            ks.find_version(s, "rules", "9.9")
        assert info.value.status == 404


def test_the_database_allows_one_active_version_per_file(Session):
    with Session.begin() as s:
        a = ks.add_version(s, "rules", rules_text("a.1"), activate_it=True)
        b = ks.add_version(s, "rules", rules_text("b.1", message="b"))
    with pytest.raises(sa_exc.IntegrityError):
        with Session.begin() as s:
            s.get(ks.KnowledgeVersion, b.id).active = True  # behind the service's back
    with Session() as s:
        assert [v.id for v in ks.active_set(s).versions] == [a.id]


def test_refusals_store_nothing(Session):
    cases = [
        ("rules", rules_text("x.1", severity="fatal"), 422, "rules.yaml 未通过格式校验：rules/"),
        ("rules", b"\xff\xfe\x00bad", 422, "不是 UTF-8"),
        ("rules", "", 422, "是空的"),
        ("rules", rules_text("2024.1"), 409, "与内置版本相同"),
        ("rules", rules_text("x.2").replace("check: no_causes", "check: nope"), 422, "unknown check 'nope'"),
        ("parts", knowledge.packaged_path("parts").read_text(encoding="utf-8")
         .replace('version: "2024.1"', 'version: "p.1"').replace("- 不足|差距", "- 不足(|差距"), 422, "正则表达式无法编译"),
        ("catalogue", "version: x\n", 422, "未知的知识文件"),
        ("rules", rules_text("x\n2"), 422, "version: 字段"),
    ]
    for name, content, status, expect in cases:
        with Session.begin() as s:
            with pytest.raises(ks.KnowledgeStoreError) as info:
                ks.add_version(s, name, content)
        assert info.value.status == status and expect in str(info.value), (name, str(info.value))
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(ks.KnowledgeVersion)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert knowledge.files().version("parts") == "2024.1"  # a trial changes nothing here


def test_a_version_number_of_the_local_knowledge_dir_cannot_name_other_content(Session, tmp_path, monkeypatch):
    (tmp_path / "rules.yaml").write_text(rules_text("2024.1-本机"), encoding="utf-8")
    monkeypatch.setenv("FAZHI_KNOWLEDGE_DIR", str(tmp_path))
    with Session.begin() as s, pytest.raises(ks.KnowledgeStoreError) as info:
        ks.add_version(s, "rules", rules_text("2024.1-本机", message="别的"))
    assert info.value.status == 409 and "FAZHI_KNOWLEDGE_DIR" in str(info.value)
    with Session() as s:
        ov = ks.overview(s)
    rules = next(f for f in ov["files"] if f["name"] == "rules")
    assert rules["base"]["local"] and rules["base"]["version"] == "2024.1-本机" and rules["packaged"] == "2024.1"


def test_active_set_is_one_small_query_once_the_texts_are_known(Session, migrated):
    with Session.begin() as s:
        ks.add_version(s, "rules", rules_text(), activate_it=True)
        ks.add_version(s, "indicators", indicators_without("legal_aid_cases"), activate_it=True)
    with Session() as s:
        ks.active_set(s)  # the texts are read the first time
    statements: list[str] = []
    listener = lambda _c, _cur, stmt, *_a: statements.append(stmt)  # noqa: E731
    event.listen(migrated, "before_cursor_execute", listener)
    try:
        with Session() as s:
            got = ks.active_set(s)
    finally:
        event.remove(migrated, "before_cursor_execute", listener)
    assert [v.name for v in got.versions] == ["indicators", "rules"] and set(got.texts) == {"indicators", "rules"}
    assert len([x for x in statements if "knowledge_versions" in x]) == 1
    assert "content" not in next(x for x in statements if "knowledge_versions" in x)


def test_overview_counts_reports_by_the_knowledge_they_were_reviewed_with(Session, tmp_path, migrated):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    assert ingest([tmp_path / "a.txt"], engine=migrated, workers=0).counts.ok == 1
    with Session.begin() as s:
        ks.add_version(s, "rules", rules_text(), activate_it=True)
    with Session() as s:
        r = ks.overview(s)["reports"]
    assert (r["total"], r["current"], r["other"]) == (1, 0, 1)
    assert r["current_key"].split(";")[3] == "rules=2024.1-本地"
    assert r["by_key"] == [{"key": r["by_key"][0]["key"], "reports": 1, "current": False}]
    assert "rules=2024.1;" in r["by_key"][0]["key"]


# ============================================================================ ingest
@pytest.mark.parametrize("workers", [0, 1])
def test_ingest_reviews_with_the_databases_active_versions(migrated, tmp_path, workers):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    Session = db.session_factory(migrated, write=True)
    with Session.begin() as s:
        ks.add_version(s, "rules", rules_text(), activate_it=True)
    res = ingest([tmp_path], engine=migrated, workers=workers)
    assert res.counts.ok == 1 and res.exit_code == 0
    with Session() as s:
        rep = s.scalars(select(Report)).one()
        f = next(f for f in rep.review["findings"] if f["rule"] == RULE)
        assert (f["severity"], f["message"]) == ("error", "本地：不足没有分析原因")
        assert rep.versions["rules"] == "2024.1-本地"
        run = s.get(IngestRun, res.run_id)
        assert run.versions["rules"] == "2024.1-本地"
    # back to packaged: --refresh re-reviews it with the packaged rules
    with Session.begin() as s:
        ks.deactivate(s, "rules")
    res = ingest([tmp_path], engine=migrated, workers=workers, refresh=True)
    assert (res.counts.refreshed, res.counts.ok) == (1, 0)
    with Session() as s:
        rep = s.scalars(select(Report)).one()
        assert rep.versions["rules"] == "2024.1"
        assert next(f for f in rep.review["findings"] if f["rule"] == RULE)["severity"] == "warning"
    res = ingest([tmp_path], engine=migrated, workers=workers, refresh=True)
    assert (res.counts.refreshed, res.counts.skipped) == (0, 1)  # reviewed with what is in effect: nothing to do


def test_one_review_process_reviews_each_call_under_the_knowledge_it_came_with(tmp_path):
    """The knowledge texts go with each review: the same process (as the web's, an ingest's or a refresh's)
    reviews under a local rule set, the packaged files, and the local set again — each result right."""
    from fazhi.review.pool import ReviewPool, review_file

    path = tmp_path / "a.txt"
    path.write_text(REPORT, encoding="utf-8")
    local = {"rules": rules_text()}
    pool = ReviewPool(1)
    try:
        got = [pool.run("fazhi.review.pool:review_file", str(path), timeout=60, knowledge=texts)
               for texts in (local, {}, local)]
    finally:
        pool.close()
    assert got == [review_file(str(path), knowledge=texts) for texts in (local, {}, local)]
    severity = [next(f["severity"] for f in doc["findings"] if f["rule"] == RULE) for doc, _text in got]
    assert severity == ["error", "warning", "error"]
    assert [doc["versions"]["rules"] for doc, _text in got] == ["2024.1-本地", "2024.1", "2024.1-本地"]


def test_ingest_refuses_an_active_version_this_fazhi_cannot_use(migrated, tmp_path):
    from sqlalchemy import update

    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    Session = db.session_factory(migrated, write=True)
    with Session.begin() as s:
        ks.add_version(s, "rules", rules_text(), activate_it=True)
        s.execute(update(ks.KnowledgeVersion).values(content="version: \"x\"\nrules: 3\n", sha256="1" * 64))
    with pytest.raises(db.StoreError, match=r"active rules version 2024.1-本地 .* cannot be used"):
        ingest([tmp_path], engine=migrated, workers=1)
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == 0


# ============================================================================ the CLI
runner = CliRunner()


def test_cli_add_list_activate_show_deactivate(tmp_path):
    dbfile = str(tmp_path / "k.sqlite")
    f = tmp_path / "rules.yaml"
    f.write_text(rules_text(), encoding="utf-8")
    r = runner.invoke(cli_app, ["knowledge", "add", str(f), "--db", dbfile, "--note", "本地", "--user", "alice"])
    assert r.exit_code == 0 and "rules v2024.1-本地 已保存为 #1" in r.stdout
    r = runner.invoke(cli_app, ["knowledge", "add", str(f), "--db", dbfile])
    assert r.exit_code == 1 and "已存储为版本 2024.1-本地" in r.stderr
    r = runner.invoke(cli_app, ["knowledge", "activate", "rules", "2024.1-本地", "--db", dbfile, "--user", "alice"])
    assert r.exit_code == 0 and "已启用" in r.stdout
    r = runner.invoke(cli_app, ["knowledge", "list", "--db", dbfile])
    assert r.exit_code == 0
    assert "rules        在用：v2024.1-本地（数据库中的版本 #1）" in r.stdout and "alice" in r.stdout and "本地" in r.stdout
    assert "parts        在用：v2024.1（随程序安装的文件）" in r.stdout
    r = runner.invoke(cli_app, ["knowledge", "show", "rules", "#1", "--db", dbfile])
    assert r.exit_code == 0 and r.stdout == rules_text()
    r = runner.invoke(cli_app, ["knowledge", "deactivate", "rules", "--db", dbfile])
    assert r.exit_code == 0 and "已停用" in r.stdout
    r = runner.invoke(cli_app, ["knowledge", "deactivate", "rules", "--db", dbfile])
    assert r.exit_code == 0 and "未作改动" in r.stdout
    eng = db.make_engine(dbfile)
    try:
        with db.session_factory(eng)() as s:
            rows = s.execute(select(AuditEvent.action, AuditEvent.user_id).order_by(AuditEvent.id)).all()
    finally:
        eng.dispose()
    assert [a for a, _u in rows] == ["knowledge.add", "knowledge.activate", "knowledge.deactivate"]
    assert rows[0].user_id is not None and rows[0].user_id == rows[1].user_id and rows[2].user_id is None


def test_cli_errors_exit_non_zero_with_the_reason(tmp_path):
    dbfile = str(tmp_path / "k.sqlite")
    bad = tmp_path / "rules.yaml"
    bad.write_text(rules_text("x.1", severity="fatal"), encoding="utf-8")
    r = runner.invoke(cli_app, ["knowledge", "add", str(bad), "--db", dbfile])
    assert r.exit_code == 1 and "rules.yaml 未通过格式校验：rules/" in r.stderr and "'fatal'" in r.stderr
    odd = tmp_path / "my-rules.yaml"
    odd.write_text(rules_text(), encoding="utf-8")
    r = runner.invoke(cli_app, ["knowledge", "add", str(odd), "--db", dbfile])
    assert r.exit_code == 1 and "--name" in r.stderr
    r = runner.invoke(cli_app, ["knowledge", "add", str(odd), "--name", "rules", "--db", dbfile, "--activate"])
    assert r.exit_code == 0 and "并已启用" in r.stdout
    r = runner.invoke(cli_app, ["knowledge", "activate", "rules", "9.9", "--db", dbfile])
    assert r.exit_code == 1 and "没有版本 9.9" in r.stderr
    r = runner.invoke(cli_app, ["knowledge", "add", str(tmp_path / "missing.yaml"), "--db", dbfile])
    assert r.exit_code == 1 and "missing.yaml" in r.stderr


def test_cli_knowledge_without_a_subcommand_still_lists_the_files_in_use():
    r = runner.invoke(cli_app, ["knowledge"])
    assert r.exit_code == 0
    for name in knowledge.NAMES:
        assert f"✓ {name}" in r.stdout and str(knowledge.packaged_path(name)) in r.stdout


def test_cli_compare_names_indicators_as_the_databases_catalogue_does(tmp_path):
    dbfile = str(tmp_path / "k.sqlite")
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    r = runner.invoke(cli_app, ["ingest", str(tmp_path / "a.txt"), "--db", dbfile, "-j", "0", "-q"])
    assert r.exit_code == 0, r.stderr
    data = yaml.safe_load(knowledge.packaged_path("indicators").read_text(encoding="utf-8"))
    data["version"] = "2024.1-改名"
    for i in data["indicators"]:
        if i["id"] == "law_study_sessions":
            i["name"] = "集中学法（本地名称）"
    f = tmp_path / "indicators.yaml"
    f.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert runner.invoke(cli_app, ["knowledge", "add", str(f), "--activate", "--db", dbfile]).exit_code == 0
    out = tmp_path / "c.csv"
    r = runner.invoke(cli_app, ["compare", "--db", dbfile, "--csv", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "集中学法（本地名称）" in out.read_text(encoding="utf-8-sig")

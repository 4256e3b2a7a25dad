"""The store: migrations, the service layer (save, query, delete), URLs — on SQLite and PostgreSQL."""

from __future__ import annotations

import copy

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from fazhi import db
from fazhi.accounts.models import AuditEvent, User
from fazhi.corpus import service
from fazhi.corpus.models import Fact, Finding, PartRow, Quantity, Report
from fazhi.db.schema import include_object, metadata
from fazhi.units.models import Issuer

pytestmark = [pytest.mark.db]

TABLES = {"users", "issuers", "ingest_runs", "ingest_failures", "reports", "facts", "quantities", "findings",
          "parts", "audit_events", "alembic_version", "report_originals"}


# ----------------------------------------------------------------------------- helpers
def fact_json(f: Fact) -> dict:
    d = {"indicator": f.indicator, "value": f.value, "unit": f.unit, "approx": f.approx, "start": f.start,
         "end": f.end, "text": f.text}
    if f.name:
        d["name"] = f.name
    if f.quantity_start is not None:
        d["quantity"] = {"start": f.quantity_start, "end": f.quantity_end}
    return d


def expected_fact(f: dict) -> dict:
    d = {k: f[k] for k in ("indicator", "value", "unit", "approx", "start", "end", "text")}
    if f.get("name"):
        d["name"] = f["name"]
    if f.get("quantity"):
        d["quantity"] = {"start": f["quantity"]["start"], "end": f["quantity"]["end"]}
    return d


def assert_rows_match(report: Report, doc: dict) -> None:
    """The report's rows say exactly what its fazhi.review/1 document says."""
    assert [fact_json(f) for f in report.facts] == [expected_fact(f) for f in doc["facts"]]
    assert [{"value": q.value, "unit": q.unit, "approx": q.approx, "start": q.start, "end": q.end,
             "text": q.text} for q in report.quantities] == \
        [{k: q[k] for k in ("value", "unit", "approx", "start", "end", "text")} for q in doc["quantities"]]
    assert [{"rule": f.rule, "severity": f.severity, "message": f.message, "evidence": f.evidence}
            for f in report.findings] == doc["findings"]
    parts = {p.name: p for p in report.parts}
    assert set(parts) == set(doc["parts"])
    for name, want in doc["parts"].items():
        got = parts[name]
        assert got.status == want["status"]
        ev = want.get("evidence")
        assert (got.evidence_start, got.evidence_end, got.evidence_text) == \
            ((ev["start"], ev["end"], ev["text"]) if ev else (None, None, None))
    for f in report.facts:  # offsets index the stored text
        assert report.text[f.start:f.end] == f.text


@pytest.fixture
def Session(migrated):  # a session factory
    return db.session_factory(migrated, write=True)


# ----------------------------------------------------------------------------- migrations
def test_upgrade_creates_schema_and_is_idempotent(engine):
    assert db.current_revision(engine) is None
    assert db.upgrade(engine) == db.head_revision()
    assert TABLES <= set(db.table_names(engine))
    assert db.upgrade(engine) == db.head_revision()  # a no-op the second time
    assert db.ensure_schema(engine) == db.head_revision()
    assert TABLES <= set(db.table_names(engine))


def test_schema_head_constant():
    assert db.SCHEMA_HEAD == db.head_revision()


def test_head_matches_models(migrated):
    with migrated.connect() as conn:
        # the full-text index (FTS5 table, trigram index) is outside the models: left out by include_object
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True,
                                                                       "include_object": include_object}), metadata)
    assert diff == []


def test_upgrade_by_url_string(db_url):
    assert db.upgrade(db_url) == db.head_revision()
    eng = db.make_engine(db_url)
    try:
        assert db.current_revision(eng) == db.head_revision()
    finally:
        eng.dispose()


# ----------------------------------------------------------------------------- saving
def test_save_review_rows_equal_json(Session, seed_reviews):
    ids = {}
    with Session.begin() as s:
        for stem, rv in seed_reviews.items():
            saved = service.save_review(s, rv.to_json(), rv.text)
            assert saved.status == "created"
            ids[stem] = saved.id
    with Session() as s:
        for stem, rv in seed_reviews.items():
            doc = rv.to_json()
            rep = service.get_report(s, ids[stem])
            assert rep is not None and rep.sha256 == doc["source"]["sha256"]
            assert rep.text == rv.text
            assert rep.title == doc["title"] and rep.year == doc["year"]
            assert rep.score_total == doc["score"]["total"]
            assert rep.review["facts"] == doc["facts"]
            assert service.report_json(rep, with_text=True) == {**doc, "text": rv.text}
            assert rep.versions and service.knowledge_key(rep.versions) == rep.knowledge
            assert_rows_match(rep, doc)
            iss = doc["issuer"]
            assert rep.issuer is not None and rep.issuer.province == iss["province"]
            assert rep.issuer_name == iss["name"]
        assert service.count_reports(s) == 5
        assert s.scalar(select(func.count()).select_from(Fact)) == sum(len(r.facts) for r in seed_reviews.values())


def test_save_review_twice_is_a_no_op(Session, seed_reviews):
    rv = next(iter(seed_reviews.values()))
    with Session.begin() as s:
        first = service.save_review(s, rv.to_json(), rv.text)
    with Session.begin() as s:
        again = service.save_review(s, rv.to_json(), rv.text)
    assert again == service.Saved(first.id, "exists")
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == 1
        assert s.scalar(select(func.count()).select_from(Fact)) == len(rv.facts)


def test_replace_keeps_id_and_replaces_children(Session, seed_reviews):
    rv = seed_reviews[sorted(seed_reviews)[1]]
    doc = rv.to_json()
    with Session.begin() as s:
        first = service.save_review(s, doc, rv.text, versions={"rules": "old"})
    changed = copy.deepcopy(doc)
    changed["facts"] = changed["facts"][:2]
    changed["findings"] = []
    with Session.begin() as s:
        user = service.get_or_create_user(s, "reviewer", role="editor")
        again = service.save_review(s, changed, rv.text, replace=True, user=user)
    assert again == service.Saved(first.id, "replaced")
    with Session() as s:
        rep = service.get_report(s, first.id)
        assert rep is not None
        assert_rows_match(rep, changed)
        assert rep.knowledge == service.knowledge_key(service.current_versions())
        assert rep.updated_by is not None and rep.updated_by.name == "reviewer"
        events = s.scalars(select(AuditEvent)).all()
        assert [(e.action, e.object_id) for e in events] == [("report.refresh", first.id)]


def test_save_reviews_batch_with_duplicates(Session, seed_reviews):
    items = [service.ReviewItem(rv.to_json(), rv.text) for rv in seed_reviews.values()]
    items.append(items[0])  # the same report twice in one batch
    with Session.begin() as s:
        saved = service.save_reviews(s, items)
    assert [x.status for x in saved] == ["created"] * 5 + ["exists"]
    assert saved[5].id == saved[0].id
    with Session() as s:
        assert service.count_reports(s) == 5
        for it, sv in zip(items, saved, strict=True):
            rep = service.get_report(s, sv.id)
            assert rep is not None
            assert_rows_match(rep, it.review)


def test_nul_in_text_is_stored(Session):
    from fazhi.review.pipeline import review_text

    rv = review_text("某某区人民政府关于2023年度法治政府建设情况的报告\n一、主要举措\n开展集中学法\x004次。\n")
    assert "\x00" in rv.text
    with Session.begin() as s:
        saved = service.save_review(s, rv.to_json(), rv.text)
    with Session() as s:
        rep = service.get_report(s, saved.id)
        assert rep is not None and len(rep.text) == len(rv.text) and "\x00" not in rep.text


# ----------------------------------------------------------------------------- issuers
def test_issuer_key_same_unit_across_names_and_years():
    a = {"name": "平桥区人民政府", "level": "county", "province": "河南省", "city": "信阳市", "county": "平桥区",
         "township": None, "code": "411503"}
    b = dict(a, name="平桥区")
    assert service.issuer_key(a) == service.issuer_key(b) == "county|411503"
    dept = {"name": "中站区司法局", "level": "department", "province": "河南省", "city": "焦作市",
            "county": "中站区", "township": None, "code": "410803", "department": "司法局"}
    assert service.issuer_key(dept) == "department|410803|司法局"
    assert service.issuer_key(dict(dept, department=None, name="焦作市中站区司法局")) == "department|410803|司法局"
    nocode = {"name": "某某镇人民政府", "level": "township", "province": None, "city": None, "county": None,
              "township": "某某镇"}
    assert service.issuer_key(nocode) == service.issuer_key(dict(nocode, name="某某镇")) == "township|///某某镇|某某镇"
    ministry = {"name": "司法部", "level": "department", "province": None, "city": None, "county": None,
                "township": None}
    assert service.issuer_key(ministry) == "department|///|司法部"
    assert service.issuer_key(None) is None
    assert service.issuer_key({"name": None, "level": None}) is None
    assert len(service.issuer_key(dict(nocode, name="长" * 400)) or "") <= 200


def test_same_unit_two_years_is_one_issuer(Session, seed_reviews):
    rv = seed_reviews[sorted(seed_reviews)[0]]
    doc = rv.to_json()
    other = copy.deepcopy(doc)
    other["source"]["sha256"] = "0" * 64
    other["year"] = doc["year"] - 1
    other["issuer"]["name"] = doc["issuer"]["name"].replace("人民政府", "")
    with Session.begin() as s:
        a = service.save_review(s, doc, rv.text)
        b = service.save_review(s, other, rv.text)
    with Session() as s:
        ra, rb = service.get_report(s, a.id), service.get_report(s, b.id)
        assert ra is not None and rb is not None
        assert ra.issuer_id == rb.issuer_id
        assert s.scalar(select(func.count()).select_from(Issuer)) == 1
        assert rb.issuer_name == other["issuer"]["name"]


# ----------------------------------------------------------------------------- queries
@pytest.fixture
def stored(Session, seed_reviews):
    with Session.begin() as s:
        for rv in seed_reviews.values():
            service.save_review(s, rv.to_json(), rv.text)
    return seed_reviews


def test_list_and_filter(Session, stored):
    with Session() as s:
        everything = service.list_reports(s)
        assert len(everything) == 5
        jz = service.list_reports(s, service.ReportFilter(region="焦作市"))
        assert {r.issuer.county for r in jz} == {"中站区", "解放区"}
        assert service.count_reports(s, service.ReportFilter(province="黑龙江省")) == 1
        assert service.count_reports(s, service.ReportFilter(level="township")) == 1
        assert service.count_reports(s, service.ReportFilter(level=["county", "street"])) == 4
        assert service.count_reports(s, service.ReportFilter(year=2023)) == 5
        assert service.count_reports(s, service.ReportFilter(year=[2021, 2022])) == 0
        assert service.count_reports(s, service.ReportFilter(year_from=2023, year_to=2024)) == 5
        assert service.count_reports(s, service.ReportFilter(issuer="辛集乡")) == 1
        assert service.count_reports(s, service.ReportFilter(code="4108")) == 2
        assert service.count_reports(s, service.ReportFilter(region="焦作市", level="street")) == 1
        one = service.list_reports(s, service.ReportFilter(issuer="前进区"))[0]
        assert service.count_reports(s, service.ReportFilter(issuer=one.issuer_id)) == 1
        assert len(service.list_reports(s, limit=2)) == 2
        assert {i.county for i in service.list_issuers(s, service.ReportFilter(region="焦作市"))} == \
            {"中站区", "解放区"}
        assert len(service.list_issuers(s)) == 5
        summary = service.report_summary(one)
        assert summary["issuer"]["province"] == "黑龙江省" and summary["year"] == 2023


def test_parse_where():
    f = service.ReportFilter.parse(["year=2021-2023", "level=county,township", "region=焦作市", "issuer=7"])
    assert (f.year_from, f.year_to, f.level, f.region, f.issuer) == (2021, 2023, ["county", "township"], "焦作市", 7)
    assert service.ReportFilter.parse(["year=2023"]).year == 2023
    assert service.ReportFilter.parse(["year=2022,2023"]).year == [2022, 2023]
    with pytest.raises(ValueError, match="unknown key"):
        service.ReportFilter.parse(["colour=red"])
    with pytest.raises(ValueError, match="bad value"):
        service.ReportFilter.parse(["year=last"])
    with pytest.raises(ValueError, match="key=value"):
        service.ReportFilter.parse(["year"])


def test_fact_rows_for_compare(Session, stored):
    with Session() as s:
        rows = service.fact_rows(s, service.ReportFilter(region="焦作市"), indicators=["publicity_materials"])
        assert rows and {r.indicator for r in rows} == {"publicity_materials"}
        assert {r.city for r in rows} == {"焦作市"}
        for r in rows:
            assert r.text and r.year == 2023 and r.issuer_name
        total = service.fact_rows(s)
        assert len(total) == sum(len(rv.facts) for rv in stored.values())


def test_get_report_by_sha_and_prefix(Session, stored):
    rv = next(iter(stored.values()))
    sha = rv.source.sha256
    with Session() as s:
        a = service.get_report(s, sha)
        b = service.get_report(s, sha[:12])
        assert a is not None and b is not None and a.id == b.id
        assert service.get_report(s, str(a.id)).id == a.id
        assert service.get_report(s, "f" * 64) is None


def test_delete_report_cascades_and_audits(Session, stored):
    rv = next(iter(stored.values()))
    with Session() as s:
        rep = service.get_report(s, rv.source.sha256)
        assert rep is not None
        rid, issuer_id = rep.id, rep.issuer_id
    with Session.begin() as s:
        admin = service.get_or_create_user(s, "admin", role="admin")
        assert service.delete_report(s, rid, user=admin) is True
    with Session.begin() as s:
        assert service.delete_report(s, rid) is False
    with Session() as s:
        assert service.get_report(s, rid) is None
        for model in (Fact, Quantity, Finding, PartRow):
            assert s.scalar(select(func.count()).select_from(model).where(model.report_id == rid)) == 0
        assert s.get(Issuer, issuer_id) is not None  # units stay
        ev = s.scalars(select(AuditEvent)).one()
        assert (ev.action, ev.object_id, ev.user.name) == ("report.delete", rid, "admin")
        assert ev.detail["sha256"] == rv.source.sha256
        assert service.count_reports(s) == 4


def test_users_get_or_create(Session):
    with Session.begin() as s:
        a = service.get_or_create_user(s, "张三", role="editor")
        b = service.get_or_create_user(s, "张三")
        assert a.id == b.id and b.role == "editor"
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1


def test_stats_and_runs(Session, stored):
    with Session.begin() as s:
        run = service.start_run(s, args={"paths": ["x"]}, total=3)
        service.record_failure(s, run.id, "/x/bad.txt", "empty file")
        service.finish_run(s, run.id, status="completed", counts={"ok": 2, "failed": 1, "total": 3})
    with Session() as s:
        st = service.stats(s)
        assert st["reports"] == 5 and st["ingest_runs"] == 1 and st["ingest_failures"] == 1
        got = service.get_run(s, run.id)
        assert got is not None and got.status == "completed" and got.finished_at is not None
        assert [(f.path, f.reason) for f in got.failures] == [("/x/bad.txt", "empty file")]
        assert service.list_runs(s)[0].id == run.id


# ----------------------------------------------------------------------------- where the database is
def test_resolve_url(monkeypatch, tmp_path):
    monkeypatch.delenv(db.ENV_URL, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert db.resolve_url() == f"sqlite:///{tmp_path / 'xdg' / 'fazhi' / 'fazhi.sqlite'}"
    monkeypatch.setenv(db.ENV_URL, "postgresql://u@h/d")
    assert db.resolve_url() == "postgresql+psycopg://u@h/d"
    assert db.resolve_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert db.resolve_url(tmp_path / "x.sqlite") == f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert db.resolve_url("sqlite:////a/b.sqlite") == "sqlite:////a/b.sqlite"
    assert db.describe("postgresql+psycopg://u:secret@h/d") == "postgresql+psycopg://u:***@h/d"
    assert db.describe("sqlite:///file:/a/b.sqlite?mode=ro&uri=true") == "/a/b.sqlite"


def test_sqlite_pragmas(tmp_path):
    eng = db.make_engine(f"sqlite:///{tmp_path / 'deep' / 'er' / 'x.sqlite'}")  # folders are created
    try:
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        eng.dispose()


def test_sqlite_writer_takes_the_lock_at_begin(tmp_path):
    import sqlite3

    path = tmp_path / "w.sqlite"
    db.upgrade(f"sqlite:///{path}")
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        with db.session_factory(eng, write=True).begin() as s:
            s.execute(select(func.count()).select_from(Report))  # a read only: the lock is held already
            other = sqlite3.connect(path, timeout=0)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        with db.session_factory(eng).begin() as s:  # readers do not lock
            s.execute(select(func.count()).select_from(Report))
            other = sqlite3.connect(path, timeout=0)
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            other.close()
    finally:
        eng.dispose()

"""File modes (issue 8, defect 5): the SQLite database holds password hashes and the key that signs
sessions, the similarity index holds report text — fazhi makes them readable by their owner only, whatever
the umask, and warns when it finds them readable by others."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fazhi.cli import app as cli
from fazhi.web.app import create_app
from tests.security.conftest import JIAOZUO, XINYANG, Web, add_token, add_user, report_text
from tests.web.conftest import web_settings


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_the_database_its_journal_and_its_folder_are_the_owners_only(tmp_path: Path, mask: int) -> None:
    folder = tmp_path / "数据" / "fazhi"
    db = folder / "fazhi.sqlite"
    with umask(mask):
        app = create_app(f"sqlite:///{db}", settings=web_settings())
        try:
            add_user(app, "admin", "admin")
            h = {"Authorization": f"Bearer {add_token(app, 'admin')}"}
            assert Web(app).upload([("a.txt", report_text(JIAOZUO).encode())], headers=h).status_code == 201
            files = sorted(folder.iterdir())
            assert {f.name for f in files} >= {"fazhi.sqlite", "fazhi.sqlite-wal", "fazhi.sqlite-shm"}
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        finally:
            app.state.engine.dispose()
    assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700  # both made by fazhi


def test_the_similarity_index_is_the_owners_only(tmp_path: Path) -> None:
    db = tmp_path / "fazhi.sqlite"
    app = create_app(f"sqlite:///{db}", settings=web_settings())
    try:
        add_user(app, "admin", "admin")
        h = {"Authorization": f"Bearer {add_token(app, 'admin')}"}
        Web(app).upload([("a.txt", report_text(JIAOZUO).encode()), ("b.txt", report_text(XINYANG).encode())],
                        headers=h)
    finally:
        app.state.engine.dispose()
    with umask(0o000):
        r = CliRunner().invoke(cli, ["similar", "--all", "--rebuild", "--db", str(db)])
    assert r.exit_code == 0, r.output
    index = tmp_path / "fazhi.sqlite.similar.npz"
    assert index.is_file() and _mode(index) == 0o600


def _exposed_database(tmp_path: Path) -> Path:
    """A database file someone made readable by everyone (as fazhi did before)."""
    db = tmp_path / "old.sqlite"
    app = create_app(f"sqlite:///{db}", settings=web_settings())
    app.state.engine.dispose()
    os.chmod(db, 0o644)
    return db


def test_serving_a_database_others_can_read_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = _exposed_database(tmp_path)
    with caplog.at_level(logging.WARNING, logger="fazhi.web"):
        app = create_app(f"sqlite:///{db}", settings=web_settings())
    app.state.engine.dispose()
    warned = [r.getMessage() for r in caplog.records if r.name == "fazhi.web"]
    assert any(str(db) in m and "chmod 600" in m and "冒充管理员登录" in m for m in warned), warned
    assert _mode(db) == 0o644  # fazhi says so; it does not change an administrator's file by itself


def test_cli_commands_that_open_the_database_warn(tmp_path: Path) -> None:
    db = _exposed_database(tmp_path)
    r = CliRunner().invoke(cli, ["user", "list", "--db", str(db)])
    assert r.exit_code == 0 and "警告" in r.output and f"chmod 600 {db}" in r.output, r.output
    os.chmod(db, 0o600)
    r = CliRunner().invoke(cli, ["user", "list", "--db", str(db)])
    assert r.exit_code == 0 and "警告" not in r.output


def test_the_session_key_is_kept_only_where_only_the_owner_reads(tmp_path: Path) -> None:
    """Without FAZHI_SECRET_KEY the generated key is in the database — a file of mode 0600."""
    from fazhi.accounts.models import AppSetting

    db = tmp_path / "key.sqlite"
    app = create_app(f"sqlite:///{db}", settings=web_settings())
    try:
        with app.state.Session() as s:
            assert len(s.get(AppSetting, "secret_key").value) >= 48
    finally:
        app.state.engine.dispose()
    assert _mode(db) == 0o600
    assert not [p for p in tmp_path.iterdir() if _mode(p) & 0o077]

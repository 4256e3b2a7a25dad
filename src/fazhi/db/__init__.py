"""Engines, sessions and migrations: where the database is and how to talk to it.

Where: :func:`resolve_url` — ``--db`` (a URL or a file path), else
``FAZHI_DATABASE_URL``, else a SQLite file in the per-user data folder
(``platformdirs.user_data_dir("fazhi")/fazhi.sqlite``).  ``postgresql://`` and
``postgres://`` URLs use psycopg 3.

How: :func:`make_engine` returns an engine that replaces a dropped
PostgreSQL connection at checkout: by default it pings every connection it
hands out (``pool_pre_ping``); a busy server (the web app) asks for
``ping_idle=N`` instead, which pings only a connection that sat unused in the
pool for N seconds or more — under load a connection is handed out again
within milliseconds, and a ping is one more round trip per request.  Read
sessions (:func:`session_factory` ``read=True``) on PostgreSQL run in
autocommit: each query sees committed data, and a request makes no
``BEGIN``/``ROLLBACK`` round trips.  SQLite connections
get ``journal_mode=WAL``, ``synchronous=NORMAL``, ``foreign_keys=ON`` and a
30 s busy timeout, and transactions are begun by SQLAlchemy (``BEGIN``) rather
than by the sqlite3 module, so SAVEPOINTs work and a writer can ask for
``BEGIN IMMEDIATE`` (:func:`writer`): it takes the write lock up front and
waits for another writer instead of failing on a stale read snapshot.

Migrations: :func:`upgrade` runs the Alembic scripts shipped in
``fazhi/db/migrations`` — no ``alembic.ini`` is needed.  It is safe to run
concurrently (SQLite: the write lock; PostgreSQL: an advisory lock) and a
no-op at head.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fazhi.config import Settings

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from fazhi import private

ENV_URL = "FAZHI_DATABASE_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: the newest migration in ``migrations/versions`` (a test checks it against Alembic's head)
SCHEMA_HEAD = "0005"
_PG_LOCK_ID = 0x66617A68  # "fazh": serialises concurrent migrations on PostgreSQL
_SQLITE_BEGIN = "fazhi_sqlite_begin"  # execution option: "DEFERRED" (default) | "IMMEDIATE"


class StoreError(Exception):
    """The database cannot be used (cannot open, read-only, full, gone…).

    ``str()`` is one line that names the database and the reason.
    """


# --------------------------------------------------------------------------- where
def default_path() -> Path:
    """The default SQLite file: ``<user data dir>/fazhi/fazhi.sqlite``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("fazhi", appauthor=False)) / "fazhi.sqlite"


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """The database URL to use: ``db`` (URL or file path), ``$FAZHI_DATABASE_URL``, or the default file."""
    raw = str(db) if db is not None else (os.environ.get(ENV_URL) or "").strip() or None
    if raw is None:
        return "sqlite:///" + str(default_path())
    if "://" not in raw:  # a file path
        return "sqlite:///" + str(Path(raw).expanduser().resolve())
    if raw.startswith("postgres://"):
        raw = "postgresql+psycopg://" + raw[len("postgres://"):]
    elif raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://"):]
    return raw


def settings(database: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
    """The settings of this process (:class:`fazhi.config.Settings` from the environment) with the database
    (``database``: a URL or a SQLite path; None: ``FAZHI_DATABASE_URL``, else the per-user file) resolved
    once.  The CLI builds them once per command, each server process once."""
    from fazhi.config import Settings

    return Settings.from_env(database_url=resolve_url(database), **overrides)


def describe(url: str | URL) -> str:
    """The database for messages: the file of a SQLite URL, else the URL without its password."""
    u = make_url(url) if isinstance(url, str) else url
    if u.get_backend_name() == "sqlite":
        db = u.database or ":memory:"
        if db.startswith("file:"):
            db = db[5:].split("?", 1)[0]
        return db
    return u.render_as_string(hide_password=True)


def exposed_files(url: str | URL) -> list[Path]:
    """The files of a SQLite database (the file, ``-wal``, ``-shm``, the similarity index beside it) that
    other users of the machine may read or write (see :mod:`fazhi.private`); empty for other backends."""
    path = sqlite_path(url)
    if path is None:
        return []
    return private.exposed(sorted(path.parent.glob(glob_escape(path.name) + "*")))


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def sqlite_path(url: str | URL) -> Path | None:
    """The file of a SQLite URL (``None`` for other backends and in-memory databases)."""
    u = make_url(url) if isinstance(url, str) else url
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(describe(u))


# --------------------------------------------------------------------------- how
def make_engine(url: str | URL | None = None, *, sqlite_pragmas: Mapping[str, Any] | None = None,
                ping_idle: float | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (resolved with :func:`resolve_url` when a str or ``None``).

    ``sqlite_pragmas`` are extra ``PRAGMA name=value`` run on every new SQLite
    connection (tests use ``max_page_count`` to simulate a full disk).  A
    SQLite file that does not exist is created ``0600`` (its ``-wal`` and
    ``-shm`` follow), in a folder created ``0700`` if needed
    (:mod:`fazhi.private`); a folder that cannot be created raises
    :class:`StoreError`.

    ``ping_idle``: instead of pinging every connection at checkout, ping only
    one that has been idle in the pool for at least this many seconds (a
    server database; SQLite files need no ping).
    """
    if url is None or (isinstance(url, str) and ("://" not in url or url.startswith(("postgres://", "postgresql://")))):
        # a path, or a URL without its driver; a resolved URL is used as it is
        url = resolve_url(url)
    u = make_url(url)
    kwargs.setdefault("pool_pre_ping", ping_idle is None)
    if u.get_backend_name() == "sqlite":
        path = sqlite_path(u)
        if path is not None and u.query.get("mode") != "ro":
            try:
                private.private_dir(path.parent)
            except OSError as exc:
                raise StoreError(f"cannot create the folder of the database {path}: "
                                    f"{exc.strerror or exc}") from None
            try:
                private.private_file(path)
            except OSError:
                pass  # a read-only folder and the like: the first query says so, with the database named
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("timeout", 30)
        engine = create_engine(u, connect_args=connect_args, **kwargs)
        _sqlite_events(engine, dict(sqlite_pragmas or {}))
    else:
        engine = create_engine(u, **kwargs)
        if ping_idle is not None:
            _ping_when_idle(engine, ping_idle)
    return engine


def _ping_when_idle(engine: Engine, seconds: float) -> None:
    """Ping a pooled connection at checkout only when it has been idle ``seconds`` or more; a dead one
    is replaced (the pool retries the checkout on :class:`~sqlalchemy.exc.DisconnectionError`)."""
    from sqlalchemy import exc

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["fazhi_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("fazhi_idle_since")
        if since is None or time.monotonic() - since < seconds:
            return  # new, or handed back a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as err:
            raise exc.DisconnectionError(f"connection lost while idle: {err}") from err


def _sqlite_events(engine: Engine, pragmas: dict[str, Any]) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN (see _begin)
        cur = dbapi_conn.cursor()
        for stmt in ("PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=30000"):
            cur.execute(stmt)
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError:
            pass  # read-only or full: the first write says so, with the database named
        for name, value in pragmas.items():
            cur.execute(f"PRAGMA {name}={value}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_SQLITE_BEGIN, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def writer(engine: Engine) -> Engine:
    """The same engine, whose transactions take the SQLite write lock at BEGIN (no-op elsewhere)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"})
    return engine


def reader(engine: Engine) -> Engine:
    """The same engine, for sessions that only read: autocommit on PostgreSQL (no ``BEGIN`` and
    ``ROLLBACK`` round trips; every statement sees what is committed); SQLite unchanged."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def session_factory(engine: Engine, *, write: bool = False, read: bool = False) -> sessionmaker[Session]:
    """A ``sessionmaker`` bound to ``engine`` (``write=True``: see :func:`writer`; ``read=True``: see
    :func:`reader` — for sessions that never write).

    ``expire_on_commit=False`` so objects returned by the service layer stay
    readable after the session's transaction ends.
    """
    if write and read:
        raise ValueError("a session factory is for writing or for reading only, not both")
    from fazhi.db import schema  # noqa: F401  (every domain's tables, so relationships across domains resolve)

    bind = writer(engine) if write else reader(engine) if read else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


# --------------------------------------------------------------------------- migrations
def alembic_config(url: str | None = None) -> Any:
    """An Alembic ``Config`` for the migrations shipped in the package (no ini file)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest migration shipped with this fazhi."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None``: no fazhi schema yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str | Engine | None = None, revision: str = "head") -> str:
    """Apply the migrations up to ``revision`` and return the revision the database is at.

    ``url`` is a URL, a path, ``None`` (see :func:`resolve_url`) or an Engine.
    Runs in one transaction; concurrent calls wait for each other.
    """
    from alembic import command

    engine = url if isinstance(url, Engine) else make_engine(url)
    try:
        with writer(engine).begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        rev = current_revision(engine)
    finally:
        if not isinstance(url, Engine):
            engine.dispose()
    return rev or ""


def ensure_schema(engine: Engine) -> str:
    """Upgrade the database to head if it is not there yet; return the revision.

    At head (the usual case) this is one query and Alembic is not even imported.
    """
    with engine.connect() as conn:
        if inspect(conn).has_table("alembic_version"):
            rev = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            if rev == SCHEMA_HEAD:
                return rev
    return upgrade(engine)


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


__all__ = [
    "ENV_URL",
    "SCHEMA_HEAD",
    "StoreError",
    "alembic_config",
    "current_revision",
    "default_path",
    "describe",
    "ensure_schema",
    "exposed_files",
    "head_revision",
    "make_engine",
    "reader",
    "resolve_url",
    "session_factory",
    "settings",
    "sqlite_path",
    "table_names",
    "upgrade",
    "writer",
]

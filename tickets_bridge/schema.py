"""Opening the ticket store: the engine for a database URL, migrated to the newest schema."""

from __future__ import annotations

import fcntl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text

MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(configured: str | None, data_dir: Path) -> str:
    """DATABASE_URL as SQLAlchemy wants it (psycopg 3 for PostgreSQL), else the SQLite file."""
    if not configured:
        data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(data_dir / 'hotline.db').resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if configured.startswith(prefix):
            return "postgresql+psycopg://" + configured[len(prefix):]
    return configured


def open_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and a busy timeout so several processes share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


MIGRATION_LOCK = 0x686F746C696E65
"""PostgreSQL advisory lock key held while migrating ("hotline" in ASCII)."""


def upgrade(engine: Engine) -> None:
    """Bring the store's schema up to the newest migration.

    Processes starting together (web workers, the bridge, other hosts) migrate one at a time;
    each of the others then finds the schema current.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migrating_alone(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # released when the transaction ends
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _migrating_alone(engine: Engine) -> Iterator[None]:
    """For a SQLite file, an exclusive lock on a file beside it while migrating (SQLite's own
    locks come too late: two processes could both find the schema missing)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrating", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def throwaway_schema(url: str, migrated: bool = True) -> Iterator[Engine]:
    """An engine on a fresh PostgreSQL schema of its own (migrated unless told otherwise),
    dropped afterwards: for tests and benchmarks that share one database. The schema rides in
    the URL (`options`), so a URL rendered from the engine and handed to another process
    reaches it too."""
    schema = f"hotline_scratch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = create_engine(make_url(url).update_query_dict(
            {"options": f"-csearch_path={schema}"}))
        try:
            if migrated:
                upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()

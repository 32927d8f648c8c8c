"""Consistent copies of the metadata database while the server runs, and putting one back.

SQLite goes through its online backup API (one step: a single read transaction, so the
copy is one moment of the database even with writers busy in WAL mode). PostgreSQL goes
through `pg_dump` on a snapshot exported from our own REPEATABLE READ transaction, so the
list of blobs read in that transaction describes exactly the dump.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, make_url
from sqlalchemy.engine import URL

from satchel.codes import Code
from satchel.errors import Conflict, Unavailable

Rows = list[tuple[str, int]]
BLOBS_SQL = "SELECT sha256, size FROM blobs ORDER BY sha256"
# Blobs whose bytes live in a user's own bucket (a storage connection), not in ours.
EXTERNAL_SQL = (
    "SELECT sha256 FROM assets WHERE store IS NOT NULL AND sha256 IS NOT NULL "
    "UNION SELECT d.sha256 FROM derivatives d JOIN assets a ON a.id = d.asset_id "
    "WHERE a.store IS NOT NULL"
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    return Path(str(make_url(url).database))


def sqlite_snapshot(url: str, dest: Path) -> tuple[Rows, set[str], str | None]:
    """Copy the database to `dest`; returns its blob rows, external blobs and revision."""
    source = sqlite3.connect(sqlite_path(url), timeout=60)
    try:
        target = sqlite3.connect(dest)
        try:
            source.backup(target)  # pages=-1: the whole file in one step
        finally:
            target.close()
    finally:
        source.close()
    return read_sqlite(dest)


def read_sqlite(path: Path) -> tuple[Rows, set[str], str | None]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [(str(s), int(n)) for s, n in conn.execute(BLOBS_SQL)]
        external = {str(s) for (s,) in conn.execute(EXTERNAL_SQL)}
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    return rows, external, revision[0] if revision else None


def integrity(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it
    (a password on a command line is visible to every user of the machine)."""
    parsed: URL = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Unavailable(
            f"{name} is needed for a PostgreSQL backup (apt-get install postgresql-client).",
            code=Code.FEATURE_UNAVAILABLE,
        )
    return found


def pg_snapshot(url: str, dest: Path) -> tuple[Rows, set[str], str | None]:
    pg_dump = _tool("pg_dump")
    dsn, env = _libpq(url)
    engine = create_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            subprocess.run(  # noqa: S603 - our own arguments
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}", dsn],
                env=env,
                check=True,
                capture_output=True,
            )
            rows = [(str(s), int(n)) for s, n in conn.exec_driver_sql(BLOBS_SQL)]
            external = {str(s) for (s,) in conn.exec_driver_sql(EXTERNAL_SQL)}
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            conn.rollback()
    finally:
        engine.dispose()
    return rows, external, revision


def pg_restore(url: str, dump: Path) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.exec_driver_sql(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).scalar()
    finally:
        engine.dispose()
    if tables:
        raise Conflict(
            "The PostgreSQL database to restore into is not empty.",
            code=Code.RESTORE_TARGET_NOT_EMPTY,
        )
    dsn, env = _libpq(url)
    subprocess.run(  # noqa: S603 - our own arguments
        [_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={dsn}", str(dump)],
        env=env,
        check=True,
        capture_output=True,
    )

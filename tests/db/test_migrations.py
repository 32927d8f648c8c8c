"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from satchel.db import Database
from satchel.db.metadata import collect
from tests.conftest import drop_pg_database, pg_database


def test_models_match_migrations(tmp_path: Path, database_url: str | None) -> None:
    """On each engine: every migration runs, twice is a no-op, and the schema is the models'."""
    if database_url is None:
        db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    else:  # an empty database, not the migrated copy
        server, name = database_url.rsplit("/", 1)
        drop_pg_database(server, name)
        database_url = pg_database(server, name)
        db = Database(database_url)
    db.migrate()
    db.migrate()  # a second run is a no-op
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), collect())
    # The full-text indexes are the engines' own, made by hand: SQLite's FTS5 table (kept
    # by triggers), PostgreSQL's generated tsvector column and its GIN index.
    diff = [d for d in diff if not _full_text(d)]
    assert diff == []
    db.dispose()


def _full_text(d: tuple[object, ...]) -> bool:
    if d[0] == "remove_table":
        return str(getattr(d[1], "name", "")).startswith("assets_fts")
    if d[0] == "remove_column":
        return d[3] is not None and getattr(d[3], "name", None) == "search_document"
    return d[0] == "remove_index" and getattr(d[1], "name", None) == "ix_assets_search_document"


def test_upgrade_keeps_existing_rows(tmp_path: Path) -> None:
    """Altering tables on SQLite must not cascade into the rows that refer to them."""
    db = Database(f"sqlite:///{tmp_path / 'u.db'}")
    db.migrate("0001")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (id, username, role, created_at) VALUES ('usr_1', 'a', 'user', "
            "'2026-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, created_at) "
            "VALUES ('key_1', 'usr_1', 'k', 'sat_', 'h', '[]', '2026-01-01 00:00:00')"
        )
    db.migrate()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM api_keys").scalar() == 1
        assert conn.exec_driver_sql("SELECT status FROM users").scalar() == "active"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_full_text_triggers_survive_every_migration(tmp_path: Path) -> None:
    """Rebuilding `assets` (batch mode) would drop its triggers: migrations must not."""
    db = Database(f"sqlite:///{tmp_path / 't.db'}")
    db.migrate()
    with db.engine.connect() as conn:
        names = {
            r[0]
            for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    assert names >= {"assets_fts_ai", "assets_fts_ad", "assets_fts_au"}
    db.dispose()

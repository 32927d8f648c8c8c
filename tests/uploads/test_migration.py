"""Migration 0010: uploads in progress survive the merge of the two upload tables (their
pending asset rows become reservations), and nothing stored is touched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from satchel.db import Database
from satchel.db.engine import MIGRATIONS

T = "'2026-01-01 00:00:00'"


def _insert(conn: Any, table: str, **values: object) -> None:
    cols = ", ".join(f'"{k}"' for k in values)
    marks = ", ".join(f":{k}" for k in values)
    conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({marks})"), values)


def _asset(
    conn: Any, seq: int, asset_id: str, status: str, sha: str | None, tags: list[str]
) -> None:
    _insert(
        conn,
        "assets",
        seq=seq,
        id=asset_id,
        owner_id="usr_1",
        sha256=sha,
        size=5,
        filename=f"{asset_id}.png",
        media_type="image/png",
        kind="image" if sha else "other",
        status=status,
        description="d",
        tags=json.dumps(tags),
        attributes="{}",
        is_public=False,
        info="{}",
        raw_metadata="{}",
        version=1,
        created_at="2026-01-01 00:00:00",
        updated_at="2026-01-01 00:00:00",
    )
    for tag in tags:
        _insert(conn, "asset_tags", asset_seq=seq, tag=tag)


def _seed(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            f"INSERT INTO users (id, username, role, created_at) VALUES ('usr_1', 'a', 'user', {T})"
        )
        sha = "a" * 64
        _insert(conn, "blobs", sha256=sha, size=5, chunk_sums=b"12345678", created_at="2026-01-01")
        _asset(conn, 1, "ast_ready", "ready", sha, ["kept"])
        _asset(conn, 2, "ast_failed", "failed", sha, [])
        _asset(conn, 3, "ast_put", "uploading", sha, ["put"])  # PUT done, not completed
        _asset(conn, 4, "ast_multi", "uploading", None, [])
        common = {"expires_at": "2099-01-01 00:00:00", "created_at": "2026-01-01 00:00:00"}
        _insert(conn, "uploads", id="upl_put", asset_id="ast_put", expected_size=5,
                declared_type="image/png", dedupe=False, sha256=sha, **common)  # fmt: skip
        _insert(conn, "uploads", id="upl_multi", asset_id="ast_multi", expected_size=9,
                declared_type="text/plain", dedupe=True, **common)  # fmt: skip
        resumable = {"owner_id": "usr_1", "upload_metadata": "{}", "offset": 0,
                     "updated_at": "2026-01-01 00:00:00", **common}  # fmt: skip
        _insert(conn, "resumable_uploads", id="upl_multi", protocol="multipart",
                asset_id="ast_multi", total_size=9, part_size=5, part_count=2, state="open",
                backend_ref="s3-id", **resumable)  # fmt: skip
        _insert(conn, "resumable_uploads", id="upl_tus", protocol="tus", asset_id="ast_ready",
                total_size=5, state="done", result_asset_id="ast_ready", **resumable)  # fmt: skip


def _rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def test_uploads_in_progress_become_reservations(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    db.migrate("0009")
    _seed(db)
    db.migrate()
    assert _rows(db, "SELECT id, status, failure_code FROM assets ORDER BY seq") == [
        ("ast_ready", "ready", None),
        ("ast_failed", "failed", "processing_failed"),
    ]
    assert _rows(db, "SELECT asset_seq, tag FROM asset_tags") == [(1, "kept")]
    uploads = {
        r[0]: r[1:]
        for r in _rows(
            db,
            "SELECT id, protocol, state, asset_id, filename, declared_type, dedupe, sha256, "
            "part_count, backend_ref, fields FROM uploads",
        )
    }
    assert set(uploads) == {"upl_put", "upl_multi", "upl_tus"}
    put = uploads["upl_put"]
    assert put[:7] == ("put", "open", "ast_put", "ast_put.png", "image/png", 0, "a" * 64)
    assert json.loads(put[9])["tags"] == ["put"] and json.loads(put[9])["description"] == "d"
    multi = uploads["upl_multi"]
    assert multi[:3] == ("multipart", "open", "ast_multi") and multi[7:9] == (2, "s3-id")
    assert uploads["upl_tus"][:3] == ("tus", "done", "ast_ready")
    # Full-text search still follows the assets table.
    assert _rows(db, "SELECT rowid FROM assets_fts WHERE assets_fts MATCH 'kept'") == [(1,)]
    db.dispose()


def test_downgrade_gives_the_pending_assets_back(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'd.db'}")
    db.migrate("0009")
    _seed(db)
    db.migrate()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")
        conn.commit()
    assert _rows(db, "SELECT id, status FROM assets WHERE status = 'uploading' ORDER BY id") == [
        ("ast_multi", "uploading"),
        ("ast_put", "uploading"),
    ]
    assert _rows(db, "SELECT id, sha256 FROM uploads ORDER BY id") == [
        ("upl_multi", None),
        ("upl_put", "a" * 64),
    ]
    assert _rows(db, "SELECT id, state FROM resumable_uploads ORDER BY id") == [
        ("upl_multi", "open"),
        ("upl_tus", "done"),
    ]
    db.migrate()  # and up again
    assert len(_rows(db, "SELECT id FROM uploads")) == 3
    db.dispose()

"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from satchel.db import Database
from satchel.db.models import Base


def test_models_match_migrations(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    db.migrate()
    db.migrate()  # a second run is a no-op
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # The full-text index is SQLite-only and maintained by triggers, not by the models.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("assets_fts"))]
    assert diff == []
    db.dispose()

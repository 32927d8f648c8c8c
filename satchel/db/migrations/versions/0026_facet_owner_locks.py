"""facet triggers on PostgreSQL take a per-owner lock first: no deadlock between tag writes

Migration 0020's triggers upsert `asset_facets` rows, and on PostgreSQL each upsert holds
its row until the transaction ends. Two transactions of one owner that write tags in
different orders (tags `["a", "b"]` on one asset while another request sets `["b", "a"]`
on another) each held one tag row and waited for the other's: PostgreSQL broke the cycle
by failing one of them with a deadlock error. Now every facet trigger function first takes
`pg_advisory_xact_lock` on the owner, so one owner's facet writes queue in one line (they
already did on the `total` row for asset writes; tag writes skipped that row). SQLite has
a single writer and needs nothing.

Revision ID: 0026
Revises: 0021
Create Date: 2026-12-03
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0026"
down_revision = "0021"
branch_labels = None
depends_on = None

_OWNER_OF_ROW = "PERFORM pg_advisory_xact_lock(hashtextextended({r}.owner_id, 0))"
_OWNER_OF_TAG = (
    "PERFORM pg_advisory_xact_lock(hashtextextended(a.owner_id, 0)) "
    "FROM assets a WHERE a.seq = {r}.asset_seq"
)


def _facets() -> ModuleType:
    path = Path(__file__).with_name("0020_facet_counts.py")
    spec = importlib.util.spec_from_file_location("satchel_migration_0020", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replace(*, locked: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (event, _when, *body) in _facets()._statements("postgresql").items():
        row = "old" if event.startswith(("BEFORE DELETE", "AFTER DELETE")) else "new"
        if name == "asset_facets_au_old":
            row = "old"
        first = _OWNER_OF_TAG if event.endswith("ON asset_tags") else _OWNER_OF_ROW
        statements = ([first.format(r=row)] if locked else []) + body
        returns = "OLD" if event.startswith("BEFORE DELETE") else "NULL"
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {' '.join(f'{s};' for s in statements)} RETURN {returns}; END $$"
        )


def upgrade() -> None:
    _replace(locked=True)


def downgrade() -> None:
    _replace(locked=False)

"""PostgreSQL full-text search (tsvector + GIN) and cluster-wide leases

On PostgreSQL, assets get `search_document`, a stored generated `tsvector` over the same
fields SQLite's FTS5 index covers (file name, description, alt text, tags), tokenized the
same way (words of letters, digits, `_`, `.` and `-`; case and accents folded), under a GIN
index. It is PostgreSQL-only like `assets_fts` is SQLite-only, so the models leave it out.

`leases` (both engines): a named lease one process holds until it expires, so periodic
work (GC, expiry, sweeps) runs once across every node and worker.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None

# unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes
# the wrapper safe to mark IMMUTABLE, which a generated column requires.
_FOLD = """
CREATE OR REPLACE FUNCTION satchel_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$
"""
_DOCUMENT = (
    "array_to_tsvector(array_remove(regexp_split_to_array(satchel_fold("
    "coalesce(filename, '') || ' ' || coalesce(description, '') || ' ' || "
    "coalesce(alt_text, '') || ' ' || coalesce(tags::text, '')), '[^[:alnum:]_.-]+'), ''))"
)


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    op.execute(_FOLD)
    op.execute(
        f"ALTER TABLE assets ADD COLUMN search_document tsvector "
        f"GENERATED ALWAYS AS ({_DOCUMENT}) STORED"
    )
    op.execute("CREATE INDEX ix_assets_search_document ON assets USING gin (search_document)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_assets_search_document")
        op.execute("ALTER TABLE assets DROP COLUMN IF EXISTS search_document")
        op.execute("DROP FUNCTION IF EXISTS satchel_fold(text)")
    op.drop_table("leases")

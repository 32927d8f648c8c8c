"""facet counts kept by the database: `GET /assets/facets` without filters reads them

`asset_facets` holds, per owner, how many of their assets are in the default view (not
trashed, not archived) in total, per kind, per month taken, per camera (model and make),
per orientation, per tag, and with a location. Counting those live is a scan of every
asset of the owner (seconds at a million); triggers keep the counts in step inside the
same transaction as each insert, update and delete of `assets` and `asset_tags`, on SQLite
and PostgreSQL alike, whatever code path writes them. Counts that fall to 0 stay as rows
(readers skip them). No foreign key to `users`: deleting a user deletes their assets,
whose triggers write here within the same statement, after a cascade would have run.

Tags: an asset's tag rows are counted while the asset is in the default view. When an
asset is deleted its tags are uncounted BEFORE the delete (its `asset_tags` rows still
exist then); the cascade that removes those rows afterwards finds no asset and counts
nothing, and tag rows deleted by hand before the asset are uncounted by their own trigger.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_UPSERT = (
    "INSERT INTO asset_facets (owner_id, facet, value, make, count) {rows} "
    "ON CONFLICT (owner_id, facet, value, make) "
    "DO UPDATE SET count = asset_facets.count + excluded.count"
)


def _month(dialect: str, column: str) -> str:
    if dialect == "sqlite":
        return f"strftime('%Y-%m', {column})"
    return f"to_char({column}, 'YYYY-MM')"


def _row_facets(dialect: str, r: str, sign: str) -> str:
    """The facet rows of asset `r` (`new`/`old`), each counted `sign` (+1/-1); no tags."""
    return " UNION ALL ".join(
        [
            f"SELECT {r}.owner_id, 'total', '', '', {sign}",
            f"SELECT {r}.owner_id, 'kind', {r}.kind, '', {sign}",
            f"SELECT {r}.owner_id, 'month', {_month(dialect, f'{r}.taken_at')}, '', {sign} "
            f"WHERE {r}.taken_at IS NOT NULL",
            f"SELECT {r}.owner_id, 'camera', {r}.camera_model, coalesce({r}.camera_make, ''), "
            f"{sign} WHERE {r}.camera_model IS NOT NULL",
            f"SELECT {r}.owner_id, 'orientation', {r}.orientation, '', {sign} "
            f"WHERE {r}.orientation IS NOT NULL",
            f"SELECT {r}.owner_id, 'location', '', '', {sign} WHERE {r}.latitude IS NOT NULL",
        ]
    )


def _tag_facets(r: str, sign: str) -> str:
    """The tag rows of asset `r`, each counted `sign`."""
    return (
        f"SELECT {r}.owner_id, 'tag', t.tag, '', {sign} FROM asset_tags t "
        f"WHERE t.asset_seq = {r}.seq"
    )


def _visible(r: str) -> str:
    return f"{r}.trashed_at IS NULL AND NOT {r}.is_archived"


# The columns a facet depends on: an update of any other column changes no count.
_WATCHED = (
    "owner_id, kind, taken_at, camera_make, camera_model, orientation, latitude, "
    "trashed_at, is_archived"
)
# SQLite needs `WHERE true` before ON CONFLICT after a SELECT (its parser otherwise reads
# ON as a join's); PostgreSQL takes it too.
_AFTER_SELECT = " WHERE true"


def _statements(dialect: str) -> dict[str, list[str]]:
    """Trigger name -> (event, the statements its body runs), shared by both engines."""

    def upsert(select: str) -> str:
        return _UPSERT.format(rows=f"SELECT * FROM ({select}) AS f{_AFTER_SELECT}")

    return {
        "asset_facets_ai": [
            "AFTER INSERT ON assets",
            _visible("new"),
            upsert(_row_facets(dialect, "new", "1")),
        ],
        "asset_facets_bd": [
            "BEFORE DELETE ON assets",
            _visible("old"),
            upsert(_row_facets(dialect, "old", "-1")),
            upsert(_tag_facets("old", "-1")),
        ],
        "asset_facets_au_old": [
            f"AFTER UPDATE OF {_WATCHED} ON assets",
            _visible("old"),
            upsert(_row_facets(dialect, "old", "-1")),
            upsert(_tag_facets("old", "-1")),
        ],
        "asset_facets_au_new": [
            f"AFTER UPDATE OF {_WATCHED} ON assets",
            _visible("new"),
            upsert(_row_facets(dialect, "new", "1")),
            upsert(_tag_facets("new", "1")),
        ],
        "asset_facets_tag_ai": [
            "AFTER INSERT ON asset_tags",
            "true",
            upsert(
                "SELECT a.owner_id, 'tag', new.tag, '', 1 FROM assets a "
                f"WHERE a.seq = new.asset_seq AND {_visible('a')}"
            ),
        ],
        "asset_facets_tag_ad": [
            "AFTER DELETE ON asset_tags",
            "true",
            upsert(
                "SELECT a.owner_id, 'tag', old.tag, '', -1 FROM assets a "
                f"WHERE a.seq = old.asset_seq AND {_visible('a')}"
            ),
        ],
    }


def _create_triggers(dialect: str) -> None:
    for name, (event, when, *body) in _statements(dialect).items():
        if dialect == "sqlite":
            statements = " ".join(f"{s};" for s in body)
            op.execute(
                f"CREATE TRIGGER {name} {event} FOR EACH ROW WHEN {when} BEGIN {statements} END"
            )
            continue
        # PostgreSQL: a function per trigger (NEW/OLD are upper case there, same meaning).
        statements = " ".join(f"{s};" for s in body)
        returns = "OLD" if event.startswith("BEFORE DELETE") else "NULL"
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {statements} RETURN {returns}; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {name} {event} FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {name}()"
        )


def backfill_sql(dialect: str) -> list[str]:
    """The INSERTs that count every owner's facets from scratch (the list benchmark's
    seeder runs them too, after a COPY with the triggers off)."""
    visible = "trashed_at IS NULL AND NOT is_archived"
    groups = {
        "total": ("''", "''", "true"),
        "kind": ("kind", "''", "true"),
        "month": (_month(dialect, "taken_at"), "''", "taken_at IS NOT NULL"),
        "camera": ("camera_model", "coalesce(camera_make, '')", "camera_model IS NOT NULL"),
        "orientation": ("orientation", "''", "orientation IS NOT NULL"),
        "location": ("''", "''", "latitude IS NOT NULL"),
    }
    statements = []
    for facet, (value, make, where) in groups.items():
        keys = ["owner_id"] + [e for e in (value, make) if e != "''"]  # no constants
        statements.append(
            "INSERT INTO asset_facets (owner_id, facet, value, make, count) "
            f"SELECT owner_id, '{facet}', {value}, {make}, count(*) FROM assets "
            f"WHERE {visible} AND {where} GROUP BY {', '.join(keys)}"
        )
    statements.append(
        "INSERT INTO asset_facets (owner_id, facet, value, make, count) "
        "SELECT a.owner_id, 'tag', t.tag, '', count(*) FROM asset_tags t "
        "JOIN assets a ON a.seq = t.asset_seq "
        "WHERE a.trashed_at IS NULL AND NOT a.is_archived GROUP BY a.owner_id, t.tag"
    )
    return statements


def upgrade() -> None:
    op.create_table(
        "asset_facets",
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("make", sa.String(length=100), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "facet", "value", "make", name=op.f("pk_asset_facets")),
    )
    dialect = op.get_bind().dialect.name
    for sql in backfill_sql(dialect):
        op.execute(sql)
    _create_triggers(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, (event, *_) in _statements(dialect).items():
        table = event.rsplit(" ", 1)[1]
        op.execute(
            f"DROP TRIGGER IF EXISTS {name}" + ("" if dialect == "sqlite" else f" ON {table}")
        )
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("asset_facets")

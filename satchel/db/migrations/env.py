"""Alembic environment: runs migrations on the engine handed over by `Database.migrate`."""

from alembic import context
from sqlalchemy import Connection, create_engine

from satchel.db.metadata import collect

config = context.config


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # The full-text indexes are made by hand: SQLite's in 0001 (kept by triggers),
    # PostgreSQL's generated `search_document` column and its GIN index in 0012.
    if type_ == "table" and name is not None and name.startswith("assets_fts"):
        return False
    return not (type_ in ("column", "index") and name in _PG_SEARCH)


_PG_SEARCH = {"search_document", "ix_assets_search_document"}


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=collect(),
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


given: Connection | None = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url") or ""
    )
    with engine.connect() as conn:
        run(conn)

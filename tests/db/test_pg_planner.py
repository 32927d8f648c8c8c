"""The app's PostgreSQL sessions: no JIT (it spent 60 ms compiling a 1 ms lookup), and
a list that walks its sort index for a wide place range changes the planner only for its
own statement (the next statements of the transaction plan as usual)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from satchel.assets import filters, listing
from satchel.runtime import Runtime
from tests.conftest import make_user


def test_no_jit_and_the_walk_settings_end_with_the_statement(
    runtime: Runtime, database_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database_url is None:
        pytest.skip("PostgreSQL's planner settings")
    make_user(runtime, username="walker", scopes=["write"])
    with runtime.db.session() as session:
        owner = session.execute(
            sa.text("SELECT id FROM users WHERE username = 'walker'")
        ).scalar_one()
        session.execute(
            sa.text(
                "INSERT INTO assets (id, owner_id, size, filename, media_type, kind, status,"
                " tags, attributes, is_public, created_at, updated_at, folder, is_favorite,"
                " is_archived, latitude, longitude, version, link_generation, info,"
                " raw_metadata) SELECT 'ast_walk' || n, :owner, 1, 'p' || n || '.jpg',"
                " 'image/jpeg', 'image', 'ready', '[]', '{}', false, now(), now(), '/',"
                " false, false, 52.5, 13.4, 1, 0, '{}', '{}' FROM generate_series(1, 3) n"
            ),
            {"owner": owner},
        )
        session.commit()
    monkeypatch.setattr(listing, "FEW_MATCHES", 1)  # any place range counts as wide
    box = filters.Box(south=52.0, west=13.0, north=53.0, east=14.0)
    query = listing.ListQuery(library=filters.LibraryFilter(box=box))
    with runtime.db.session() as session:
        assert session.execute(sa.text("SHOW jit")).scalar_one() == "off"
        before = [
            session.execute(sa.text(f"SHOW {name}")).scalar_one()
            for name in ("enable_sort", "max_parallel_workers_per_gather")
        ]
        rows, _ = listing.list_assets(session=session, owner_id=owner, query=query)
        assert sorted(a.filename for a in rows) == ["p1.jpg", "p2.jpg", "p3.jpg"]
        after = [
            session.execute(sa.text(f"SHOW {name}")).scalar_one()
            for name in ("enable_sort", "max_parallel_workers_per_gather")
        ]
        assert before == after == ["on", "2"]

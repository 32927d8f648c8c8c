"""Facet counts under concurrent tag writes on PostgreSQL: two transactions of one owner
writing tags in opposite orders must both commit (migration 0026), and the counts add up."""

from __future__ import annotations

import contextlib
import threading

import httpx
import pytest
import sqlalchemy as sa

from satchel.runtime import Runtime
from tests.conftest import make_png, upload


async def test_tags_written_in_opposite_orders_do_not_deadlock(
    client: httpx.AsyncClient, runtime: Runtime, database_url: str | None
) -> None:
    if database_url is None:
        pytest.skip("SQLite has one writer: there are no row locks to take in an order")
    ids = [
        (await upload(client, make_png(8, 8, seed=seed), filename=f"{seed}.png"))["data"]["id"]
        for seed in (1, 2)
    ]
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        query = sa.text("SELECT id, seq FROM assets WHERE id = ANY(:ids)")
        seqs = dict(conn.execute(query, {"ids": ids}).all())
        owner = conn.execute(sa.text("SELECT owner_id FROM assets LIMIT 1")).scalar_one()
    # Both transactions hold their first tag before either writes its second (without the
    # owner lock each then waits for the other's row: PostgreSQL fails one as a deadlock).
    both_hold_one = threading.Barrier(2)
    errors: list[BaseException] = []

    def tag(seq: int, tags: tuple[str, str]) -> None:
        try:
            with engine.connect() as conn, conn.begin():
                conn.execute(sa.text("SET LOCAL lock_timeout = '30s'"))
                insert = sa.text("INSERT INTO asset_tags (asset_seq, tag) VALUES (:s, :t)")
                conn.execute(insert, {"s": seq, "t": tags[0]})
                # Broken: the other one is queued behind this transaction (no cycle).
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_hold_one.wait(timeout=3)
                conn.execute(insert, {"s": seq, "t": tags[1]})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=tag, args=(seqs[ids[0]], ("alpha", "beta"))),
        threading.Thread(target=tag, args=(seqs[ids[1]], ("beta", "alpha"))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    with engine.connect() as conn:
        counts = dict(
            conn.execute(
                sa.text(
                    "SELECT value, count FROM asset_facets "
                    "WHERE owner_id = :o AND facet = 'tag' AND value IN ('alpha', 'beta')"
                ),
                {"o": owner},
            ).all()
        )
    engine.dispose()
    assert counts == {"alpha": 2, "beta": 2}
    facets = (await client.get("/api/v1/assets/facets")).json()["data"]
    assert facets, facets

"""The trash through the real app: a trashed asset is invisible on every read path
(listing, signed links, renditions, derivatives, public URLs, share pages), comes back
with the same id and bytes, and is purged by the delete engine after the retention."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import update

from satchel.assets.models import Asset, Tombstone
from satchel.db import utcnow
from satchel.runtime import Runtime
from satchel.trash import jobs, service
from tests.conftest import make_png, upload
from tests.jobs.helpers import wait_for_asset
from tests.lifecycle.test_lifecycle import pin
from tests.web.helpers import make_space


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def test_trash_hides_everywhere_and_restore_brings_it_back(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    png = make_png(40, 30, seed=401)
    asset = (await upload(client, png, filename="dot.png", is_public="true"))["data"]
    ready = await wait_for_asset(client, asset["id"])
    space = await make_space(client, asset_ids=(asset["id"],))
    signed = (await client.get(f"/api/v1/assets/{asset['id']}/url")).json()["data"]["url"]
    thumb = next(d["url"] for d in ready["derivatives"] if d["kind"] == "thumbnail")
    reads = [
        (client, f"/api/v1/assets/{asset['id']}"),
        (client, f"/api/v1/assets/{asset['id']}/content"),
        (client, f"/api/v1/assets/{asset['id']}/raw"),
        (client, f"/api/v1/assets/{asset['id']}/metadata"),
        (client, f"/api/v1/assets/{asset['id']}/render?w=8"),
        (anon, f"/api/v1/assets/{asset['id']}/render?w=320"),  # public, a preset
        (anon, _path(signed)),
        (anon, _path(thumb)),
        (anon, f"/p/{asset['id']}/dot.png"),
    ]
    for who, path in reads:
        assert (await who.get(path)).status_code in (200, 307), path  # public: a redirect
    page = await anon.get(f"/s/{space['short_id']}")
    assert asset["id"] in page.text

    trashed = await client.delete(f"/api/v1/assets/{asset['id']}")
    assert trashed.status_code == 200, trashed.text
    body = trashed.json()
    assert body["data"]["trashed"] is True and body["data"]["plan"]["asset_id"] == asset["id"]
    assert body["data"]["plan"]["reclaimable_bytes"] > 0  # planned, not reclaimed yet
    again = await client.delete(f"/api/v1/assets/{asset['id']}")
    assert again.json()["meta"]["already_trashed"] is True
    for who, path in reads:
        # Unsigned and keyless, a render of what is not public asks for a key, as for any
        # private asset: nothing says the asset exists.
        hidden = (401, 404) if who is anon and "render" in path else (404,)
        assert (await who.get(path)).status_code in hidden, path
    assert (await client.get("/api/v1/assets")).json()["data"] == []
    manifest = await anon.get(f"/api/v1/public/spaces/{space['short_id']}")
    assert manifest.json()["data"]["assets"] == []
    assert asset["id"] not in (await anon.get(f"/s/{space['short_id']}")).text
    patched = await client.patch(f"/api/v1/assets/{asset['id']}", json={"description": "x"})
    assert patched.status_code == 404
    listed = (await client.get("/api/v1/trash")).json()["data"]
    assert [a["id"] for a in listed] == [asset["id"]] and listed[0]["trashed_at"]

    restored = await client.post("/api/v1/trash/restore", json={"ids": [asset["id"], "nope"]})
    assert restored.json()["data"] == {"restored": [asset["id"]], "not_found_ids": ["nope"]}
    for who, path in reads:
        assert (await who.get(path)).status_code in (200, 307), path
    assert (await client.get(f"/api/v1/assets/{asset['id']}/raw")).content == png
    assert (await client.get("/api/v1/trash")).json()["data"] == []


async def test_purge_after_retention_runs_the_delete_engine(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    old = (await upload(client, make_png(seed=402)))["data"]
    fresh = (await upload(client, make_png(seed=403)))["data"]
    for a in (old, fresh):
        assert (await client.delete(f"/api/v1/assets/{a['id']}")).status_code == 200
    assert runtime.blobs.size_of(old["sha256"]) is not None  # nothing reclaimed by trashing
    with runtime.db.write_session() as session:
        session.execute(
            update(Asset)
            .where(Asset.id == old["id"])
            .values(trashed_at=utcnow() - timedelta(days=31))
        )
        session.commit()
    jobs.purge_expired(runtime)  # the worker's periodic sweep (SATCHEL_TRASH_DAYS=30)
    assert runtime.blobs.size_of(old["sha256"]) is None
    assert runtime.blobs.size_of(fresh["sha256"]) is not None
    with runtime.db.session() as session:
        assert session.get(Tombstone, old["id"]) is not None
        assert session.get(Tombstone, fresh["id"]) is None
    repeat = await client.delete(f"/api/v1/assets/{old['id']}?permanent=true")
    assert repeat.json()["meta"]["already_deleted"] is True
    trash = [a["id"] for a in (await client.get("/api/v1/trash")).json()["data"]]
    assert trash == [fresh["id"]]
    emptied = await client.post("/api/v1/trash/empty")
    assert emptied.json()["data"] == {"deleted": 1, "blocked_ids": []}
    assert runtime.blobs.size_of(fresh["sha256"]) is None
    assert service.purge(db=runtime.db, blobs=runtime.blobs, days=30) == 0


async def test_hard_reference_blocks_trash_and_permanent_delete(
    client: httpx.AsyncClient, runtime: Runtime, other: httpx.AsyncClient
) -> None:
    held = (await upload(client, make_png(seed=404)))["data"]["id"]
    pin(runtime, held, hard=True)
    for path in (f"/api/v1/assets/{held}", f"/api/v1/assets/{held}?permanent=true"):
        blocked = await client.delete(path)
        assert blocked.status_code == 409
        assert blocked.json()["error"]["code"] == "asset_delete_blocked"
    bulk = await client.post("/api/v1/trash", json={"ids": [held]})
    assert bulk.json()["data"]["blocked_ids"] == [held]
    assert (await client.get(f"/api/v1/assets/{held}")).status_code == 200
    theirs = await other.post("/api/v1/trash/restore", json={"ids": [held]})
    assert theirs.json()["data"]["not_found_ids"] == [held]

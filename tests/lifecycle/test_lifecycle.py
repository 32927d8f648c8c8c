"""References and delete plans, GC, scrub and startup repair on the real app."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from satchel.assets.models import Asset
from satchel.lifecycle import references
from satchel.lifecycle.gc import collect
from satchel.lifecycle.scrub import scrub
from satchel.runtime import Runtime
from tests.conftest import make_png, upload
from tests.jobs.helpers import wait_for_asset


def blob_files(runtime: Runtime) -> set[str]:
    return {p.name for p in (runtime.settings.data_dir / "blobs").rglob("*") if p.is_file()}


def pin(runtime: Runtime, asset_id: str, *, hard: bool, owner: str = "hold-1") -> None:
    with runtime.db.session() as s:
        references.add(
            s,
            asset_id=asset_id,
            domain="pins",
            owner_id=owner,
            role="pinned",
            hard=hard,
            parent_id="retention",
        )
        s.commit()


async def test_hard_reference_blocks_soft_does_not(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    hard = (await upload(client, make_png(seed=200)))["data"]["id"]
    soft = (await upload(client, make_png(seed=201)))["data"]["id"]
    pin(runtime, hard, hard=True)
    pin(runtime, soft, hard=False)
    refs = (await client.get(f"/api/v1/assets/{hard}/references")).json()["data"]
    assert refs["asset_id"] == hard and refs["hard_reference_count"] == 1
    # The pending processing job is a soft reference too (no worker runs here).
    assert {(r["domain"], r["hard"]) for r in refs["references"]} == {
        ("pins", True),
        ("jobs", False),
    }
    blocked = await client.delete(f"/api/v1/assets/{hard}?permanent=true")
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "asset_delete_blocked"
    plan = (await client.delete(f"/api/v1/assets/{hard}", params={"dry_run": True})).json()
    assert plan["data"]["blocked"] is True and plan["meta"]["dry_run"] is True
    assert (await client.get(f"/api/v1/assets/{hard}")).status_code == 200  # untouched
    batch = await client.post("/api/v1/assets/batch-delete", json={"ids": [hard, soft]})
    assert batch.json()["data"]["blocked_ids"] == [hard] and batch.json()["data"]["deleted"] == 1
    with runtime.db.session() as s:
        references.remove(s, domain="pins", owner_id="hold-1")
        s.commit()
    assert (await client.delete(f"/api/v1/assets/{hard}?permanent=true")).status_code == 200


async def test_dry_run_and_delete_agree_byte_for_byte(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    png = make_png(200, 100, seed=210)
    first = (await upload(client, png))["data"]["id"]
    shared = (await upload(client, png, dedupe="false"))["data"]["id"]
    await wait_for_asset(client, first)
    await wait_for_asset(client, shared)
    # The copy shares every file (the same bytes make the same derivatives): nothing freed.
    for asset_id, shared_expected in ((first, True), (shared, False)):
        before = blob_files(workers)
        dry = await client.delete(f"/api/v1/assets/{asset_id}", params={"dry_run": "true"})
        assert blob_files(workers) == before  # a dry run changes nothing
        plan = dry.json()["data"]
        roles = {f["role"]: f for f in plan["files"]}
        assert {"original", "thumbnail", "preview"} <= set(roles)
        assert all(f["shared"] is shared_expected for f in plan["files"])
        executed = (await client.delete(f"/api/v1/assets/{asset_id}?permanent=true")).json()["data"]
        assert executed["plan"] == plan
        gone = before - blob_files(workers)
        assert gone == {f["sha256"] for f in plan["files"] if not f["shared"]}
        freed = sum(f["size"] for f in plan["files"] if not f["shared"])
        assert plan["reclaimable_bytes"] == freed
        assert (freed == 0) is shared_expected
    assert blob_files(workers) == set()


async def test_gc_reclaims_only_old_unreferenced_things(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keep = await upload(client, make_png(seed=220))
    blobs = runtime.blobs
    old = time.time() - 7200
    orphan = "ab" + "c" * 62
    young = "ab" + "d" * 62
    for sha in (orphan, young):
        blobs.path_of(sha).write_bytes(b"left behind")
    os.utime(blobs.path_of(orphan), (old, old))
    stale_tmp = blobs.tmp_dir / "put-stale.tmp"
    fresh_tmp = blobs.tmp_dir / "put-fresh.tmp"
    stale_tmp.write_bytes(b"x")
    fresh_tmp.write_bytes(b"y")
    os.utime(stale_tmp, (old, old))
    announced = await client.post(
        "/api/v1/assets", json={"filename": "x.png", "content_type": "image/png", "size": 5}
    )
    with runtime.db.session() as s:  # the announced upload's link expired long ago
        from sqlalchemy import update

        from satchel.db import utcnow
        from satchel.uploads.models import Upload

        s.execute(update(Upload).values(expires_at=utcnow().replace(year=2001)))
        s.commit()
    dry = await client.post("/api/v1/assets/gc", json={})
    report = dry.json()["data"]
    assert report["dry_run"] is True and report["orphan_blobs"] == 1
    assert report["temp_files"] == 1 and report["expired_uploads"] == 1
    assert blobs.path_of(orphan).exists() and stale_tmp.exists()
    done = (await client.post("/api/v1/assets/gc", json={"dry_run": False})).json()["data"]
    assert done["deleted_blobs"] == 1 and done["temp_files_removed"] == 1
    assert not blobs.path_of(orphan).exists() and not stale_tmp.exists()
    assert blobs.path_of(young).exists() and fresh_tmp.exists()  # inside the grace period
    pending_id = announced.json()["data"]["id"]
    assert (await client.get(f"/api/v1/assets/{pending_id}")).status_code == 404
    got = await client.get(f"/api/v1/assets/{keep['data']['id']}/raw")
    assert got.status_code == 200
    # With no grace at all, the young orphan goes too, and nothing referenced does.
    collect(db=runtime.db, blobs=blobs, dry_run=False, grace_seconds=0)
    assert not blobs.path_of(young).exists()
    assert (await client.get(f"/api/v1/assets/{keep['data']['id']}/raw")).status_code == 200


async def test_scrub_reports_exactly_the_damaged(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    made = [(await upload(client, make_png(20, 20, seed=230 + i)))["data"] for i in range(12)]
    damaged = made[2:6]
    for asset in damaged:
        path = runtime.blobs.path_of(asset["sha256"])
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    report = scrub(db=runtime.db, blobs=runtime.blobs)
    assert report["checked"] == 12
    assert {m["sha256"] for m in report["mismatches"]} == {a["sha256"] for a in damaged}
    assert all(m["problem"] == "hash" and len(m["assets"]) == 1 for m in report["mismatches"])
    for asset in damaged:
        for endpoint in ("content", "raw"):
            response = await client.get(f"/api/v1/assets/{asset['id']}/{endpoint}")
            assert response.status_code == 409
    sampled = scrub(db=runtime.db, blobs=runtime.blobs, sample_pct=50, seed=1)
    assert 0 < sampled["checked"] < 12


async def test_startup_repair(client: httpx.AsyncClient, workers: Runtime) -> None:
    runtime = workers
    healthy = (await upload(client, make_png(300, 200, seed=240)))["data"]["id"]
    broken = (await upload(client, make_png(300, 200, seed=241)))["data"]["id"]
    for asset_id in (healthy, broken):
        await wait_for_asset(client, asset_id)
    asset = (await client.get(f"/api/v1/assets/{healthy}")).json()["data"]
    with runtime.db.session() as s:
        from satchel.assets.models import Derivative

        thumb = s.get(Derivative, (healthy, "thumbnail"))
        assert thumb is not None
        thumb_sha = thumb.sha256
        broken_sha = s.query(Asset.sha256).filter(Asset.id == broken).scalar()
        assert broken_sha
    runtime.blobs.path_of(thumb_sha).unlink()  # a lost derivative
    os.truncate(runtime.blobs.path_of(broken_sha), 10)  # a damaged original
    old = time.time() - 7200
    leftover = runtime.blobs.tmp_dir / "put-crashed.tmp"
    leftover.write_bytes(b"half an upload")
    os.utime(leftover, (old, old))
    summary = runtime.repair()
    assert summary["temp_files_removed"] == 1 and not leftover.exists()
    assert summary["quarantined_assets"] == [broken] and summary["level"] == "warning"
    assert summary["derivatives_regenerated"] == 1
    status = (await client.get("/api/v1/status")).json()["data"]
    assert status["storage"]["asset_repair"]["quarantined_assets"] == [broken]
    quarantined = (await client.get(f"/api/v1/assets/{broken}")).json()["data"]
    assert quarantined["status"] == "quarantined" and quarantined["failure_reason"]
    assert quarantined["failure_code"] == "asset_integrity_mismatch"
    assert (await client.get(f"/api/v1/assets/{broken}/raw")).status_code == 409
    regenerated = await wait_for_asset(client, healthy)
    assert regenerated["status"] == "ready" and regenerated["thumb_url"]
    thumb = await client.get(f"/api/v1/assets/{healthy}/derivatives/thumbnail")
    assert thumb.status_code == 200
    assert asset["thumb_url"]


async def test_startup_repair_completes_an_interrupted_delete(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = await upload(client, make_png(seed=250))
    path = runtime.blobs.path_of(body["data"]["sha256"])
    # The process "dies" after the delete committed and before the bytes went.
    monkeypatch.setattr(runtime.blobs, "delete", lambda sha: None)
    assert (
        await client.delete(f"/api/v1/assets/{body['data']['id']}?permanent=true")
    ).status_code == 200
    assert path.exists()
    monkeypatch.undo()
    summary = runtime.repair()
    assert summary["deletes_completed"] == 1 and not path.exists()


async def test_deleting_an_asset_keeps_the_bytes_an_avatar_shares(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The delete plan counted other assets and derivatives as sharers, not avatars: an
    asset holding an avatar's exact bytes took them along when deleted."""
    await client.patch("/api/v1/account/profile", json={"handle": "face", "is_public": True})
    png = make_png(300, 300, seed=7)
    start = await client.post(
        "/api/v1/account/avatar", json={"content_type": "image/png", "size_bytes": len(png)}
    )
    assert (await anon.put(start.json()["data"]["url"], content=png)).status_code == 204
    done = await client.post(
        "/api/v1/account/avatar/complete",
        json={"storage_key": start.json()["data"]["storage_key"]},
    )
    avatar_url = done.json()["data"]["avatar_url"]
    avatar = (await anon.get(avatar_url)).content
    body = await upload(client, avatar, filename="me.webp")
    plan = (await client.delete(f"/api/v1/assets/{body['data']['id']}?dry_run=true")).json()
    assert plan["data"]["files"][0]["shared"] is True and plan["data"]["reclaimable_bytes"] == 0
    assert (
        await client.delete(f"/api/v1/assets/{body['data']['id']}?permanent=true")
    ).status_code == 200
    again = await anon.get(avatar_url)
    assert again.status_code == 200 and again.content == avatar

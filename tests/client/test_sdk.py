"""The synchronous SDK against a real server: every resource, pages, errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from satchel_client import (
    Asset,
    Client,
    Conflict,
    ConnectionFailed,
    Invalid,
    NotFound,
    Page,
    SatchelError,
    Unauthorized,
)

from tests.client.live import LiveServer
from tests.conftest import make_png
from tests.servers import free_port


def _png(tmp_path: Path, name: str, seed: int) -> Path:
    path = tmp_path / name
    path.write_bytes(make_png(6, 5, seed=seed))
    return path


def test_assets_upload_read_patch_url_download_delete(sdk: Client, tmp_path: Path) -> None:
    path = _png(tmp_path, "first.png", 101)
    seen: list[tuple[int, int]] = []
    up = sdk.assets.upload(path, tags=["raw", "drone"], progress=lambda a, b: seen.append((a, b)))
    assert up.mode == "single" and not up.resumed and up.job_id
    assert up.asset is not None and up.asset.filename == "first.png"
    size = path.stat().st_size
    assert seen[-1] == (size, size)
    asset = sdk.assets.get(up.asset.id)
    assert isinstance(asset, Asset) and asset.size == size
    assert sorted(asset.tags) == ["drone", "raw"]
    assert asset.created_at is not None and asset.raw["id"] == asset.id
    patched = sdk.assets.patch(asset.id, tags=["edited"], description="a test")
    assert patched.tags == ["edited"] and patched.description == "a test"
    signed = sdk.assets.url(asset.id, 600)
    got = httpx.get(signed.url)  # no key: the signature is enough
    assert got.status_code == 200 and got.content == path.read_bytes()
    dest = sdk.assets.download(asset.id, tmp_path / "copy.png")
    assert dest.read_bytes() == path.read_bytes()
    raw = sdk.assets.download(asset.id, tmp_path / "raw.png", raw=True)
    assert (
        hashlib.sha256(raw.read_bytes()).hexdigest()
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    refs = sdk.assets.references(asset.id)
    assert refs["asset_id"] == asset.id
    plan = sdk.assets.delete(asset.id, dry_run=True)
    assert plan["asset_id"] == asset.id and plan["meta"]["dry_run"] is True
    assert sdk.assets.get(asset.id).id == asset.id  # a dry run changes nothing
    gone = sdk.assets.delete(asset.id, permanent=True)
    assert gone["deleted"] is True and not gone["meta"]["already_deleted"]
    assert sdk.assets.delete(asset.id, permanent=True)["meta"]["already_deleted"] is True
    with pytest.raises(NotFound) as err:
        sdk.assets.get(asset.id)
    assert err.value.code == "asset_not_found" and err.value.status == 404
    assert err.value.message and err.value.fields == []


def test_list_iterates_over_cursor_pages(sdk: Client, tmp_path: Path) -> None:
    tag = "paged"
    ids = {
        sdk.assets.upload(_png(tmp_path, f"p{i}.png", 200 + i), tags=[tag]).asset.id  # type: ignore[union-attr]
        for i in range(5)
    }
    pages = list(sdk.assets.pages(page_size=2, tag=tag))
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert all(isinstance(p, Page) for p in pages)
    assert pages[0].has_more and pages[0].next_cursor and not pages[-1].has_more
    listed = [a.id for a in sdk.assets.list(page_size=2, tag=tag)]
    assert set(listed) == ids and len(listed) == 5  # every asset once, across pages


def test_jobs_progress_wait_and_reprocess(sdk: Client, tmp_path: Path) -> None:
    up = sdk.assets.upload(_png(tmp_path, "job.png", 31))
    assert up.job_id
    events = list(sdk.jobs.progress(up.job_id))
    assert events and events[-1].done and events[-1].status == "completed"
    job = sdk.jobs.wait(up.job_id)
    assert job.status == "completed" and job.subject_id == up.asset.id  # type: ignore[union-attr]
    assert any(j.id == up.job_id for j in sdk.jobs.list())
    again = sdk.assets.reprocess(up.asset.id)  # type: ignore[union-attr]
    assert again and sdk.jobs.wait(again).status == "completed"
    batches = list(sdk.assets.reprocess_all(limit=2, kind="image"))
    assert batches and not batches[-1].has_more
    assert sum(b.processed for b in batches) >= 1
    for job_id in (j for b in batches for j in b.job_ids):
        sdk.jobs.wait(job_id)


def test_spaces_and_publications(sdk: Client, tmp_path: Path, live: LiveServer) -> None:
    up = sdk.assets.upload(_png(tmp_path, "share.png", 41))
    asset_id = up.asset.id  # type: ignore[union-attr]
    space = sdk.spaces.create("SDK Space", visibility="public", description="for tests")
    assert space.id.startswith("spc_") and space.share_url.endswith(space.short_id)
    found = sdk.spaces.find("sdk space")  # names compare case-insensitively
    assert found is not None and found.id == space.id
    assert sdk.spaces.find(space.short_id).id == space.id  # type: ignore[union-attr]
    assert sdk.spaces.find("no such space") is None
    with pytest.raises(Conflict) as taken:
        sdk.spaces.create("sdk SPACE")
    assert taken.value.code == "space_name_taken"
    twin = sdk.spaces.create("SDK Space", allow_duplicate_name=True)
    with pytest.raises(SatchelError) as ambiguous:
        sdk.spaces.find("SDK Space")  # two of that name: never a silent pick
    assert ambiguous.value.code == "space_ambiguous" and twin.id in ambiguous.value.message
    sdk.spaces.delete(twin.id)
    assert any(s.id == space.id for s in sdk.spaces.list())
    results = sdk.spaces.publish(space.id, [asset_id, "ast_missing"])
    assert results == [
        {"asset_id": asset_id, "ok": True},
        {"asset_id": "ast_missing", "ok": False, "error": "asset_not_found"},
    ]
    assert [a.id for a in sdk.spaces.publications(space.id)] == [asset_id]
    assert [s.id for s in sdk.assets.spaces(asset_id)] == [space.id]
    assert sdk.spaces.get(space.id).asset_count == 1
    public = httpx.get(f"{live.base}/api/v1/public/spaces/{space.short_id}").json()["data"]
    assert [a["id"] for a in public["assets"]] == [asset_id]
    renamed = sdk.spaces.update(space.id, name="Renamed")
    assert renamed.name == "Renamed"
    sdk.spaces.unpublish(space.id, asset_id)
    assert sdk.spaces.publications(space.id) == []
    sdk.spaces.delete(space.id)
    with pytest.raises(NotFound):
        sdk.spaces.get(space.id)


def test_api_keys_account_usage_and_login(sdk: Client, live: LiveServer) -> None:
    key = sdk.api_keys.create("sdk-bot", scopes=["read"])
    assert key.key and key.key.startswith("sat_") and key.scopes == ["read"]
    assert any(k.id == key.id and k.key is None for k in sdk.api_keys.list())
    with Client(live.base, key.key) as reader:
        assert reader.whoami().scopes == ["read"]
        with pytest.raises(Exception) as denied:
            reader.spaces.create("nope")
        assert getattr(denied.value, "code", "") == "insufficient_scope"
    sdk.api_keys.revoke(key.id)
    with Client(live.base, key.key) as revoked, pytest.raises(Unauthorized) as err:
        revoked.usage()
    assert err.value.status == 401
    account = sdk.account.get()
    assert account.id.startswith("usr_")
    assert sdk.account.patch(display_name="Khaos Studio").display_name == "Khaos Studio"
    profile = sdk.account.update_profile(bio="photographer / filmmaker")
    assert profile.bio == "photographer / filmmaker"
    assert sdk.account.onboard().onboarded_at is not None
    used = sdk.usage()
    assert used.total_assets >= 0 and used.total_bytes >= 0
    with Client(live.base, None) as anon:
        signed = anon.login("admin", live.password)
        assert signed.token and anon.token == signed.token
        assert anon.whoami().user["username"] == "admin"


def test_errors_carry_code_message_and_fields(sdk: Client, live: LiveServer) -> None:
    with pytest.raises(Invalid) as err:
        sdk.spaces.create("", visibility="private")
    assert err.value.code == "validation_error" and err.value.status == 422
    assert err.value.fields and err.value.fields[0]["field"] == "name"
    with Client(live.base, "sat_wrong") as wrong, pytest.raises(Unauthorized) as denied:
        wrong.assets.get("ast_x")
    assert denied.value.code and denied.value.message
    closed = f"http://127.0.0.1:{free_port()}"
    with Client(closed, "sat_x", max_retries=1) as nowhere, pytest.raises(ConnectionFailed) as down:
        nowhere.usage()
    assert down.value.code == "connection_failed"

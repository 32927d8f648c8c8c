"""Announced uploads (signed PUT, multipart, tus) reserve an asset id: refused early when
the declared type is not allowed, invisible in listings until their bytes are accepted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from satchel.lifecycle.gc import collect
from satchel.runtime import Runtime
from satchel.uploads.models import Upload
from tests.conftest import make_png, upload
from tests.uploads.conftest import MiB, pattern
from tests.uploads.test_tus import TUS, V, meta

NOT_ALLOWED = "asset_content_type_not_allowed"


def _upload_rows(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(Upload)) or 0


async def _announce(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/api/v1/assets", json=body)


@pytest.mark.parametrize(
    ("content_type", "size"),
    [
        ("application/x-msdownload", 1000),  # a single PUT
        ("application/x-msdownload", 3 * MiB),  # multipart (above the 1 MiB threshold)
        ("text/html", 1000),
        ("image/jp2", 3 * MiB),
        ("audio/x-ms-wma; codecs=1", 1000),
    ],
)
async def test_a_disallowed_declared_type_is_refused_at_announcement(
    client: httpx.AsyncClient, runtime: Runtime, content_type: str, size: int
) -> None:
    r = await _announce(client, filename="x.bin", content_type=content_type, size=size)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == NOT_ALLOWED
    assert _upload_rows(runtime) == 0
    assert (await client.get("/api/v1/assets")).json()["data"] == []
    staged = runtime.settings.data_dir / "uploads"
    assert not staged.exists() or not any(staged.iterdir())


async def test_tus_creation_with_a_disallowed_filetype_is_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers = {**V, "Upload-Length": "1000", "Upload-Metadata": meta(filetype="application/x-sh")}
    r = await client.post(TUS, headers=headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == NOT_ALLOWED
    assert r.headers["tus-resumable"] == "1.0.0"
    assert _upload_rows(runtime) == 0


@pytest.mark.parametrize(
    "content_type",
    # Hints the content may still overrule into an allowed type, or nothing declared.
    [None, "application/octet-stream", "text/x-python", "application/xml", "audio/x-matroska"],
)
async def test_hints_that_do_not_rule_the_file_out_are_announced(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    body: dict[str, Any] = {"filename": "x.txt", "size": 1000}
    if content_type:
        body["content_type"] = content_type
    r = await _announce(client, **body)
    assert r.status_code == 201, r.text
    assert r.json()["data"]["status"] == "uploading"


async def test_a_declared_type_allowed_at_announcement_is_still_checked_against_the_bytes(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    # Declared a PNG (allowed), the bytes are XML: the bytes decide, and refuse it. (An
    # XML file declared as XML is plain text to us, and stays.)
    xml = b"<?xml version='1.0'?><a>b</a>"
    r = await _announce(client, filename="x.png", content_type="image/png", size=len(xml))
    data = r.json()["data"]
    assert (await anon.put(data["upload"]["url"], content=xml)).status_code == 204
    done = await client.post(f"/api/v1/assets/{data['id']}/complete")
    assert done.status_code == 422 and done.json()["error"]["code"] == NOT_ALLOWED
    assert _upload_rows(runtime) == 0


async def _reserve_all(client: httpx.AsyncClient) -> dict[str, str]:
    """An open signed PUT, multipart and tus upload; returns their reserved asset ids."""
    put = await _announce(
        client, filename="p.png", content_type="image/png", size=100, tags=["a", " a", "b"]
    )
    multi = await _announce(client, filename="m.txt", content_type="text/plain", size=3 * MiB)
    headers = {**V, "Upload-Length": "1000", "Upload-Metadata": meta(filename="t.txt")}
    tus = await client.post(TUS, headers=headers)
    assert put.status_code == multi.status_code == tus.status_code == 201
    with_tus = {"put": put.json()["data"]["id"], "multipart": multi.json()["data"]["id"]}
    with_tus["tus"] = tus.headers["location"].rsplit("/", 1)[1]
    return with_tus


async def test_reserved_ids_show_in_no_listing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ids = await _reserve_all(client)
    assert (await client.get("/api/v1/assets")).json()["data"] == []
    assert (await client.get("/api/v1/assets?status=uploading")).json()["data"] == []
    assert (await client.get("/api/v1/files")).json()["data"] == []
    usage = (await client.get("/api/v1/usage")).json()["data"]
    assert (usage["total_assets"], usage["total_bytes"]) == (0, 0)
    stats = (await client.get("/api/v1/assets/usage-stats")).json()["data"]
    assert stats["total_assets"] == 0
    space = (await client.post("/api/v1/spaces", json={"name": "S"})).json()["data"]
    published = await client.post(
        f"/api/v1/spaces/{space['id']}/publications", json={"asset_ids": [ids["put"]]}
    )
    assert published.json()["data"][0] == {
        "asset_id": ids["put"],
        "ok": False,
        "error": "asset_not_found",
    }
    # The announcement's own id still answers, as the SDK expects when it resumes.
    pending = (await client.get(f"/api/v1/assets/{ids['put']}")).json()["data"]
    assert (pending["status"], pending["filename"], pending["tags"]) == (
        "uploading",
        "p.png",
        ["a", "b"],
    )
    assert pending["media_type"] == "image/png" and pending["sha256"] is None
    assert (await client.get(f"/api/v1/assets/{ids['put']}/content")).status_code == 404
    assert (await client.get(f"/api/v1/assets/{ids['multipart']}")).status_code == 200


async def test_someone_elses_reservation_is_missing(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    ids = await _reserve_all(client)
    assert (await other.get(f"/api/v1/assets/{ids['put']}")).status_code == 404
    assert (await other.delete(f"/api/v1/assets/{ids['put']}?permanent=true")).status_code == 404


async def test_deleting_a_reserved_id_cancels_the_upload(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    r = await _announce(client, filename="p.png", content_type="image/png", size=len(make_png()))
    data = r.json()["data"]
    assert (await anon.put(data["upload"]["url"], content=make_png())).status_code == 204
    dry = await client.delete(f"/api/v1/assets/{data['id']}?dry_run=true")
    assert dry.status_code == 200 and _upload_rows(runtime) == 1
    gone = await client.delete(f"/api/v1/assets/{data['id']}?permanent=true")
    assert gone.status_code == 200, gone.text
    assert _upload_rows(runtime) == 0
    assert not any((runtime.settings.data_dir / "blobs").rglob("*.*"))  # the PUT's bytes too
    assert (await client.get(f"/api/v1/assets/{data['id']}")).status_code == 404
    again = await client.delete(f"/api/v1/assets/{data['id']}?permanent=true")
    assert again.json()["meta"]["already_deleted"] is True
    late = await anon.put(data["upload"]["url"], content=make_png())
    assert late.status_code == 404 and late.json()["error"]["code"] == "upload_not_found"


async def test_bytes_a_put_placed_are_kept_until_complete(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Nothing already received is lost: not to GC, nor to deleting an asset with the same
    bytes, while the upload that placed them is open."""
    png = make_png(9, 9, seed=11)
    twin = await upload(client, png, filename="twin.png", dedupe="false")
    r = await _announce(client, filename="p.png", size=len(png), dedupe=False)
    data = r.json()["data"]
    assert (await anon.put(data["upload"]["url"], content=png)).status_code == 204
    assert (
        await client.delete(f"/api/v1/assets/{twin['data']['id']}?permanent=true")
    ).status_code == 200
    report = collect(db=runtime.db, blobs=runtime.blobs, dry_run=False, grace_seconds=0)
    assert report["deleted_blobs"] == 0
    done = await client.post(f"/api/v1/assets/{data['id']}/complete")
    assert done.status_code == 202, done.text
    assert (await client.get(f"/api/v1/assets/{data['id']}/raw")).content == png


async def test_a_deduplicated_put_completes_into_the_existing_asset(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    png = make_png(4, 4, seed=12)
    made = await upload(client, png)
    first = made["data"]
    r = await _announce(client, filename="again.png", content_type="image/png", size=len(png))
    data = r.json()["data"]
    assert (await anon.put(data["upload"]["url"], content=png)).status_code == 204
    done = await client.post(f"/api/v1/assets/{data['id']}/complete")
    assert done.status_code == 200 and done.json()["meta"]["deduplicated"] is True
    assert done.json()["data"]["id"] == first["id"]
    # The answer names the stored asset's processing job, so a client can wait on it.
    job_id = done.json()["meta"]["job_id"]
    assert job_id == made["meta"]["job_id"] is not None
    job = await client.get(f"/api/v1/jobs/{job_id}")
    assert job.status_code == 200 and job.json()["data"]["subject_id"] == first["id"]
    again = await client.post(f"/api/v1/assets/{data['id']}/complete")
    assert again.status_code == 200 and again.json()["data"]["id"] == first["id"]
    assert len((await client.get("/api/v1/assets")).json()["data"]) == 1


async def test_a_multipart_reservation_completed_without_parts_says_how(
    client: httpx.AsyncClient,
) -> None:
    r = await _announce(
        client, filename="m.txt", content_type="text/plain", size=len(pattern(3 * MiB))
    )
    done = await client.post(f"/api/v1/assets/{r.json()['data']['id']}/complete")
    assert done.status_code == 409 and done.json()["error"]["code"] == "asset_not_uploaded"

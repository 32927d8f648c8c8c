"""Upload → processing → ready through the real API and worker threads."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import pyvips

from satchel.runtime import Runtime
from tests.conftest import make_png, upload
from tests.corpus import CORPUS, EXPECTED, Accepted, corpus_files
from tests.jobs.helpers import wait_for_asset, wait_for_job

EXIF = CORPUS / "images/exif-samples/jpg"
# What processing cannot do with some accepted files, and says so (see tests/processing).
KNOWN_FAILURES = {
    "audio/sample_bitrate.oggtheora",
    "audio/too-short.mp3",
    "pdf/005-libreoffice-writer-password/libreoffice-writer-password.pdf",
    "pdf/017-unreadable-meta-data/unreadablemetadata.pdf",
}


async def test_photo_becomes_ready_with_metadata_and_derivatives(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    body = await upload(client, EXIF / "gps/DSCN0010.jpg")
    assert body["data"]["status"] == "pending"
    asset = await wait_for_asset(client, body["data"]["id"])
    assert asset["status"] == "ready", asset["failure_reason"]
    assert (asset["width"], asset["height"]) == (640, 480)
    gps = asset["metadata"]["gps"]
    assert 43 < gps["latitude"] < 44 and 11 < gps["longitude"] < 12
    assert asset["metadata"]["camera_make"] == "NIKON"
    kinds = {d["kind"]: d for d in asset["derivatives"]}
    assert set(kinds) >= {"thumbnail", "preview"}
    # The signed thumbnail link works without a key, and is a real 320 px WebP.
    thumb = await anon.get(asset["thumb_url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    image = pyvips.Image.new_from_buffer(thumb.content, "")
    assert max(image.width, image.height) == 320 == kinds["thumbnail"]["width"]
    tampered = asset["thumb_url"].replace("thumbnail", "preview")
    assert (await anon.get(tampered)).status_code == 403
    keyed = await client.get(f"/api/v1/assets/{asset['id']}/derivatives/preview")
    assert keyed.status_code == 200 and keyed.content.startswith(b"\xff\xd8\xff")  # JPEG
    missing = await client.get(f"/api/v1/assets/{asset['id']}/derivatives/waveform")
    assert missing.status_code == 404
    meta = (await client.get(f"/api/v1/assets/{asset['id']}/metadata")).json()["data"]
    assert meta["normalized"]["gps"] == gps and meta["raw"]
    job = (await client.get(f"/api/v1/jobs/{body['meta']['job_id']}")).json()["data"]
    assert job["status"] == "completed" and job["progress"] == 100


async def test_rotated_photo_is_displayed_upright(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    body = await upload(client, EXIF / "orientation/landscape_6.jpg")
    asset = await wait_for_asset(client, body["data"]["id"])
    upright = await wait_for_asset(
        client, (await upload(client, EXIF / "orientation/landscape_1.jpg"))["data"]["id"]
    )
    assert asset["metadata"]["orientation"] == 6
    assert (asset["width"], asset["height"]) == (upright["width"], upright["height"])


async def test_deleting_removes_derivative_bytes(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    body = await upload(client, make_png(300, 200, seed=60))
    asset = await wait_for_asset(client, body["data"]["id"])
    assert asset["derivatives"]
    await client.delete(f"/api/v1/assets/{asset['id']}?permanent=true")
    blobs = [p for p in (workers.settings.data_dir / "blobs").rglob("*") if p.is_file()]
    assert blobs == []


async def test_reprocess_and_bulk_reprocess(client: httpx.AsyncClient, workers: Runtime) -> None:
    ids = []
    for seed in range(3):
        made = await upload(client, make_png(40, 30, seed=70 + seed))
        ids.append((await wait_for_asset(client, made["data"]["id"]))["id"])
    again = await client.post(f"/api/v1/assets/{ids[0]}/reprocess")
    assert again.status_code == 202
    job = await wait_for_job(client, again.json()["meta"]["job_id"], statuses=("completed",))
    assert job["subject_id"] == ids[0]
    page = (await client.post("/api/v1/assets/bulk-reprocess", params={"limit": 2})).json()
    assert page["data"]["processed"] == 2 and page["data"]["has_more"] is True
    rest = await client.post(
        "/api/v1/assets/bulk-reprocess", params={"limit": 2, "cursor": page["data"]["next_cursor"]}
    )
    assert rest.json()["data"]["processed"] == 1 and rest.json()["data"]["has_more"] is False
    for asset_id in ids:
        assert (await wait_for_asset(client, asset_id))["status"] == "ready"
    images_only = await client.post("/api/v1/assets/bulk-reprocess", params={"kind": "audio"})
    assert images_only.json()["data"]["processed"] == 0


async def test_progress_events_arrive_in_order(client: httpx.AsyncClient, workers: Runtime) -> None:
    body = await upload(client, CORPUS / "pdf/026-latex-multicolumn/multicolumn.pdf")
    job_id = body["meta"]["job_id"]
    response = await client.get(f"/api/v1/jobs/{job_id}/progress")
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [
        json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")
    ]
    assert events, response.text
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress)
    assert events[-1]["status"] == "completed" and events[-1]["progress"] == 100
    assert all(e["status"] in ("queued", "running", "completed") for e in events)


async def test_cancel_a_queued_job(client: httpx.AsyncClient, runtime: Runtime) -> None:
    body = await upload(client, make_png(seed=80))  # no worker runs yet
    job_id = body["meta"]["job_id"]
    cancelled = await client.post(f"/api/v1/jobs/{job_id}/cancel")
    assert cancelled.json()["data"]["status"] == "cancelled"
    assert (await client.post(f"/api/v1/jobs/{job_id}/cancel")).status_code == 200
    asset = (await client.get(f"/api/v1/assets/{body['data']['id']}")).json()["data"]
    assert asset["status"] == "failed" and asset["failure_reason"] == "cancelled"
    runtime.start_workers(1)
    job = await wait_for_job(client, job_id, statuses=("cancelled", "completed"))
    assert job["status"] == "cancelled"  # the worker did not run it
    ended = await wait_for_job(client, job_id, statuses=("cancelled",))
    bad = await client.post(f"/api/v1/jobs/{ended['id']}/cancel")
    assert bad.status_code == 200


async def test_jobs_are_private(
    client: httpx.AsyncClient, other: httpx.AsyncClient, runtime: Runtime
) -> None:
    body = await upload(client, make_png(seed=81))
    job_id = body["meta"]["job_id"]
    assert (await other.get(f"/api/v1/jobs/{job_id}")).status_code == 404
    assert (await other.get(f"/api/v1/jobs/{job_id}/progress")).status_code == 404
    assert (await other.post(f"/api/v1/jobs/{job_id}/cancel")).status_code == 404
    assert (await other.get("/api/v1/jobs")).json()["data"] == []
    mine = (await client.get("/api/v1/jobs", params={"kind": "assets.process"})).json()["data"]
    assert [j["id"] for j in mine] == [job_id]


ACCEPTED = [p for p in corpus_files() if isinstance(EXPECTED[str(p.relative_to(CORPUS))], Accepted)]


@pytest.mark.parametrize("folder", ["images/exif-samples", "images/pngsuite", "pdf", "audio"])
async def test_every_accepted_corpus_file_reaches_an_end(
    client: httpx.AsyncClient, workers: Runtime, folder: str
) -> None:
    files = [p for p in ACCEPTED if str(p.relative_to(CORPUS)).startswith(folder)]
    made: dict[str, Path] = {}
    for path in files:
        body = await upload(client, path, content_type="application/octet-stream", dedupe="false")
        made[body["data"]["id"]] = path
    assert len(made) == len(files)  # none deduplicated into another
    for asset_id, path in made.items():
        asset = await wait_for_asset(client, asset_id)
        rel = str(path.relative_to(CORPUS))
        if rel in KNOWN_FAILURES:
            assert asset["status"] == "failed" and asset["failure_reason"], rel
        else:
            assert asset["status"] == "ready", (rel, asset["failure_reason"])
            if asset["kind"] == "image":
                assert asset["thumb_url"], rel
            if asset["kind"] == "audio" and rel.endswith((".mp3", ".flac", ".wav", ".ogg")):
                assert asset["duration"] is not None, rel
            if asset["media_type"] == "application/pdf":
                assert asset["pages"], rel

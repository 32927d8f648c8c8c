"""Truncated and corrupt files are refused on upload (every mode), and what only a decoder
can find out ends `failed` with a stable `failure_code`."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from satchel.runtime import Runtime
from tests.assets.test_upload import stored_files, temp_files
from tests.conftest import make_png, upload
from tests.corpus import CORPUS
from tests.jobs.helpers import wait_for_asset
from tests.uploads.test_tus import OCTETS, TUS, V, meta

JPG = CORPUS / "images/exif-samples/jpg"
NOKIA = JPG / "mobile/HMD_Nokia_8.3_5G.jpg"
CORRUPT = "asset_file_corrupt"


def _first_2000_bytes() -> bytes:
    return NOKIA.read_bytes()[:2000]


def _first_half() -> bytes:
    data = NOKIA.read_bytes()
    return data[: len(data) // 2]


def _corrupted() -> bytes:
    return (JPG / "corrupted.jpg").read_bytes()


CASES: dict[str, Callable[[], bytes]] = {
    "first-2000-bytes": _first_2000_bytes,
    "first-half": _first_half,
    "corrupted.jpg": _corrupted,
}


Sent = tuple[httpx.Response, str | None]  # the answer, and a URL that is 404 once refused


async def _by_form(client: httpx.AsyncClient, anon: httpx.AsyncClient, data: bytes) -> Sent:
    files = {"file": ("photo.jpg", data, "image/jpeg")}
    return await client.post("/api/v1/assets", files=files), None


async def _by_put(client: httpx.AsyncClient, anon: httpx.AsyncClient, data: bytes) -> Sent:
    intent = {"filename": "photo.jpg", "content_type": "image/jpeg", "size": len(data)}
    announced = await client.post("/api/v1/assets", json=intent)
    assert announced.status_code == 201, announced.text
    pending = announced.json()["data"]
    assert (await anon.put(pending["upload"]["url"], content=data)).status_code == 204
    done = await client.post(f"/api/v1/assets/{pending['id']}/complete")
    return done, f"/api/v1/assets/{pending['id']}"


async def _by_tus(client: httpx.AsyncClient, anon: httpx.AsyncClient, data: bytes) -> Sent:
    headers = {
        **V,
        "Upload-Length": str(len(data)),
        "Upload-Metadata": meta(filename="photo.jpg", filetype="image/jpeg"),
    }
    created = await client.post(TUS, headers=headers)
    assert created.status_code == 201, created.text
    url = created.headers["location"].removeprefix("http://testserver")
    done = await client.patch(url, content=data, headers={**OCTETS, "Upload-Offset": "0"})
    return done, url


MODES = {"form": _by_form, "signed-put": _by_put, "tus": _by_tus}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("case", list(CASES))
async def test_truncated_or_corrupt_jpeg_is_refused(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime, case: str, mode: str
) -> None:
    response, probe = await MODES[mode](client, anon, CASES[case]())
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == CORRUPT
    if probe is not None:  # the upload ended with the refusal: its reserved id is gone
        assert (await client.get(probe)).status_code == 404
    assert (await client.get("/api/v1/assets")).json()["data"] == []
    assert stored_files(runtime) == [] and temp_files(runtime) == []


@pytest.mark.parametrize("mode", list(MODES))
async def test_the_whole_jpeg_is_accepted(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, mode: str
) -> None:
    response, _ = await MODES[mode](client, anon, NOKIA.read_bytes())
    assert response.status_code in (202, 204), response.text
    listed = (await client.get("/api/v1/assets")).json()["data"]
    assert [(a["media_type"], a["width"], a["height"]) for a in listed] == [
        ("image/jpeg", 4608, 1976)
    ]


# An SVG whose XML is cut off: plain valid text to the sniffer, undecodable to librsvg.
BROKEN_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5"'


async def test_a_file_only_a_decoder_finds_broken_ends_failed_as_corrupt(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    body = await upload(client, BROKEN_SVG, filename="cut.svg")
    asset = await wait_for_asset(client, body["data"]["id"])
    assert asset["status"] == "failed"
    assert asset["failure_code"] == CORRUPT
    assert "could not be decoded" in asset["failure_reason"]
    # Reprocessing clears nothing it should not: the same verdict, the same code.
    again = await client.post(f"/api/v1/assets/{asset['id']}/reprocess")
    assert again.status_code == 202
    asset = await wait_for_asset(client, asset["id"], statuses=("failed",))
    assert asset["failure_code"] == CORRUPT


async def test_ready_assets_have_no_failure_code(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    body = await upload(client, make_png(3, 3, seed=5))
    asset = await wait_for_asset(client, body["data"]["id"])
    assert (asset["status"], asset["failure_code"], asset["failure_reason"]) == (
        "ready",
        None,
        None,
    )


async def test_a_cancelled_job_fails_its_asset_with_a_code(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    body = await upload(client, make_png(seed=81))  # no worker runs yet
    cancelled = await client.post(f"/api/v1/jobs/{body['meta']['job_id']}/cancel")
    assert cancelled.status_code == 200
    asset = (await client.get(f"/api/v1/assets/{body['data']['id']}")).json()["data"]
    assert (asset["status"], asset["failure_code"]) == ("failed", "processing_cancelled")

"""A space exports as a ZIP with manifest.json and imports back, checksums checked."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import httpx

from tests.conftest import make_png, upload


async def _exported(client: httpx.AsyncClient) -> tuple[bytes, dict[str, bytes]]:
    png, text = make_png(4, 4, seed=61), b"notes for the trip\n"
    a = await upload(client, png, filename="cover.png", description="Cover", tags=["trip"])
    b = await upload(client, text, filename="notes.txt", alt_text="Notes", tags=["a", "b"])
    options = {"name": "Trip", "strip_metadata": True, "allow_download": False}
    space = (await client.post("/api/v1/spaces", json=options)).json()["data"]
    ids = [a["data"]["id"], b["data"]["id"]]
    published = await client.post(
        f"/api/v1/spaces/{space['id']}/publications", json={"asset_ids": ids}
    )
    assert published.status_code in (200, 201)
    got = await client.get(f"/api/v1/spaces/{space['id']}/export")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert 'filename="Trip.zip"' in got.headers["content-disposition"]
    return got.content, {"cover.png": png, "notes.txt": text}


async def test_export_then_import_keeps_files_and_fields(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    data, originals = await _exported(client)
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["space"]["name"] == "Trip"
    by_name = {row["filename"]: row for row in manifest["assets"]}
    assert set(by_name) == set(originals)
    for name, row in by_name.items():
        assert archive.read(row["file"]) == originals[name]
        assert row["sha256"] == hashlib.sha256(originals[name]).hexdigest()
    assert by_name["cover.png"]["description"] == "Cover" and by_name["cover.png"]["tags"] == [
        "trip"
    ]
    assert by_name["notes.txt"]["alt_text"] == "Notes"

    made = await other.post(
        "/api/v1/spaces/import", content=data, headers={"content-type": "application/zip"}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["data"]["name"] == "Trip" and body["data"]["asset_count"] == 2
    assert manifest["space"]["allow_download"] is False
    imported = (await other.get(f"/api/v1/spaces/{body['data']['id']}")).json()["data"]
    assert (imported["strip_metadata"], imported["allow_download"]) == (True, False)
    for asset_id in body["data"]["asset_ids"]:
        asset = (await other.get(f"/api/v1/assets/{asset_id}")).json()["data"]
        row = by_name[asset["filename"]]
        assert (asset["description"], asset["alt_text"]) == (row["description"], row["alt_text"])
        assert sorted(asset["tags"]) == sorted(row["tags"])
        raw = await other.get(f"/api/v1/assets/{asset_id}/raw")
        assert raw.content == originals[asset["filename"]]


async def test_bad_imports_are_refused(client: httpx.AsyncClient) -> None:
    data, _ = await _exported(client)
    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(source.read("manifest.json"))
    tampered = io.BytesIO()
    with zipfile.ZipFile(tampered, "w") as out:
        out.writestr("manifest.json", json.dumps(manifest))
        for i, row in enumerate(manifest["assets"]):  # the first intact, the second not
            out.writestr(row["file"], source.read(row["file"]) + (b"!" if i else b""))
    missing = io.BytesIO()
    with zipfile.ZipFile(missing, "w") as out:
        out.writestr("manifest.json", json.dumps(manifest))
    cases = [
        (tampered.getvalue(), "does not match its SHA-256"),
        (missing.getvalue(), "not in the ZIP"),
        (b"not a zip at all", "not a ZIP"),
        (_zip_of({"x.txt": b"x"}), "no readable manifest.json"),
    ]
    for body, why in cases:
        answer = await client.post("/api/v1/spaces/import", content=body)
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["code"] == "validation_error" and why in error["message"]
    spaces = (await client.get("/api/v1/spaces")).json()["data"]
    assert [s["name"] for s in spaces] == ["Trip"]  # nothing half-imported


def _zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()

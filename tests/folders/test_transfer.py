"""A folder (and its subfolders) exports as a ZIP with manifest.json and imports back
with its tree, each file checked against its SHA-256; hostile archives store nothing."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import httpx

from tests.conftest import make_png, upload

ZIP = {"content-type": "application/zip"}


async def _library(client: httpx.AsyncClient) -> dict[str, tuple[str, bytes]]:
    """name -> (folder, bytes) of what was uploaded under /trips, plus one file elsewhere."""
    files = {
        "cover.png": ("/trips", make_png(4, 4, seed=71)),
        "day1.png": ("/trips/day 1", make_png(5, 4, seed=72)),
        "notes.txt": ("/trips/day 1/notes", b"we walked to the lake\n"),
    }
    for name, (folder, data) in files.items():
        await upload(client, data, filename=name, folder=folder, tags=["trip", name])
    await upload(client, make_png(3, 3, seed=73), filename="elsewhere.png", folder="/work")
    return files


async def _listing(client: httpx.AsyncClient, folder: str) -> list[dict[str, Any]]:
    got = await client.get("/api/v1/assets", params={"folder": folder, "recursive": "true"})
    assert got.status_code == 200, got.text
    return list(got.json()["data"])


async def test_a_folder_exports_and_imports_back_with_its_tree(client: httpx.AsyncClient) -> None:
    files = await _library(client)
    got = await client.get("/api/v1/folders/export", params={"path": "/trips"})
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert 'filename="trips.zip"' in got.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "satchel-folder" and manifest["folder"]["path"] == "/trips"
    rows = {row["filename"]: row for row in manifest["assets"]}
    assert set(rows) == set(files)  # the file in /work stays out
    for name, (folder, data) in files.items():
        assert archive.read(rows[name]["file"]) == data
        assert rows[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert rows[name]["folder"] == folder[len("/trips") :].strip("/")
        assert rows[name]["tags"] == ["trip", name]
    assert rows["notes.txt"]["folder"] == "day 1/notes"

    # Gone for good, then back from the ZIP: same tree, bytes, tags.
    gone = await client.delete("/api/v1/folders", params={"path": "/trips", "permanent": "true"})
    assert gone.status_code == 200, gone.text
    assert await _listing(client, "/trips") == []
    made = await client.post("/api/v1/folders/import", content=got.content, headers=ZIP)
    assert made.status_code == 201, made.text
    assert made.json()["data"]["folder"] == "/trips"
    assert made.json()["data"]["asset_count"] == 3
    back = {a["filename"]: a for a in await _listing(client, "/trips")}
    assert {name: a["folder"] for name, a in back.items()} == {n: f for n, (f, _) in files.items()}
    for name, (_, data) in files.items():
        raw = await client.get(f"/api/v1/assets/{back[name]['id']}/raw")
        assert raw.content == data and back[name]["tags"] == ["trip", name]

    # Into another folder, beside the originals: copies, the tree kept under it.
    again = await client.post(
        "/api/v1/folders/import", params={"path": "/restored"}, content=got.content, headers=ZIP
    )
    assert again.status_code == 201, again.text
    copies = {a["filename"]: a["folder"] for a in await _listing(client, "/restored")}
    assert copies == {n: "/restored" + f[len("/trips") :] for n, (f, _) in files.items()}
    assert len(await _listing(client, "/trips")) == 3


async def test_unknown_folder_and_hostile_archives(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/folders/export", params={"path": "/nothing here"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "folder_not_found"
    await _library(client)
    data = (await client.get("/api/v1/folders/export", params={"path": "/trips"})).content
    before = len(await _listing(client, "/"))

    def altered(change: Any) -> bytes:
        source = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(source.read("manifest.json"))
        change(manifest)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            target.writestr("manifest.json", json.dumps(manifest))
            for info in source.infolist():
                if info.filename != "manifest.json":
                    target.writestr(info, source.read(info))
        return out.getvalue()

    def escape(m: dict[str, Any]) -> None:
        m["assets"][-1]["folder"] = "../../etc"

    def wrong_sum(m: dict[str, Any]) -> None:
        m["assets"][-1]["sha256"] = "0" * 64

    def a_space(m: dict[str, Any]) -> None:
        m["format"] = "satchel-space"

    for body in (altered(escape), altered(wrong_sum), altered(a_space), b"not a zip at all"):
        refused = await client.post("/api/v1/folders/import", content=body, headers=ZIP)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "validation_error"
    assert len(await _listing(client, "/")) == before  # nothing was half-imported

"""Every corpus file through the real upload API: accepted ones come back byte-exact with
the right type and kind; refused ones get their code and leave nothing behind."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from satchel.runtime import Runtime
from tests.assets.test_upload import stored_files, temp_files
from tests.corpus import CORPUS, EXPECTED, Accepted, corpus_files

FILES = corpus_files()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
async def test_corpus_file_upload(
    client: httpx.AsyncClient, runtime: Runtime, path: object
) -> None:
    assert hasattr(path, "read_bytes")
    rel = str(path.relative_to(CORPUS))  # type: ignore[attr-defined]
    expected = EXPECTED[rel]
    data: bytes = path.read_bytes()  # type: ignore[attr-defined]
    # Declare nothing, as curl does: the content decides (a declared type may only choose
    # between types the content allows, e.g. audio/mp4 vs audio/m4a; tests/media covers it).
    response = await client.post(
        "/api/v1/assets",
        files={"file": (path.name, data, "application/octet-stream")},  # type: ignore[attr-defined]
    )
    if isinstance(expected, Accepted):
        assert response.status_code == 202, response.text
        asset = response.json()["data"]
        assert (asset["media_type"], asset["kind"]) == (expected.media_type, expected.kind)
        assert asset["sha256"] == hashlib.sha256(data).hexdigest()
        if expected.width is not None:
            assert (asset["width"], asset["height"]) == (expected.width, expected.height)
        raw = await client.get(f"/api/v1/assets/{asset['id']}/raw")
        assert raw.status_code == 200 and raw.content == data
        assert raw.headers["content-type"].split(";")[0] == expected.media_type
    else:
        assert response.status_code in (413, 422), response.text
        assert response.json()["error"]["code"] == expected.code
        assert stored_files(runtime) == []
        assert (await client.get("/api/v1/assets")).json()["data"] == []
    assert temp_files(runtime) == []

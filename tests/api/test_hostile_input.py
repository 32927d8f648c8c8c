"""Hostile request shapes get a clean 4xx with a code, never a 500: odd digits, huge
numbers, deep JSON, oversized JSON bodies and forms that would fill memory."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import upload

DEEP = "[" * 100_000 + "]" * 100_000


def _error(response: httpx.Response, status: int | tuple[int, ...], code: str) -> None:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, response.text
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize("expires", ["²", "9" * 5000, "-1", "1e9", "٣٣٣"])
async def test_signature_query_values(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, expires: str
) -> None:
    asset = (await upload(client, b"words\n", filename="w.txt"))["data"]
    for sig in ("abc", "é"):
        response = await anon.get(
            f"/api/v1/assets/{asset['id']}/content", params={"expires": expires, "sig": sig}
        )
        _error(response, 403, "signature_invalid")


@pytest.mark.parametrize("length", ["9" * 5000, "²".encode(), b"12a"])
async def test_tus_upload_length(client: httpx.AsyncClient, length: str | bytes) -> None:
    response = await client.post(
        "/api/v1/uploads/tus", headers={"Tus-Resumable": "1.0.0", "Upload-Length": length}
    )
    _error(response, 400, "tus_header_invalid")


async def test_deep_json_in_fields_and_bodies(client: httpx.AsyncClient) -> None:
    asset = (await upload(client, b"words\n", filename="w.txt"))["data"]
    for nested in ("[" * 900 + "]" * 900, DEEP):
        patched = await client.patch(
            f"/api/v1/assets/{asset['id']}",
            content='{"attributes": {"a": ' + nested + "}}",
            headers={"content-type": "application/json"},
        )
        assert 400 <= patched.status_code < 500, patched.text
        assert "code" in patched.json()["error"]
    for field in ("attributes", "tags"):
        value = '{"a": ' + DEEP + "}" if field == "attributes" else DEEP
        response = await client.post(
            "/api/v1/assets", files={"file": ("x.txt", b"more\n")}, data={field: value}
        )
        _error(response, 422, "validation_error")
    tool = await client.post(
        "/api/v1/tools/image/resize",
        content='{"settings": ' + DEEP + "}",
        headers={"content-type": "application/json"},
    )
    _error(tool, 422, "validation_error")
    big = {"k" + str(i): "v" * 1000 for i in range(100)}
    response = await client.patch(f"/api/v1/assets/{asset['id']}", json={"attributes": big})
    _error(response, 422, "validation_error")


async def _chunks(total: int, piece: bytes) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield piece
        sent += len(piece)


async def test_json_bodies_are_capped(client: httpx.AsyncClient) -> None:
    body = b'{"settings": {"width": 10, "pad": "' + b"x" * (5 << 20) + b'"}}'
    declared = await client.post(
        "/api/v1/tools/image/resize", content=body, headers={"content-type": "application/json"}
    )
    _error(declared, 413, "request_too_large")

    async def chunked() -> AsyncIterator[bytes]:
        yield b'{"name": "x", "pad": "'
        async for piece in _chunks(6 << 20, b"x" * 65536):
            yield piece
        yield b'"}'

    streamed = await client.post(
        "/api/v1/pipeline/save", content=chunked(), headers={"content-type": "application/json"}
    )
    _error(streamed, 413, "request_too_large")


async def test_form_fields_are_counted(client: httpx.AsyncClient) -> None:
    many = {f"f{i}": "x" for i in range(300)}
    response = await client.post("/api/v1/assets", files={"file": ("m.txt", b"many\n")}, data=many)
    _error(response, 413, "request_too_large")
    heavy = {f"f{i}": "x" * ((1 << 20) - 10) for i in range(6)}
    response = await client.post(
        "/api/v1/assets", files={"file": ("h.txt", b"heavy\n")}, data=heavy
    )
    _error(response, 413, "request_too_large")
    tool = await client.post(
        "/api/v1/tools/image/resize", files={"file": ("h.txt", b"heavy\n")}, data=heavy
    )
    _error(tool, 413, "request_too_large")

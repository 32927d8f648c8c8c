"""Every answer is `{data, meta}` or `{error: {code, message, fields}}`, whatever happened."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from satchel import __version__
from satchel.runtime import Runtime


def _is_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert "Traceback" not in response.text


async def test_health_is_public(anon: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await anon.get("/api/v1/health")
    assert response.json() == {"status": "healthy", "version": __version__}
    original = runtime.db.ping
    runtime.db.ping = lambda: False  # type: ignore[method-assign]
    try:
        assert (await anon.get("/api/v1/health")).status_code == 503
    finally:
        runtime.db.ping = original  # type: ignore[method-assign]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nothing-here", 404, "route_not_found"),
        ("PUT", "/api/v1/assets", 405, "method_not_allowed"),
        ("GET", "/api/v1/assets/ast_00000000000000000000000000", 404, "asset_not_found"),
        ("GET", "/api/v1/assets?limit=0", 422, "validation_error"),
        ("GET", "/api/v1/assets?limit=many", 422, "validation_error"),
        ("POST", "/api/v1/assets", 415, "unsupported_media_type"),
    ],
)
async def test_errors_use_the_envelope(
    client: httpx.AsyncClient, method: str, path: str, status: int, code: str
) -> None:
    _is_error(await client.request(method, path), status, code)


@pytest.mark.parametrize("path", ["/api/v1/assets", "/api/v1/tools/image/resize"])
async def test_a_body_of_a_type_the_route_does_not_take_is_415(
    client: httpx.AsyncClient, path: str
) -> None:
    sent = await client.post(path, content=b"width=8", headers={"Content-Type": "text/plain"})
    _is_error(sent, 415, "unsupported_media_type")


async def test_validation_error_names_fields(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/assets", params={"limit": 0})
    assert response.json()["error"]["fields"][0]["field"] == "limit"
    bad_json = await client.post(
        "/api/v1/assets", content=b"{", headers={"Content-Type": "application/json"}
    )
    _is_error(bad_json, 400, "bad_request")


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthorized"),
        ({"Authorization": "Bearer nope"}, "unauthorized"),
        ({"Authorization": "Basic abc"}, "unauthorized"),
    ],
)
async def test_keys_are_required(
    anon: httpx.AsyncClient, headers: dict[str, str], code: str
) -> None:
    _is_error(await anon.get("/api/v1/assets", headers=headers), 401, code)


async def test_v1_alias(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/assets")).status_code == 200
    assert (await client.get("/v1/health")).status_code == 200


async def test_unexpected_error_is_enveloped_without_traceback(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from satchel.assets import router as assets_router

    def boom(**_: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(assets_router.list_assets.__module__ + ".list_assets", boom, raising=False)
    monkeypatch.setattr(assets_router, "list_assets", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=client.headers
    ) as c:
        response = await c.get("/api/v1/assets")
    _is_error(response, 500, "internal_error")
    assert "secret internals" not in response.text

"""The checked-in OpenAPI document matches the app; regenerate with `make openapi`."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from satchel.api.openapi import render

CHECKED_IN = Path(__file__).resolve().parents[2] / "openapi.json"


async def test_openapi_has_not_drifted(anon: httpx.AsyncClient) -> None:
    served = (await anon.get("/api/v1/openapi.json")).json()
    assert json.loads(CHECKED_IN.read_text()) == served, (
        "openapi.json is out of date: run `make openapi` and commit it"
    )
    assert render(served) == CHECKED_IN.read_text()
    yaml_doc = await anon.get("/api/v1/openapi.yaml")
    assert yaml_doc.status_code == 200 and "openapi:" in yaml_doc.text


async def test_every_route_documents_the_error_envelope(anon: httpx.AsyncClient) -> None:
    doc = (await anon.get("/api/v1/openapi.json")).json()
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            assert "4XX" in operation["responses"] or path.endswith("/health"), (path, method)

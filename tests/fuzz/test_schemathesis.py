"""Schemathesis against the committed OpenAPI document: every operation, requests made
from its schema (valid and not), as an ordinary user and as the admin. No answer may be a
5xx, and every 4xx carries the error envelope with a code.

The budget is bounded (`SATCHEL_FUZZ_EXAMPLES` per operation and identity, default 8:
2,350 requests over 147 operations on 2026-12-04, 16 s) so that `make test` stays short
on two cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import ADMIN_KEY, make_user

DOCUMENT = Path(__file__).parents[2] / "openapi.json"
EXAMPLES = int(os.environ.get("SATCHEL_FUZZ_EXAMPLES", "8"))


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_dict(json.loads(DOCUMENT.read_text()))
    return [result.ok() for result in schema.get_all_operations()]


def _cases(operation: Any, count: int, seed: int) -> Iterator[Any]:
    found: list[Any] = []
    strategy = operation.as_strategy()

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy, st.just(seed))
    def collect(case: Any, _: int) -> None:
        found.append(case)

    with contextlib.suppress(Exception):  # a schema nothing can be generated for: no cases
        collect()
    return iter(found)


def _request(case: Any, token: str) -> dict[str, Any]:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = {
        k: v
        for k, v in (kwargs.get("headers") or {}).items()
        if k.lower() not in ("authorization", "connection", "accept-encoding")
    }
    headers["Authorization"] = f"Bearer {token}"
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": headers,
        "params": kwargs.get("params") or None,
    }
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    if "files" in kwargs or isinstance(kwargs.get("data"), dict):
        request["files"] = kwargs.get("files")
        request["data"] = kwargs.get("data")
    elif "data" in kwargs:
        data = kwargs["data"]
        request["content"] = data.encode() if isinstance(data, str) else data
    return request


async def test_no_server_errors_and_every_4xx_has_a_code(app: FastAPI, runtime: Any) -> None:
    user_key = make_user(runtime, username="fuzzer", scopes=["write"])
    problems: list[str] = []
    sent = 0
    reached: dict[str, int] = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        for operation in _operations():
            for seed, token in enumerate((user_key, ADMIN_KEY)):
                for case in _cases(operation, EXAMPLES, seed):
                    request = _request(case, token)
                    try:  # a request httpx cannot encode is not one a server gets
                        built = client.build_request(**request)
                        built.read()
                    except Exception:
                        continue
                    try:
                        response = await asyncio.wait_for(client.send(built), 30)
                    except TimeoutError:
                        problems.append(f"{request['method']} {request['url']}: no answer in 30 s")
                        continue
                    sent += 1
                    name = f"{operation.method.upper()} {operation.path}"
                    reached[name] = reached.get(name, 0) + 1
                    where = f"{name} -> {response.status_code}"
                    if response.status_code >= 500:
                        problems.append(f"{where}: {response.text[:200]} {request}")
                    elif response.status_code >= 400 and built.method != "HEAD":  # no body
                        try:
                            code = response.json()["error"]["code"]
                        except (ValueError, KeyError, TypeError):
                            code = None
                        if not code:
                            problems.append(f"{where}: no error code in {response.text[:200]}")
    operations = {f"{o.method.upper()} {o.path}" for o in _operations()}
    print(f"schemathesis: {sent} requests over {len(operations)} operations")
    assert not operations - reached.keys(), f"never sent: {sorted(operations - reached.keys())}"
    assert sent >= 2000 * EXAMPLES // 8
    assert not problems, "\n".join(problems[:30])


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

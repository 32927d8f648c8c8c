"""Fixtures: a real app over a temporary data folder, and factories that make data."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from satchel.api.app import create_app
from satchel.auth.models import User
from satchel.auth.service import create_key
from satchel.config import Settings
from satchel.ids import new_id
from satchel.runtime import Runtime, start

ADMIN_KEY = "sat_test-admin-key-000000000000000000000000"


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head (with the admin) once per test process; each test
    starts from a copy instead of running every migration again."""
    data_dir = tmp_path_factory.mktemp("template") / "data"
    start(Settings(data_dir=data_dir, admin_api_key=ADMIN_KEY)).close()  # type: ignore[arg-type]
    return data_dir / "satchel.db"


@pytest.fixture
def settings(tmp_path: Path, migrated_db: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copyfile(migrated_db, data_dir / "satchel.db")
    return Settings(
        data_dir=data_dir,
        admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
        base_url="http://testserver",
        # AI enrichment (OCR, faces, …) after every upload would slow every test that
        # processes files; tests of enrichment ask for it with `runEnrichment=true`.
        run_enrichment=False,
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = start(settings)
    yield rt
    rt.close()


@pytest.fixture
def workers(runtime: Runtime) -> Iterator[Runtime]:
    """Job workers (threads) for this test's runtime; stopped with it."""
    runtime.start_workers(2)
    yield runtime


@pytest.fixture
def app(settings: Settings, runtime: Runtime) -> FastAPI:
    return create_app(settings, runtime)


def _client(app: FastAPI, key: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app, ADMIN_KEY) as c:
        yield c


@pytest.fixture
async def anon(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app, None) as c:
        yield c


def make_user(runtime: Runtime, *, username: str, scopes: list[str]) -> str:
    """A user with one key of these scopes; returns the raw key."""
    with runtime.db.session() as session:
        user = User(id=new_id("usr"), username=username, role="user")
        session.add(user)
        session.flush()
        _, raw = create_key(session, user_id=user.id, name=username, scopes=scopes)
        session.commit()
    return raw


@pytest.fixture
async def other(app: FastAPI, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """A second ordinary user with a write key."""
    async with _client(app, make_user(runtime, username="other", scopes=["write"])) as c:
        yield c


@pytest.fixture
def client_for(app: FastAPI, runtime: Runtime) -> Any:
    def make(scopes: list[str], username: str) -> httpx.AsyncClient:
        return _client(app, make_user(runtime, username=username, scopes=scopes))

    return make


async def upload(
    client: httpx.AsyncClient,
    data: bytes | Path,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    expect: int | None = 202,
    **fields: Any,
) -> dict[str, Any]:
    """Upload by multipart form; returns the whole JSON body."""
    if isinstance(data, Path):
        filename = filename or data.name
        data = data.read_bytes()  # noqa: ASYNC240 - small test files
    file_tuple: tuple[Any, ...] = (filename or "file.bin", io.BytesIO(data))
    if content_type:
        file_tuple = (*file_tuple, content_type)
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    response = await client.post("/api/v1/assets", files={"file": file_tuple}, data=form)
    if expect is not None:
        assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


def make_png(width: int = 2, height: int = 2, *, seed: int = 0) -> bytes:
    """A valid RGB PNG made here (distinct bytes per seed)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    row = bytes([0]) + bytes((seed + i) % 256 for i in range(width * 3))
    raw = row * height
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One SeaweedFS (S3 gateway) per test session (per xdist worker); see tests/servers.py."""
    from tests.servers import seaweedfs_server

    with seaweedfs_server(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


def s3_settings(tmp_path: Path, server: Any, *, bucket: str, **extra: Any) -> Settings:
    """Settings whose managed storage is `bucket` on the test S3 server, under a fresh prefix."""
    import secrets

    return Settings(
        data_dir=tmp_path / "data",
        admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
        base_url="http://testserver",
        blobs_url=f"s3://{bucket}/t-{secrets.token_hex(6)}",
        s3_endpoint_url=server.endpoint_url,
        s3_access_key_id=server.access_key,
        s3_secret_access_key=server.secret_key,
        s3_region=server.region,
        **extra,
    )

"""Fixtures: a real app over a temporary data folder, and factories that make data."""

from __future__ import annotations

import io
import json
import os
import secrets
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
# AI enrichment (OCR, faces, …) after every upload would slow every test that processes
# files, servers started by tests included; enrichment tests ask for it per upload.
os.environ.setdefault("SATCHEL_RUN_ENRICHMENT", "false")
# Scale-out (PostgreSQL) refuses to start without a shared key from configuration.
CLUSTER_SECRET = "test-cluster-secret-0123456789abcdef0123456789"


def secret_for(database_url: str | None) -> Any:
    return CLUSTER_SECRET if database_url else None


TESTS = Path(__file__).parent
# The folders whose tests touch the database run on SQLite and on PostgreSQL; the rest
# (media engines, tools, processors) run on SQLite only: their database use is the same
# few statements, and running them twice would double `make test`.
DB_FOLDERS = frozenset(
    {
        "accounts",
        "assets",
        "audit",
        "auth",
        "db",
        "folders",
        "jobs",
        "library",
        "lifecycle",
        "preferences",
        "renditions",
        "search",
        "skills",
        "spaces",
        "storage",
        "trash",
        "uploads",
        "webhooks",
    }
)
# Modules in those folders that are about files, not the database.
SQLITE_ONLY_MODULES = frozenset({"test_corpus.py"})
# SATCHEL_TEST_ENGINES=sqlite runs everything on SQLite alone (a quick local run).
ENGINES = tuple(e for e in os.environ.get("SATCHEL_TEST_ENGINES", "sqlite,postgresql").split(","))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" not in metafunc.fixturenames or len(ENGINES) < 2:
        return
    path = Path(str(metafunc.definition.path))
    parts = path.relative_to(TESTS).parts
    if parts[0] in DB_FOLDERS and path.name not in SQLITE_ONLY_MODULES:
        metafunc.parametrize("database_url", ENGINES, indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    """The engines of deploy/debian-engines.txt, installed first when missing (OCR,
    LibreOffice, Ghostscript, qpdf, Chromium, …: the tools' tests expect them). This runs
    before collection (and, under xdist, in the controller before any worker starts): an
    engine probe cached while collecting would otherwise keep saying "not installed"."""
    from tests.servers import ensure_engines

    ensure_engines()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """One PostgreSQL per test process (xdist worker); see tests/servers.py."""
    from tests.servers import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def pg_template(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PostgreSQL database migrated to head (with the admin), copied for each test."""
    data_dir = tmp_path_factory.mktemp("pg-template")
    url = pg_database(pg_server, "satchel_template")
    start(
        Settings(
            data_dir=data_dir,
            admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
            database_url=url,
            secret_key=CLUSTER_SECRET,  # type: ignore[arg-type]
        )
    ).close()
    return "satchel_template"


def pg_database(server: str, name: str, *, template: str | None = None) -> str:
    """Create database `name` (a copy of `template`) on the test server; returns its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}{copy}"))
    engine.dispose()
    return f"{server}/{name}"


def drop_pg_database(server: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for the embedded SQLite; on PostgreSQL, the URL of a fresh migrated database."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield None
        return
    server: str = request.getfixturevalue("pg_server")
    template: str = request.getfixturevalue("pg_template")
    name = f"t_{secrets.token_hex(6)}"
    url = pg_database(server, name, template=template)
    yield url
    drop_pg_database(server, name)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head (with the admin) once per test process; each test
    starts from a copy instead of running every migration again."""
    data_dir = tmp_path_factory.mktemp("template") / "data"
    start(Settings(data_dir=data_dir, admin_api_key=ADMIN_KEY)).close()  # type: ignore[arg-type]
    return data_dir / "satchel.db"


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None, request: pytest.FixtureRequest) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if database_url is None:
        migrated_db: Path = request.getfixturevalue("migrated_db")
        shutil.copyfile(migrated_db, data_dir / "satchel.db")
    return Settings(
        data_dir=data_dir,
        admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
        base_url="http://testserver",
        database_url=database_url,
        secret_key=secret_for(database_url),
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

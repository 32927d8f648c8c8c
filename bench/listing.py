"""list: p50/p99 of `GET /api/v1/assets` (each filter) and `/assets/facets` over one
owner's 100 000 assets (`python -m bench list --assets 1000000` for a million), on SQLite
and on PostgreSQL (`BENCH_LIST_ENGINES=sqlite` for one), vs the same SQL run straight on
the engine's driver (the baseline: the ratio is the API's own overhead).

Assets come from `bench/list_seed.py` (one owner, realistic spread); requests use a key of
a plain user (the owner's view, as a person's app sees it), on a real
`satchel serve` with no job workers.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import create_engine, event, text

from bench.client import Conn
from bench.common import percentile, report, work_dir
from bench.list_seed import seed
from bench.server import Satchel, Sink

DEFAULT_COUNT = 100_000
REQUESTS = 500
WARMUP = 20
LIMIT_SECONDS = 15.0
GOAL_MS = 20.0
SECRET = "bench-list-secret-0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Case:
    name: str
    params: dict[str, str]
    path: str = "/api/v1/assets"


CASES = (
    Case("first", {}),
    Case("deep", {}),  # a cursor at row 90 %, filled in by run()
    Case("folder", {"folder": "/2025/trip-7"}),
    Case("folder_tree", {"folder": "/work", "recursive": "true"}),
    Case("folder_tree_small", {"folder": "/2024/trip-3", "recursive": "true"}),
    Case("favorite", {"is_favorite": "true"}),
    Case("archived", {"is_archived": "true"}),
    Case("kind", {"kind": "video"}),
    Case("taken", {"taken_after": "2024-03-01", "taken_before": "2024-04-01"}),
    Case("camera", {"camera": "Canon EOS R6"}),
    Case("make", {"camera": "Canon"}),
    Case("near", {"near": "48.86,2.35,10"}),
    Case("bbox", {"bbox": "52.0,13.0,53.0,14.0"}),
    Case("orientation", {"orientation": "portrait"}),
    Case("min_width", {"min_width": "5900"}),
    Case("q", {"q": "sunset", "mode": "keyword"}),
    Case("q_rare", {"q": "mockup", "mode": "keyword"}),
    Case("tag", {"tag": "client-globex"}),
    Case("taken_sort", {"sort": "taken_at"}),
    Case("size", {"sort": "size"}),
    Case("facets", {}, "/api/v1/assets/facets"),
)


def count() -> int:
    return int(
        os.environ.get("BENCH_ASSETS") or os.environ.get("BENCH_LIST_COUNT") or DEFAULT_COUNT
    )


def engines() -> list[str]:
    return os.environ.get("BENCH_LIST_ENGINES", "sqlite,postgresql").split(",")


@contextmanager
def served(engine: str, work: Path, stack: ExitStack) -> Iterator[tuple[Satchel, str]]:
    """A `satchel serve` on `engine` (no job workers) and its database URL."""
    env = {"SATCHEL_WORKERS": "0"}
    data = work / engine / "data"
    data.mkdir(parents=True, exist_ok=True)
    if engine == "postgresql":
        from bench.scale_out import database, services

        svc = stack.enter_context(services(work))
        url = database(svc["pg"], "bench_list")
        env |= {"SATCHEL_DATABASE_URL": url, "SATCHEL_SECRET_KEY": SECRET}
    else:
        url = f"sqlite:///{data / 'satchel.db'}"
    with Satchel(data, env) as server:
        yield server, url


def owner_key(server: Satchel, *, register: bool = True) -> tuple[str, dict[str, str]]:
    """A plain user (who sees only their own files, as a person's app does) and an API key
    of theirs: registered by the admin, signed in, key made with the session."""
    password = "bench-list-password-0123"
    json_headers = {"Content-Type": "application/json"}
    with Conn(server.port) as conn:
        body = json.dumps({"username": "lister", "password": password, "role": "user"})
        headers = {**server.auth, **json_headers}
        if register:
            conn.request("POST", "/api/v1/auth/register", headers, body.encode()).check(201)
        body = json.dumps({"username": "lister", "password": password})
        login = conn.request("POST", "/api/v1/auth/login", json_headers, body.encode())
        signed = login.check(200).json()["data"]
        owner_id, token = signed["user"]["id"], signed["token"]
        body = json.dumps({"name": "bench-list", "scopes": ["read"]})
        headers = {"Authorization": f"Bearer {token}", **json_headers}
        made = conn.request("POST", "/api/v1/api-keys", headers, body.encode()).check(201)
    return owner_id, {"Authorization": f"Bearer {made.json()['data']['key']}"}


def deep_cursor(url: str, owner_id: str, row: int) -> str:
    """The API's cursor (base64url of `[created_at, id]`) positioned after `row`."""
    engine = create_engine(url)
    with engine.connect() as conn:
        created, asset_id = conn.execute(
            text(
                "SELECT created_at, id FROM assets WHERE owner_id = :o AND trashed_at IS NULL "
                "AND NOT is_archived ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET :n"
            ),
            {"o": owner_id, "n": row - 1},
        ).one()
    engine.dispose()
    if isinstance(created, str):
        from datetime import datetime

        created = datetime.fromisoformat(created)
    raw = json.dumps([created.replace(tzinfo=UTC).isoformat(), asset_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def captured_sql(
    server: Satchel, url: str, target: str, headers: dict[str, str]
) -> list[tuple[str, Any]]:
    """The SELECTs on assets (and their facet counts) the API runs for `target`, with their
    bound values, as sent to the driver.

    The real app is built in this process over the same data folder and database and called
    once; SQLAlchemy hands over each statement as sent to sqlite3 or psycopg, so the
    baseline runs exactly what the API ran, whatever the router decides.
    """
    import httpx
    from pydantic import SecretStr

    from satchel.api.app import create_app
    from satchel.config import Settings
    from satchel.runtime import start

    settings = Settings(
        data_dir=server.data_dir,
        admin_api_key=SecretStr(server.key),
        database_url=None if url.startswith("sqlite") else url,
        secret_key=SecretStr(SECRET),
        workers=0,
    )
    runtime = start(settings)
    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        head = statement.lstrip().upper()
        if (head.startswith("SELECT") and "FROM asset" in statement) or head.startswith(
            "SET LOCAL"
        ):
            seen.append((statement, parameters))

    async def call() -> None:
        transport = httpx.ASGITransport(app=create_app(settings, runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            (await client.get(target, headers=headers)).raise_for_status()

    event.listen(runtime.db.engine, "before_cursor_execute", capture)
    try:
        asyncio.run(call())
    finally:
        runtime.close()
    if not seen:
        raise RuntimeError(f"no SELECT on assets was seen for {target}")
    return seen


class Driver:
    """The engine's own driver (sqlite3, psycopg), for the plans and the baseline."""

    def __init__(self, url: str) -> None:
        self.postgresql = url.startswith("postgresql")
        if self.postgresql:
            import psycopg

            # The app's session settings (no JIT: satchel.db.engine); each request's
            # statements in one transaction, so its SET LOCALs hold for what follows them.
            plain = url.replace("postgresql+psycopg://", "postgresql://")
            self.conn: Any = psycopg.connect(plain, options="-c jit=off")
            self.conn.autocommit = True
        else:
            import sqlite3

            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"))

    def close(self) -> None:
        self.conn.close()

    def plan(self, statements: list[tuple[str, Any]]) -> str:
        """EXPLAIN (QUERY PLAN) of the statements, on one line."""
        out = []
        with self._request():
            for sql, params in statements:
                if sql.lstrip().upper().startswith("SET"):
                    self.conn.execute(sql, params)
                elif self.postgresql:
                    lines = [r[0] for r in self.conn.execute(f"EXPLAIN {sql}", params).fetchall()]
                    out.append("; ".join(line.strip() for line in lines[:8]))
                else:
                    rows = self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
                    out.append("; ".join(row[3] for row in rows))
        return " / ".join(out)

    def time(self, statements: list[tuple[str, Any]]) -> list[float]:
        def run() -> None:
            with self._request():
                for sql, params in statements:
                    cursor = self.conn.execute(sql, params)
                    if cursor.description is not None:
                        cursor.fetchall()

        return timed(run)

    def _request(self) -> Any:
        return self.conn.transaction() if self.postgresql else nullcontext()


def timed(call: Callable[[], object]) -> list[float]:
    """Seconds of REQUESTS calls after WARMUP, within about LIMIT_SECONDS (at least one)."""
    samples: list[float] = []
    deadline = time.monotonic() + LIMIT_SECONDS
    for i in range(WARMUP + REQUESTS):
        over = time.monotonic() > deadline
        if over and samples:
            break
        start = time.perf_counter()
        call()
        if i >= WARMUP or over:
            samples.append(time.perf_counter() - start)
    return samples


def time_http(conn: Conn, target: str, headers: dict[str, str]) -> tuple[list[float], int]:
    first = conn.request("GET", target, headers).check(200).json().get("data", [])
    samples = timed(lambda: conn.request("GET", target, headers).check(200))
    return samples, len(first) if isinstance(first, list) else 1


def _ms(samples: list[float]) -> str:
    return f"{percentile(samples, 50) * 1e3:.1f}/{percentile(samples, 99) * 1e3:.1f}"


def run() -> None:
    n = count()
    results: dict[str, tuple[float, dict[str, tuple[list[float], list[float], int]]]] = {}
    with ExitStack() as outer:
        kept = os.environ.get("BENCH_LIST_DIR")
        work = Path(kept) if kept else outer.enter_context(work_dir("list"))
        with Sink() as sink, Conn(sink.port) as conn:
            ceiling, _ = time_http(conn, "/api/v1/assets?limit=50", {})
        for engine in engines():
            with ExitStack() as stack:
                server, url = stack.enter_context(served(engine, work, stack))
                results[engine] = measure(server, url, n, engine)
    _report(n, results, ceiling)


def measure(
    server: Satchel, url: str, n: int, engine: str
) -> tuple[float, dict[str, tuple[list[float], list[float], int]]]:
    seeded = server.data_dir.parent / "seeded.json"
    if seeded.exists():  # BENCH_LIST_DIR kept a seeded SQLite folder: measure it again
        owner_id, headers = owner_key(server, register=False)
        insert_s = json.loads(seeded.read_text())["seconds"]
    else:
        owner_id, headers = owner_key(server)
        print(f"  {engine}: seeding {n} assets", flush=True)
        insert_s = seed(url, owner_id, n)
        if engine == "sqlite":
            seeded.write_text(json.dumps({"seconds": insert_s, "assets": n}))
    print(f"  {engine}: {n} assets seeded in {insert_s:.0f} s", flush=True)
    deep = {"cursor": deep_cursor(url, owner_id, n * 9 // 10)}
    out: dict[str, tuple[list[float], list[float], int]] = {}
    with Conn(server.port) as conn:
        out["health"] = (time_http(conn, "/api/v1/health", {})[0], [], 0)
    driver = Driver(url)
    try:
        for case in CASES:
            params = deep if case.name == "deep" else case.params
            query = params if case.name == "facets" else {"limit": "50", **params}
            target = f"{case.path}?{urlencode(query)}" if query else case.path
            # A fresh connection per case: uvicorn drops keep-alive connections idle for 5 s.
            with Conn(server.port) as conn:
                api, items = time_http(conn, target, headers)
            statements = captured_sql(server, url, target, headers)
            print(f"  {engine} {case.name} plan: {driver.plan(statements)}", flush=True)
            sql = driver.time(statements)
            print(
                f"  {engine} {case.name}: API {_ms(api)} SQL {_ms(sql)} ms, {items} rows",
                flush=True,
            )
            out[case.name] = (api, sql, items)
    finally:
        driver.close()
    return insert_s, out


def _report(
    n: int,
    results: dict[str, tuple[float, dict[str, tuple[list[float], list[float], int]]]],
    ceiling: list[float],
) -> None:
    parts, ratios, missed = [], [], []
    for engine, (insert_s, cases) in results.items():
        line = [f"{engine} ({n} assets of one owner, seeded in {insert_s:.0f} s):"]
        for name, (api, sql, items) in cases.items():
            if name == "health":
                continue
            line.append(f"{name} {_ms(api)} ({_ms(sql)}; {items} rows)")
            p99 = percentile(api, 99)
            ratios.append(f"{engine} {name} {p99 / percentile(sql, 99):.1f}×")
            if p99 * 1e3 >= GOAL_MS:
                missed.append(f"{engine} {name}")
        line.append(f"GET /health {_ms(cases['health'][0])}")
        parts.append(" ".join(line[:1]) + " " + "; ".join(line[1:]))
    figures = (
        "p50/p99 ms API (same SQL on the driver): "
        + " — ".join(parts)
        + f"; client ceiling {_ms(ceiling)}; missed: {', '.join(missed) or 'none'}"
    )
    ratio = "p99 API÷SQL: " + ", ".join(ratios)
    report("list", figures, ratio, f"p99 < {GOAL_MS:.0f} ms each", not missed)

"""list: p50/p99 of `GET /api/v1/assets` (each filter) and `/assets/facets` over 100 000
assets (`BENCH_LIST_COUNT=1000000` for a million) vs the same SQL on sqlite3."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import event

from bench.client import Conn
from bench.common import percentile, report, work_dir
from bench.server import Satchel, Sink

COUNT = int(os.environ.get("BENCH_LIST_COUNT", "100000"))
REQUESTS = 500
WARMUP = 20
DEEP_ROW = COUNT * 9 // 10
LIMIT_SECONDS = 60.0
GOAL_MS = 20.0

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # satchel.ids: Crockford base32, lower case
_WORDS = (
    "sunset", "beach", "holiday", "invoice", "report", "draft", "final", "scan", "receipt",
    "portrait", "landscape", "meeting", "notes", "budget", "summary", "garden", "kitchen",
    "street", "night", "city", "river", "mountain", "forest", "family", "wedding", "birthday",
    "concert", "podcast", "interview", "lecture", "demo", "trailer", "teaser", "logo", "banner",
    "icon", "poster", "flyer", "contract", "letter", "agenda", "minutes", "roadmap", "sketch",
    "mockup",
)  # fmt: skip
_TAGS = [f"project-{n}" for n in range(20)] + [
    "archive", "favourite", "client-acme", "client-globex", "2024", "2025", "raw", "edited",
    "public", "internal", "review", "approved", "print", "web", "social", "press",
]  # fmt: skip
_TYPES = (  # media type, extension, weight
    ("image/jpeg", "jpg", 40),
    ("image/png", "png", 15),
    ("video/mp4", "mp4", 10),
    ("audio/wav", "wav", 8),
    ("audio/mpeg", "mp3", 7),
    ("application/pdf", "pdf", 10),
    ("text/plain", "txt", 5),
    ("application/zip", "zip", 5),
)


_CAMERAS = (
    ("Canon", "Canon EOS 40D"), ("Canon", "Canon EOS R6"), ("NIKON CORPORATION", "NIKON D70"),
    ("SONY", "ILCE-7M3"), ("Apple", "iPhone 13"), ("Apple", "iPhone 15 Pro"),
    ("Google", "Pixel 8"), ("FUJIFILM", "X-T4"),
)  # fmt: skip
_PLACES = ((52.52, 13.40), (48.86, 2.35), (40.71, -74.0), (35.68, 139.69), (-33.87, 151.21))
_FOLDERS = (
    ["/"]
    + [f"/{y}/trip-{n}" for y in (2024, 2025) for n in range(40)]
    + [f"/work/project-{n}/{sub}" for n in range(30) for sub in ("drafts", "final", "assets")]
)


@dataclass(frozen=True)
class Case:
    name: str
    params: dict[str, str]
    path: str = "/api/v1/assets"


def _ulid(prefix: str, ms: int, rng: random.Random) -> str:
    value = (ms << 80) | rng.getrandbits(80)
    chars = [_ALPHABET[(value >> (5 * i)) & 31] for i in range(25, -1, -1)]
    return f"{prefix}_{''.join(chars)}"


def populate(db_path: Path, owner_id: str) -> float:
    """Insert COUNT assets (plus blobs and tags rows) in one transaction; seconds taken."""
    from satchel.media import kind_of

    rng = random.Random(20261123)
    start_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=365)
    step = timedelta(days=365) / COUNT
    weights = [w for *_, w in _TYPES]
    word_weights = [1.0 / (i + 1) for i in range(len(_WORDS))]  # Zipf-like
    blobs, assets, tags = [], [], []
    for i in range(COUNT):
        created = start_at + step * i + timedelta(microseconds=rng.randrange(1000))
        media_type, ext, _ = rng.choices(_TYPES, weights)[0]
        kind = kind_of(media_type)
        w1, w2, w3 = rng.choices(_WORDS, word_weights, k=3)
        sha = hashlib.sha256(i.to_bytes(8, "little")).hexdigest()
        size = int(rng.lognormvariate(13, 2)) + 1
        asset_tags = sorted(set(rng.choices(_TAGS, k=rng.choice((0, 1, 1, 2, 3)))))
        description = f"{w3.capitalize()} {w1} from the {w2} set" if rng.random() < 0.3 else None
        wide = kind in ("image", "video")
        stamp = created.strftime("%Y-%m-%d %H:%M:%S.%f")
        blobs.append((sha, size, b"\0" * 8 * (size // (1 << 20) + 1), stamp))
        assets.append((
            i + 1, _ulid("ast", int(created.replace(tzinfo=UTC).timestamp() * 1000), rng),
            owner_id, sha, size, f"{w1}-{w2}-{i:06d}.{ext}", media_type, kind, "ready",
            description, f"{w1} {w2}" if kind == "image" and rng.random() < 0.2 else None,
            json.dumps(asset_tags), "{}", 0, rng.randrange(200, 6000) if wide else None,
            rng.randrange(200, 4000) if wide else None,
            rng.uniform(1, 3600) if kind in ("audio", "video") else None,
            rng.randrange(1, 300) if media_type == "application/pdf" else None, stamp, stamp,
        ))  # fmt: skip
        assets[-1] += _library_columns(rng, kind, assets[-1][14], assets[-1][15], created)
        tags += [(i + 1, t) for t in asset_tags]
    start = time.perf_counter()
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO blobs VALUES (?, ?, ?, ?)", blobs)
        conn.executemany(
            "INSERT INTO assets (seq, id, owner_id, sha256, size, filename, media_type, kind, "
            "status, description, alt_text, tags, attributes, is_public, width, height, "
            "duration, pages, created_at, updated_at, folder, is_favorite, is_archived, "
            "taken_at, camera_make, camera_model, latitude, longitude, orientation) VALUES "
            f"({', '.join('?' * 29)})",
            assets,
        )
        conn.executemany("INSERT INTO asset_tags VALUES (?, ?)", tags)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return time.perf_counter() - start


def _library_columns(
    rng: random.Random, kind: str, width: int | None, height: int | None, created: datetime
) -> tuple[Any, ...]:
    """Folder, flags and the searched metadata of one generated asset (migration 0016)."""
    photo = kind == "image" and rng.random() < 0.7
    make, model = rng.choice(_CAMERAS) if photo else (None, None)
    lat = lon = None
    if photo and rng.random() < 0.4:
        base_lat, base_lon = rng.choice(_PLACES)
        lat, lon = base_lat + rng.uniform(-0.5, 0.5), base_lon + rng.uniform(-0.5, 0.5)
    taken = created - timedelta(days=rng.uniform(0, 2000)) if photo else created
    orientation = None
    if width and height:
        orientation = "landscape" if width > height else "portrait" if height > width else "square"
    return (
        rng.choice(_FOLDERS), int(rng.random() < 0.05), int(rng.random() < 0.03),
        taken.strftime("%Y-%m-%d %H:%M:%S.%f"), make, model, lat, lon, orientation,
    )  # fmt: skip


def _cursor(db_path: Path, owner_id: str) -> str:
    """The API's cursor (base64url of `[created_at, id]`) positioned after row DEEP_ROW."""
    with sqlite3.connect(db_path) as conn:
        created, asset_id = conn.execute(
            "SELECT created_at, id FROM assets WHERE owner_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
            (owner_id, DEEP_ROW - 1),
        ).fetchone()
    value = datetime.fromisoformat(created).replace(tzinfo=UTC).isoformat()
    raw = json.dumps([value, asset_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def captured_sql(server: Satchel, target: str) -> list[tuple[str, Any]]:
    """The SELECTs on `assets` that the API runs for `target`, with their bound values.

    The real app is built in this process over the same data folder and called once, and
    SQLAlchemy hands over each statement as sent to sqlite3: the baseline then runs exactly
    what the API ran, whatever the router decides (owner filter, scopes, joins).
    """
    import httpx
    from pydantic import SecretStr

    from satchel.api.app import create_app
    from satchel.config import Settings
    from satchel.runtime import start

    settings = Settings(data_dir=server.data_dir, admin_api_key=SecretStr(server.key))
    runtime = start(settings)
    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM assets" in statement:
            seen.append((statement, parameters))

    async def call() -> None:
        transport = httpx.ASGITransport(app=create_app(settings, runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            (await client.get(target, headers=server.auth)).raise_for_status()

    event.listen(runtime.db.engine, "before_cursor_execute", capture)
    try:
        asyncio.run(call())
    finally:
        runtime.close()
    if not seen:
        raise RuntimeError(f"no SELECT on assets was seen for {target}")
    return seen


def query_plan(db_path: Path, statements: list[tuple[str, Any]]) -> str:
    """SQLite's EXPLAIN QUERY PLAN of the statements, on one line."""
    with sqlite3.connect(db_path) as conn:
        return " / ".join(
            "; ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in statements
        )


def time_sql(db_path: Path, statements: list[tuple[str, Any]]) -> list[float]:
    conn = sqlite3.connect(db_path)
    deadline = time.monotonic() + LIMIT_SECONDS
    try:
        samples = []
        for i in range(WARMUP + REQUESTS):
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            for sql, params in statements:
                conn.execute(sql, params).fetchall()
            if i >= WARMUP:
                samples.append(time.perf_counter() - start)
        return samples
    finally:
        conn.close()


def time_http(conn: Conn, target: str, headers: dict[str, str]) -> tuple[list[float], int]:
    samples: list[float] = []
    items = 0
    deadline = time.monotonic() + LIMIT_SECONDS
    for i in range(WARMUP + REQUESTS):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        resp = conn.request("GET", target, headers).check(200)
        if i >= WARMUP:
            samples.append(time.perf_counter() - start)
        elif i == 0:
            items = len(resp.json().get("data", []))
    return samples, items


def _ms(samples: list[float]) -> str:
    return f"{percentile(samples, 50) * 1e3:.1f}/{percentile(samples, 99) * 1e3:.1f}"


def run() -> None:
    with work_dir("list") as work, Satchel(work / "data") as server:
        db_path = server.data_dir / "satchel.db"
        with sqlite3.connect(db_path) as conn:
            (owner_id,) = conn.execute("SELECT id FROM users WHERE role = 'admin'").fetchone()
        insert_s = populate(db_path, owner_id)
        cases = [
            Case("first", {}),
            Case("deep", {"cursor": _cursor(db_path, owner_id)}),
            Case("q", {"q": "sunset"}),
            Case("tag", {"tag": "client-globex"}),
            Case("size", {"sort": "size"}),
            Case("folder", {"folder": "/2025/trip-7"}),
            Case("folder_tree", {"folder": "/work", "recursive": "true"}),
            Case("favorite", {"is_favorite": "true"}),
            Case("archived", {"is_archived": "true"}),
            Case("taken", {"taken_after": "2024-03-01", "taken_before": "2024-04-01"}),
            Case("taken_sort", {"sort": "taken_at"}),
            Case("camera", {"camera": "Canon EOS R6"}),
            Case("near", {"near": "48.86,2.35,10"}),
            Case("bbox", {"bbox": "52.0,13.0,53.0,14.0"}),
            Case("orientation", {"orientation": "portrait"}),
            Case("min_width", {"min_width": "5900"}),
            Case("facets", {}, "/api/v1/assets/facets"),
        ]
        parts, ratios, worst = [], [], 0.0
        with Conn(server.port) as conn:
            health, _ = time_http(conn, "/api/v1/health", {})
        for case in cases:
            query = case.params if case.name == "facets" else {"limit": "50", **case.params}
            target = f"{case.path}?{urlencode(query)}" if query else case.path
            # A fresh connection per case: uvicorn drops keep-alive connections idle for 5 s.
            with Conn(server.port) as conn:
                api, items = time_http(conn, target, server.auth)
            statements = captured_sql(server, target)
            print(f"  {case.name} plan: {query_plan(db_path, statements)}")
            sql = time_sql(db_path, statements)
            p99 = percentile(api, 99)
            worst = max(worst, p99)
            parts.append(f"{case.name} {_ms(api)} ({_ms(sql)}; {items} rows)")
            ratios.append(f"{case.name} {p99 / percentile(sql, 99):.1f}×")
        with Sink() as sink, Conn(sink.port) as conn:
            ceiling, _ = time_http(conn, "/api/v1/assets?limit=50", {})
    figures = (
        f"{COUNT} assets (inserted in {insert_s:.1f} s); p50/p99 ms API (SQL on sqlite3): "
        + "; ".join(parts)
        + f"; GET /health {_ms(health)}; client ceiling {_ms(ceiling)}"
    )
    met = worst * 1e3 < GOAL_MS
    report("list", figures, "p99 API÷SQL: " + ", ".join(ratios), f"p99 < {GOAL_MS:.0f} ms", met)

"""A fast seeder for the list benchmark: N assets of one owner straight into the database.

The spread is what a real library looks like: a mix of kinds (photos most), Zipf-like
words in file names and descriptions, 0-3 tags, ~170 folders two levels deep, 5 %
favourites, 3 % archived, 2 % in the trash, 2 % exact duplicates (a blob stored twice),
photos with cameras, capture times over five years before their upload, GPS around five
cities for 40 % of them, widths, heights and orientations.

The secondary indexes of `assets` and `asset_tags` are dropped first and made again after
(one sort each, instead of a million random inserts into each of twenty indexes). SQLite
gets `executemany` in transactions of `BATCH` rows (the full-text and facet-count triggers
fill `assets_fts` and `asset_facets`); PostgreSQL gets COPY (its `search_document` is a
generated column), then ANALYZE, which autovacuum would do on a live server. SQLite is
not analysed: the app never runs ANALYZE, so the planner sees what it sees in production.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, inspect

BATCH = 100_000
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # satchel.ids: Crockford base32, lower case
WORDS = (
    "sunset", "beach", "holiday", "invoice", "report", "draft", "final", "scan", "receipt",
    "portrait", "landscape", "meeting", "notes", "budget", "summary", "garden", "kitchen",
    "street", "night", "city", "river", "mountain", "forest", "family", "wedding", "birthday",
    "concert", "podcast", "interview", "lecture", "demo", "trailer", "teaser", "logo", "banner",
    "icon", "poster", "flyer", "contract", "letter", "agenda", "minutes", "roadmap", "sketch",
    "mockup",
)  # fmt: skip
TAGS = [f"project-{n}" for n in range(20)] + [
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
CAMERAS = (
    ("Canon", "Canon EOS 40D"), ("Canon", "Canon EOS R6"), ("NIKON CORPORATION", "NIKON D70"),
    ("SONY", "ILCE-7M3"), ("Apple", "iPhone 13"), ("Apple", "iPhone 15 Pro"),
    ("Google", "Pixel 8"), ("FUJIFILM", "X-T4"),
)  # fmt: skip
PLACES = ((52.52, 13.40), (48.86, 2.35), (40.71, -74.0), (35.68, 139.69), (-33.87, 151.21))
FOLDERS = (
    ["/"]
    + [f"/{y}/trip-{n}" for y in (2024, 2025) for n in range(40)]
    + [f"/work/project-{n}/{sub}" for n in range(30) for sub in ("drafts", "final", "assets")]
)
ASSET_COLUMNS = (
    "seq", "id", "owner_id", "sha256", "size", "filename", "media_type", "kind", "status",
    "description", "alt_text", "tags", "attributes", "is_public", "width", "height",
    "duration", "pages", "info", "raw_metadata", "version", "created_at", "updated_at",
    "folder", "is_favorite", "is_archived", "trashed_at", "taken_at", "camera_make",
    "camera_model", "latitude", "longitude", "orientation",
)  # fmt: skip


def _ulid(prefix: str, ms: int, rng: random.Random) -> str:
    value = (ms << 80) | rng.getrandbits(80)
    chars = [_ALPHABET[(value >> (5 * i)) & 31] for i in range(25, -1, -1)]
    return f"{prefix}_{''.join(chars)}"


def rows(
    count: int, owner_id: str, *, seed: int = 20261203
) -> Iterator[tuple[tuple[Any, ...] | None, tuple[Any, ...], list[tuple[Any, ...]]]]:
    """(blob row or None for a duplicate, asset row, tag rows) for each of `count` assets,
    uploaded one after the other over the last year (seq order is upload order)."""
    from satchel.media import kind_of

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    start_at = now - timedelta(days=365)
    step = timedelta(days=365) / count
    weights = [w for *_, w in _TYPES]
    word_weights = [1.0 / (i + 1) for i in range(len(WORDS))]  # Zipf-like
    blobs: list[tuple[str, int]] = []
    for i in range(count):
        created = start_at + step * i + timedelta(microseconds=rng.randrange(1000))
        media_type, ext, _ = rng.choices(_TYPES, weights)[0]
        kind = kind_of(media_type)
        w1, w2, w3 = rng.choices(WORDS, word_weights, k=3)
        if blobs and rng.random() < 0.02:  # the same bytes uploaded again (dedupe=false)
            sha, size = blobs[rng.randrange(len(blobs))]
            blob = None
        else:
            sha = hashlib.sha256(i.to_bytes(8, "little")).hexdigest()
            size = int(rng.lognormvariate(13, 2)) + 1
            blob = (sha, size, b"\0" * 8 * (size // (1 << 20) + 1), created)
            if len(blobs) < 10_000:
                blobs.append((sha, size))
        tags = sorted(set(rng.choices(TAGS, k=rng.choice((0, 1, 1, 2, 3)))))
        description = f"{w3.capitalize()} {w1} from the {w2} set" if rng.random() < 0.3 else None
        alt = f"{w1} {w2}" if kind == "image" and rng.random() < 0.2 else None
        wide = kind in ("image", "video")
        width = rng.randrange(200, 6000) if wide else None
        height = rng.randrange(200, 4000) if wide else None
        photo = kind == "image" and rng.random() < 0.7
        make, model = rng.choice(CAMERAS) if photo else (None, None)
        lat = lon = None
        if photo and rng.random() < 0.4:
            base_lat, base_lon = rng.choice(PLACES)
            lat, lon = base_lat + rng.uniform(-0.5, 0.5), base_lon + rng.uniform(-0.5, 0.5)
        taken = created - timedelta(days=rng.uniform(0, 1825)) if photo else created
        orientation = None
        if width and height:
            orientation = (
                "landscape" if width > height else "portrait" if height > width else "square"
            )
        trashed = created + timedelta(hours=1) if rng.random() < 0.02 else None
        asset = (
            i + 1, _ulid("ast", int(created.replace(tzinfo=UTC).timestamp() * 1000), rng),
            owner_id, sha, size, f"{w1}-{w2}-{i:07d}.{ext}", media_type, kind, "ready",
            description, alt, json.dumps(tags), "{}", False, width, height,
            rng.uniform(1, 3600) if kind in ("audio", "video") else None,
            rng.randrange(1, 300) if media_type == "application/pdf" else None,
            "{}", "{}", 1, created, created, rng.choice(FOLDERS), rng.random() < 0.05,
            rng.random() < 0.03, trashed, taken, make, model, lat, lon, orientation,
        )  # fmt: skip
        yield blob, asset, [(i + 1, owner_id, t) for t in tags]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


def seed(url: str, owner_id: str, count: int) -> float:
    """Insert `count` assets of `owner_id` into the database at `url`; seconds taken."""
    engine = create_engine(url)
    tag_columns = [c["name"] for c in inspect(engine).get_columns("asset_tags")]
    engine.dispose()
    # asset_tags rows are (seq, owner, tag): keep the columns the schema has.
    pick = [("asset_seq", "owner_id", "tag").index(c) for c in tag_columns]
    began = time.perf_counter()
    if url.startswith("postgresql"):
        _copy(url, owner_id, count, tag_columns, pick)
    else:
        _insert(url.removeprefix("sqlite:///"), owner_id, count, tag_columns, pick)
    return time.perf_counter() - began


_TABLES = ("assets", "asset_tags")


def _insert(path: str, owner_id: str, count: int, tag_columns: list[str], pick: list[int]) -> None:
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None, timeout=60)
    db.execute("PRAGMA cache_size = -512000")  # 500 MiB: index pages stay in memory
    marks = ", ".join("?" * len(ASSET_COLUMNS))
    asset_sql = f"INSERT INTO assets ({', '.join(ASSET_COLUMNS)}) VALUES ({marks})"
    tag_sql = (
        f"INSERT INTO asset_tags ({', '.join(tag_columns)}) VALUES ({', '.join('?' * len(pick))})"
    )
    # Secondary indexes (not the automatic ones of primary keys and unique constraints).
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN {_TABLES}"
    ).fetchall()
    try:
        for name, _ in indexes:
            db.execute(f"DROP INDEX {name}")
        blobs: list[tuple[Any, ...]] = []
        assets: list[tuple[Any, ...]] = []
        tags: list[tuple[Any, ...]] = []

        def flush() -> None:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO blobs VALUES (?, ?, ?, ?)", blobs)
            db.executemany(asset_sql, assets)
            db.executemany(tag_sql, tags)
            db.execute("COMMIT")
            blobs.clear(), assets.clear(), tags.clear()

        for blob, asset, tag_rows in rows(count, owner_id):
            if blob is not None:
                blobs.append(tuple(_sqlite_value(v) for v in blob))
            assets.append(tuple(_sqlite_value(v) for v in asset))
            tags += [tuple(t[i] for i in pick) for t in tag_rows]
            if len(assets) >= BATCH:
                flush()
        flush()
    finally:
        for _, sql in indexes:
            db.execute(sql)
        db.close()


def _facet_backfill(dialect: str) -> list[str]:
    """The statements of migration 0020 that count the facets from scratch."""
    import importlib.util
    from pathlib import Path

    import satchel.db

    path = Path(satchel.db.__file__).parent / "migrations" / "versions" / "0020_facet_counts.py"
    spec = importlib.util.spec_from_file_location("satchel_facet_counts", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    statements: list[str] = module.backfill_sql(dialect)
    return statements


def _copy(url: str, owner_id: str, count: int, tag_columns: list[str], pick: list[int]) -> None:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '256MB'")
        # Secondary indexes: not those behind a constraint (primary keys, unique ids).
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename IN "
            f"{_TABLES} AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname)"
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
        # The facet-count triggers fire per row (a PL/pgSQL call each); off during the
        # COPY, and the counts made once after with the migration's own backfill.
        for table in _TABLES:
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        generated = rows(count, owner_id)
        while batch := list(itertools.islice(generated, BATCH)):
            with cur.copy("COPY blobs (sha256, size, chunk_sums, created_at) FROM STDIN") as copy:
                for blob, _, _ in batch:
                    if blob is not None:
                        copy.write_row(blob)
            with cur.copy(f"COPY assets ({', '.join(ASSET_COLUMNS)}) FROM STDIN") as copy:
                for _, asset, _ in batch:
                    copy.write_row(asset)
            with cur.copy(f"COPY asset_tags ({', '.join(tag_columns)}) FROM STDIN") as copy:
                for _, _, tag_rows in batch:
                    for t in tag_rows:
                        copy.write_row(tuple(t[i] for i in pick))
        for table in _TABLES:
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        cur.execute("DELETE FROM asset_facets")
        for sql in _facet_backfill("postgresql"):
            cur.execute(sql)
        for _, sql in indexes:
            cur.execute(sql)
        # The next upload's seq must not collide with the seeded ones.
        cur.execute("SELECT setval(pg_get_serial_sequence('assets', 'seq'), %s)", (count,))
        conn.commit()
        conn.autocommit = True
        for table in ("blobs", *_TABLES):
            cur.execute(f"ANALYZE {table}")

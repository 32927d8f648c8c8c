"""Renditions of stored images (what thumbor and imgproxy users rely on): resized or
converted through the resize tool's code, cached as derivatives of their asset.

The same parameters give the same cached bytes: the derivative kind is a hash of the
canonical parameters. A rendition is made from the asset's preview when the preview is
at least as large as the box asked for (it is the original, oriented, at up to 1600 px,
and a JPEG that libjpeg decodes at 1/2–1/8 scale), else from the original.

The cache cannot be filled from outside: callers without the owner's key or a signature
get only the configured presets (`SATCHEL_RENDITION_PRESETS`), and each asset keeps at
most `SATCHEL_RENDITIONS_PER_ASSET` renditions, the least recently served going first.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl

from pydantic import BaseModel, Field
from sqlalchemy import delete, func, select, update

from satchel.assets.blobrefs import blob_in_use, drop_blob_if_unused
from satchel.assets.models import Asset, Derivative
from satchel.blobs.verify import check_size, read_verified
from satchel.codes import Code
from satchel.config import Settings
from satchel.db import utcnow
from satchel.errors import Forbidden, Invalid, NotFound
from satchel.media import MediaLimits
from satchel.media.formats import FORMAT_OF, MEDIA_TYPES, Fit
from satchel.runs import service as runs
from satchel.runtime import Runtime

RenderFormat = Literal["jpg", "jpeg", "png", "webp", "avif"]
MAX_SOURCE_BYTES = 256 << 20  # larger originals are not rendered on request
KIND_PREFIX = "r:"
log = logging.getLogger("satchel.renditions")


class RenderParams(BaseModel):
    w: int | None = Field(None, ge=1, le=4096, description="Width of the box, in pixels.")
    h: int | None = Field(None, ge=1, le=4096, description="Height of the box, in pixels.")
    fit: Fit = Field("inside", description="cover, contain, fill, inside or outside.")
    format: RenderFormat | None = Field(None, description="Default: the original's, else WebP.")
    q: int = Field(80, ge=1, le=100, description="Encoder quality.")

    def canonical(self, original_type: str) -> str:
        """The parameters as one query string, the same for equal renditions."""
        fmt = self.out_format(original_type)
        box = [f"{k}={v}" for k, v in (("w", self.w), ("h", self.h)) if v]
        return "&".join([*box, f"fit={self.fit}", f"format={fmt}", f"q={self.q}"])

    def out_format(self, original_type: str) -> str:
        if self.format:
            return "jpg" if self.format == "jpeg" else self.format
        found = FORMAT_OF.get(original_type, "webp")
        return found if found in ("jpg", "png", "webp", "avif") else "webp"


def kind_for(canonical: str) -> str:
    return KIND_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()[:24]


@lru_cache(maxsize=8)
def _presets(entries: tuple[str, ...]) -> tuple[RenderParams, ...]:
    # The settings checked the syntax (config.check_presets) when they were read.
    return tuple(RenderParams(**dict(parse_qsl(e, strict_parsing=True))) for e in entries)


def presets(settings: Settings) -> tuple[RenderParams, ...]:
    return _presets(tuple(settings.rendition_presets))


def check_preset(params: RenderParams, settings: Settings) -> None:
    """Refuse a caller without a key or signature any rendition but a preset: each
    distinct parameter set is a cached file, so ad-hoc sizes would let anyone fill the
    store (a preset without `format` allows each format)."""
    for preset in presets(settings):
        same = (preset.w, preset.h, preset.fit, preset.q) == (
            params.w,
            params.h,
            params.fit,
            params.q,
        )
        if same and (preset.format is None or preset.out_format("") == params.out_format("")):
            return
    offered = ", ".join(settings.rendition_presets) or "none"
    raise Forbidden(
        "Without a key or a signed link, only the preset renditions are made "
        f"({offered}); ask the owner for a link from /render-url for other sizes.",
        code=Code.RENDER_PRESET_REQUIRED,
    )


@dataclass(frozen=True)
class Rendition:
    data: bytes | None  # freshly made (None when served from the cache)
    derivative: Derivative | None
    media_type: str
    filename: str


def _check(params: RenderParams, asset: Asset) -> None:
    if not (params.w or params.h):
        raise Invalid(
            "Give a width (w), a height (h) or both.",
            fields=[{"field": "w", "message": "w or h is required"}],
        )
    if asset.kind != "image" and _preview(asset) is None:
        raise Invalid(
            f"{asset.media_type} has no picture to render (yet).", code=Code.RENDER_NOT_IMAGE
        )
    if asset.sha256 is None or asset.blob is None or asset.status == "uploading":
        raise NotFound("The asset has no content yet.", code=Code.ASSET_NOT_FOUND)


def output_size(params: RenderParams, width: int, height: int) -> tuple[int, int]:
    """The size a rendition of a `width`×`height` picture comes out at (at most)."""
    box_w, box_h = params.w or 4096, params.h or 4096
    fit = params.fit if params.w and params.h else "inside"
    if fit in ("cover", "contain", "fill"):
        return box_w, box_h
    pick = max if fit == "outside" else min
    scale = pick(box_w / max(width, 1), box_h / max(height, 1))
    return max(round(width * scale), 1), max(round(height * scale), 1)


def check_output(params: RenderParams, asset: Asset, limits: MediaLimits) -> None:
    """Refuse, before any decoding, a rendition larger than the pixel limits (`outside` of
    a 4000×10 strip into a 600 px box would be 240000×600)."""
    if not asset.width or not asset.height:
        return
    out_w, out_h = output_size(params, asset.width, asset.height)
    if max(out_w, out_h) > limits.max_image_edge or out_w * out_h > limits.max_image_pixels:
        raise Invalid(
            f"That rendition would be {out_w}×{out_h} pixels, over the limits "
            f"({limits.max_image_edge} px a side, {limits.max_image_pixels} pixels).",
            code=Code.RENDER_TOO_LARGE,
            fields=[{"field": "fit", "message": "the result would be too large"}],
        )


def _preview(asset: Asset) -> Derivative | None:
    return next((d for d in asset.derivatives if d.kind == "preview"), None)


def cached(asset: Asset, params: RenderParams) -> Derivative | None:
    """The cached rendition, from the asset's derivatives (loaded with it)."""
    _check(params, asset)
    kind = kind_for(params.canonical(asset.media_type))
    return next((d for d in asset.derivatives if d.kind == kind), None)


def _source(runtime: Runtime, asset: Asset, params: RenderParams) -> bytes:
    """The bytes to render from: the preview if it is big enough, else the original."""
    preview = _preview(asset)
    use_preview = asset.kind != "image" or (
        preview is not None
        and preview.width is not None
        and preview.height is not None
        and (params.w or 0) <= preview.width
        and (params.h or 0) <= preview.height
        and preview.media_type in ("image/jpeg", "image/webp", "image/png")
    )
    blob = preview.blob if use_preview and preview is not None else asset.blob
    assert blob is not None
    if blob.size > MAX_SOURCE_BYTES:
        raise Invalid(
            "The original is too large to render on request.", code=Code.RENDER_SOURCE_TOO_LARGE
        )
    store = runtime.blobs.at(asset.store)
    check_size(store, sha256=blob.sha256, size=blob.size)
    return b"".join(
        read_verified(store, sha256=blob.sha256, size=blob.size, chunk_sums=blob.chunk_sums)
    )


def render(runtime: Runtime, asset: Asset, params: RenderParams) -> Rendition:
    """Make the rendition in the sandbox (the asset was loaded with its derivatives) and
    cache it."""
    _check(params, asset)
    check_output(params, asset, runtime.limits)
    fmt = params.out_format(asset.media_type)
    stem = asset.filename.rsplit(".", 1)[0] or "image"
    source = _source(runtime, asset, params)
    fit = params.fit if params.w and params.h else "inside"
    args = {
        "width": params.w or 4096,
        "height": params.h or 4096,
        "fit": fit,
        "format": fmt,
        "quality": params.q,
    }
    made, data = runs.call(runtime, "render", args, payload=source)
    kind = kind_for(params.canonical(asset.media_type))
    media_type = MEDIA_TYPES[fmt]
    store_later(runtime, asset, kind, data, media_type, made["width"], made["height"])
    return Rendition(data, None, media_type, f"{stem}-{params.w or 0}x{params.h or 0}.{fmt}")


# A cache hit records its time at most this often (one write per rendition a minute,
# after the answer), which is as fine as least-recently-used eviction needs.
TOUCH_SECONDS = 60.0


def touch_later(runtime: Runtime, derivative: Derivative) -> None:
    """Note that a cached rendition was served, for eviction (off the request's path)."""
    now = utcnow()
    last = derivative.used_at or derivative.created_at
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if now - last < timedelta(seconds=TOUCH_SECONDS):
        return
    asset_id, kind = derivative.asset_id, derivative.kind

    def touch() -> None:
        try:
            with runtime.db.write_session() as session:
                session.execute(
                    update(Derivative)
                    .where(Derivative.asset_id == asset_id, Derivative.kind == kind)
                    .values(used_at=now)
                )
                session.commit()
        except Exception:
            log.warning("the use of a rendition of %s was not recorded", asset_id, exc_info=True)

    _cache_writer.submit(touch)


# Storing a rendition is caching: it happens after the answer, one at a time per process,
# so a burst of new renditions is bound by the CPU, not by fsync and the write lock. When
# too many wait, the newest are not cached (they are made again when asked again).
_MAX_WAITING = 64
_waiting: set[tuple[str, str]] = set()
_waiting_lock = threading.Lock()
_cache_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rendition-cache")


def store_later(
    runtime: Runtime,
    asset: Asset,
    kind: str,
    data: bytes,
    media_type: str,
    width: int,
    height: int,
) -> None:
    key = (asset.id, kind)
    with _waiting_lock:
        if key in _waiting or len(_waiting) >= _MAX_WAITING:
            return
        _waiting.add(key)
    location = getattr(asset, "store", None)

    def store() -> None:
        try:
            _store(runtime, asset.id, location, kind, data, media_type, width, height)
        except Exception:
            log.warning("a rendition of %s was not cached", asset.id, exc_info=True)
        finally:
            with _waiting_lock:
                _waiting.discard(key)

    _cache_writer.submit(store)


def wait_for_cache() -> None:
    """Block until every rendition waiting to be cached is stored (tests, shutdown)."""
    _cache_writer.submit(lambda: None).result()


def _store(
    runtime: Runtime,
    asset_id: str,
    location: str | None,
    kind: str,
    data: bytes,
    media_type: str,
    width: int,
    height: int,
) -> None:
    from satchel.processing.service import store_derivative

    fd, name = tempfile.mkstemp(dir=runtime.blobs.scratch_dir, prefix="render-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        store_derivative(
            db=runtime.db,
            blobs=runtime.blobs,
            asset_id=asset_id,
            kind=kind,
            path=Path(name),
            media_type=media_type,
            width=width,
            height=height,
            location=location,
        )
    finally:
        os.unlink(name)
    evict(runtime, asset_id, location, keep=runtime.settings.renditions_per_asset, spare=kind)


def evict(runtime: Runtime, asset_id: str, location: str | None, *, keep: int, spare: str) -> int:
    """Delete the least recently served renditions of an asset past `keep` (never `spare`,
    the one just stored) and reclaim their bytes; returns how many went."""
    last_served = func.coalesce(Derivative.used_at, Derivative.created_at)
    with runtime.db.write_session() as session:
        rows = session.execute(
            select(Derivative.kind, Derivative.sha256)
            .where(Derivative.asset_id == asset_id, Derivative.kind.startswith(KIND_PREFIX))
            .order_by(last_served, Derivative.kind)
        ).all()
        gone = [row for row in rows if row.kind != spare][: max(0, len(rows) - keep)]
        if not gone:
            return 0
        session.execute(
            delete(Derivative).where(
                Derivative.asset_id == asset_id, Derivative.kind.in_([r.kind for r in gone])
            )
        )
        session.commit()
    for sha in {r.sha256 for r in gone}:
        drop_blob_if_unused(db=runtime.db, blobs=runtime.blobs, sha256=sha)
        if location is not None:
            with runtime.blobs.lock(sha), runtime.db.session() as session:
                if not blob_in_use(session, sha):
                    runtime.blobs.delete(sha, location)
    return len(gone)

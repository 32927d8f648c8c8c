"""Scrub: re-hash stored bytes and report every blob that no longer matches its row."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from satchel.assets.models import Asset, Blob, Derivative
from satchel.blobs import BlobStore
from satchel.blobs.base import Digests
from satchel.db import Database
from satchel.metrics.counters import SCRUB_CHECKED, SCRUB_PROBLEMS


def _problem(blobs: BlobStore, blob: Blob) -> str | None:
    size = blobs.size_of(blob.sha256)
    if size is None:
        return "missing"
    if size != blob.size:
        return "size"
    digests = Digests()
    for piece in blobs.read(blob.sha256):
        digests.update(piece)
    info = digests.finish()
    if info.sha256 != blob.sha256:
        return "hash"
    if info.chunk_sums != blob.chunk_sums:
        return "chunk_sums"
    return None


def scrub(
    *, db: Database, blobs: BlobStore, sample_pct: float = 100.0, seed: int | None = None
) -> dict[str, Any]:
    chooser = random.Random(seed)  # noqa: S311 - sampling, not security
    checked = bytes_checked = 0
    mismatches: list[dict[str, Any]] = []
    with db.session() as session:
        for blob in session.scalars(select(Blob).order_by(Blob.sha256)).yield_per(500):
            if sample_pct < 100 and chooser.random() * 100 >= sample_pct:
                continue
            checked += 1
            bytes_checked += blob.size
            problem = _problem(blobs, blob)
            if problem is None:
                continue
            mismatches.append(
                {
                    "sha256": blob.sha256,
                    "problem": problem,
                    "size": blob.size,
                    "assets": list(
                        session.scalars(select(Asset.id).where(Asset.sha256 == blob.sha256))
                    ),
                    "derivatives": [
                        {"asset_id": a, "kind": k}
                        for a, k in session.execute(
                            select(Derivative.asset_id, Derivative.kind).where(
                                Derivative.sha256 == blob.sha256
                            )
                        )
                    ],
                }
            )
    SCRUB_CHECKED.inc(checked)
    for m in mismatches:
        SCRUB_PROBLEMS.labels(m["problem"]).inc()
    return {
        "checked": checked,
        "bytes_checked": bytes_checked,
        "sample_pct": sample_pct,
        "mismatches": mismatches,
    }

"""Periodic GC: once per `SATCHEL_GC_INTERVAL_SECONDS` across the cluster (registered on
import through the `satchel.jobs` entry points)."""

from __future__ import annotations

import logging
from typing import Any

from satchel.jobs.queue import PERIODIC, Periodic
from satchel.lifecycle.gc import collect

log = logging.getLogger("satchel.lifecycle")


def run_gc(runtime: Any) -> None:
    report = collect(
        db=runtime.db,
        blobs=runtime.blobs,
        dry_run=False,
        grace_seconds=runtime.settings.gc_grace_seconds,
    )
    log.info(
        "gc: %d blobs (%d bytes) reclaimed, %d expired uploads",
        report["deleted_blobs"],
        report["reclaimed_bytes"],
        report["expired_uploads"],
    )


PERIODIC.append(Periodic("gc", lambda settings: settings.gc_interval_seconds, run_gc))

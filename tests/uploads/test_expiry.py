"""Abandoned uploads: expired multipart and tus uploads leave nothing after GC or repair."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from satchel.assets.models import Asset, Blob
from satchel.db import utcnow
from satchel.lifecycle.gc import collect
from satchel.runtime import Runtime
from satchel.uploads.models import Upload
from tests.uploads.conftest import PART, pattern
from tests.uploads.test_multipart import announce, part_url, put
from tests.uploads.test_tus import create, patch


async def _abandon_two(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> str:
    """A multipart upload with one part sent and a tus upload half sent; returns the id
    of a finished tus upload (whose asset must survive)."""
    data = pattern(2 * PART)
    asset = await announce(client, len(data))
    url = await part_url(client, asset["id"], asset["upload"]["upload_id"], 1)
    assert (await put(anon, url, data[:PART])).status_code == 200
    tus_url = await create(client, 1000, filename="half.txt")
    assert (await patch(client, tus_url, 0, pattern(500))).status_code == 204
    done_url = await create(client, 1000, filename="done.txt")
    finished = await patch(client, done_url, 0, pattern(1000, seed=9))
    return finished.headers["satchel-asset-id"]


def _expire(runtime: Runtime) -> None:
    past = utcnow() - timedelta(seconds=1)
    with runtime.db.write_session() as session:
        session.execute(update(Upload).values(expires_at=past))
        session.commit()


def _left(runtime: Runtime) -> tuple[list[str], int, int, list[str]]:
    staged = sorted(p.name for p in (runtime.settings.data_dir / "uploads").iterdir())
    with runtime.db.session() as session:
        rows = session.scalar(select(func.count()).select_from(Upload)) or 0
        blobs = session.scalar(select(func.count()).select_from(Blob)) or 0
        assets = list(session.scalars(select(Asset.filename)))
    return staged, rows, blobs, assets


@pytest.mark.parametrize("by", ["gc", "repair"])
async def test_abandoned_uploads_leave_nothing(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime, by: str
) -> None:
    kept = await _abandon_two(client, anon)
    stray = runtime.settings.data_dir / "uploads" / ("upl_" + "1" * 26)
    stray.mkdir()
    (stray / "00001.tmp").write_bytes(b"left by a crash")
    staged, rows, _, assets = _left(runtime)
    # The unfinished uploads reserve their asset ids; only the finished one is an asset.
    assert len(staged) == 3 and rows == 3 and assets == ["done.txt"]

    # Not expired yet: a dry run and a real one leave live uploads alone.
    report = collect(db=runtime.db, blobs=runtime.blobs, dry_run=False, grace_seconds=0)
    assert report["uploads"] == {
        "expired": 0,
        "finished_forgotten": 0,
        "stale_staging": 1,
    }
    assert len(_left(runtime)[0]) == 2

    _expire(runtime)
    if by == "gc":
        report = collect(db=runtime.db, blobs=runtime.blobs, dry_run=False, grace_seconds=0)
        assert report["uploads"]["expired"] == 2 and report["expired_uploads"] == 2
    else:
        runtime.settings.tmp_grace_seconds = 0
        summary = runtime.repair()
        assert summary["uploads_collected"]["expired"] == 2
    staged, rows, blobs, assets = _left(runtime)
    assert (staged, rows, assets) == ([], 0, ["done.txt"])
    assert blobs == 1  # only the finished upload's bytes
    got = await client.get(f"/api/v1/assets/{kept}")
    assert got.status_code == 200

"""Uploads: one PUT for small files, parallel parts for large ones, and resume of both."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from satchel_client import AsyncClient, Client, FileResumeStore

from tests.client.live import LiveServer

MiB = 1 << 20
PART = 5 * MiB  # the live server's part size (see live.py)


class Stop(Exception):
    """Raised from a progress callback: the upload is interrupted there."""


def _random_file(path: Path, size: int, seed: int) -> Path:
    """`size` bytes of text (an allowed type) unique to `seed`: hex digests, one a line."""
    line_count = size // 65 + 1
    lines = (hashlib.sha256(f"{seed}:{i}".encode()).hexdigest() + "\n" for i in range(line_count))
    data = "".join(lines).encode()[:size]
    path.write_bytes(data)
    return path


def _stop_after(limit: int) -> object:
    def progress(sent: int, _total: int) -> None:
        if sent > limit:
            raise Stop

    return progress


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_multipart_upload_in_parallel_parts(sdk: Client, tmp_path: Path) -> None:
    path = _random_file(tmp_path / "big.bin", 13 * MiB, seed=1)
    seen: list[int] = []
    up = sdk.assets.upload(path, part_concurrency=3, progress=lambda s, t: seen.append(s))
    assert up.mode == "multipart" and up.parts_sent == 3 and not up.resumed
    assert up.asset is not None and up.asset.size == 13 * MiB
    assert seen[-1] == 13 * MiB
    got = sdk.assets.download(up.asset.id, tmp_path / "back.bin", raw=True)
    assert _sha(got) == _sha(path)


def test_interrupted_multipart_upload_resumes_with_the_parts_left(
    sdk: Client, tmp_path: Path
) -> None:
    store = FileResumeStore(tmp_path / "state")
    path = _random_file(tmp_path / "resume.bin", 13 * MiB, seed=2)
    with pytest.raises(Stop):
        # One part at a time; stopped while the second part is on its way.
        sdk.assets.upload(path, resume=store, part_concurrency=1, progress=_stop_after(PART + MiB))
    [state] = store.pending()
    assert state["mode"] == "multipart" and list(state["parts"]) == ["1"]
    pending = sdk.assets.get(state["asset_id"])
    assert pending.status == "uploading"
    up = sdk.assets.upload(path, resume=store)
    assert up.resumed and up.parts_sent == 2  # parts 2 and 3 only
    assert up.asset is not None and up.asset.id == state["asset_id"]
    assert store.pending() == []
    got = sdk.assets.download(up.asset.id, tmp_path / "back.bin", raw=True)
    assert _sha(got) == _sha(path)


def test_interrupted_single_put_resumes_into_the_same_asset(sdk: Client, tmp_path: Path) -> None:
    store = FileResumeStore(tmp_path / "state")
    path = _random_file(tmp_path / "small.bin", 3 * MiB, seed=3)
    with pytest.raises(Stop):
        sdk.assets.upload(path, resume=store, progress=_stop_after(MiB))
    [state] = store.pending()
    assert state["mode"] == "single"
    state_file = next((tmp_path / "state").glob("*.json"))
    assert json.loads(state_file.read_text())["asset_id"] == state["asset_id"]
    up = sdk.assets.upload(path, resume=store)
    assert up.resumed and up.mode == "single"
    assert up.asset is not None and up.asset.id == state["asset_id"]
    assert _sha(sdk.assets.download(up.asset.id, tmp_path / "b.bin", raw=True)) == _sha(path)


def test_a_changed_file_is_not_resumed_into_the_old_upload(sdk: Client, tmp_path: Path) -> None:
    store = FileResumeStore(tmp_path / "state")
    path = _random_file(tmp_path / "changing.bin", 3 * MiB, seed=4)
    with pytest.raises(Stop):
        sdk.assets.upload(path, resume=store, progress=_stop_after(MiB))
    [old] = store.pending()
    _random_file(path, 3 * MiB + 7, seed=5)  # new bytes, new size
    up = sdk.assets.upload(path, resume=store)
    assert not up.resumed and up.asset is not None and up.asset.id != old["asset_id"]
    assert up.asset.size == 3 * MiB + 7


def test_the_mode_can_be_chosen_either_way(sdk: Client, tmp_path: Path) -> None:
    tiny = _random_file(tmp_path / "tiny.txt", 1000, seed=6)
    up = sdk.assets.upload(tiny, mode="multipart")
    assert up.mode == "multipart" and up.parts_sent == 1
    assert up.asset is not None and up.asset.size == 1000
    big = _random_file(tmp_path / "big.txt", 7 * MiB, seed=8)  # above the 6 MiB threshold
    assert sdk.assets.upload(big).mode == "multipart"
    big.write_bytes(big.read_bytes()[::-1])  # other bytes, so not deduplicated
    single = sdk.assets.upload(big, mode="single")
    assert single.mode == "single" and single.asset is not None
    assert single.asset.size == 7 * MiB


async def test_async_multipart_upload_and_resume(live: LiveServer, tmp_path: Path) -> None:
    store = FileResumeStore(tmp_path / "state")
    path = _random_file(tmp_path / "async.bin", 16 * MiB, seed=7)
    async with AsyncClient(live.base, live.key) as sdk:
        with pytest.raises(Stop):
            await sdk.assets.upload(
                path, resume=store, part_concurrency=1, progress=_stop_after(2 * PART + MiB)
            )
        [state] = store.pending()
        assert sorted(state["parts"]) == ["1", "2"]
        up = await sdk.assets.upload(path, resume=store, part_concurrency=2)
        assert up.resumed and up.parts_sent == 2 and up.mode == "multipart"
        assert up.asset is not None and up.asset.id == state["asset_id"]
        await sdk.assets.download(up.asset.id, tmp_path / "back.bin", raw=True)
    assert _sha(tmp_path / "back.bin") == _sha(path)

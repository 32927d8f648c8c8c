"""Corruption (issue 5): one byte flipped in each of K stored blobs.

A real server with two job workers stores 30 images and makes their derivatives. Then one
byte is flipped on disk in K = 6 blobs: 3 small originals, the last 1 MiB chunk of a 3 MiB
original, and 2 thumbnails of other assets. Then:

- `satchel scrub` exits 1 and reports exactly those K blobs (and checks every blob);
- `GET …/content` (whole and a range over the flipped byte), `GET …/raw` and
  `GET …/derivatives/thumbnail` refuse them with 409 `asset_integrity_mismatch`; a
  response that has already started may only end in a broken transfer, never in a
  complete body; every untouched asset still reads back exactly;
- after a restart, startup repair regenerates the damaged thumbnails from their intact
  originals, and scrub then reports only the damaged originals.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import httpx
import pytest

from tests.crash.harness import (
    AUTH,
    Launcher,
    Server,
    inspect,
    png,
    run_json,
    server_env,
    sha256,
)

pytestmark = pytest.mark.crash

CODE = "asset_integrity_mismatch"


def _flip(path: Path, offset: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0x5A]))


def _wait_processed(client: httpx.Client, ids: list[str], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    waiting = set(ids)
    while waiting:
        for asset_id in sorted(waiting):
            got = client.get(f"/api/v1/assets/{asset_id}")
            assert got.status_code == 200, f"GET {asset_id}: {got.status_code} {got.text[:300]}"
            status = got.json()["data"]["status"]
            if status in ("ready", "failed"):
                assert status == "ready", f"{asset_id} failed processing"
                waiting.discard(asset_id)
        assert time.monotonic() < deadline, f"not processed in {timeout} s: {sorted(waiting)}"
        time.sleep(0.1)


def _refused(client: httpx.Client, url: str, *, expect: bytes | None = None, **kw: object) -> str:
    """'' when the server refused `url` as damaged; else what happened."""
    try:
        with client.stream("GET", url, **kw) as response:  # type: ignore[arg-type]
            if response.status_code == 409:
                response.read()
                code = response.json().get("error", {}).get("code")
                return "" if code == CODE else f"409 with code {code}"
            body = b"".join(response.iter_bytes())
    except httpx.TransportError:
        return ""  # cut off after the headers: the client saw an error, not the bytes
    if response.status_code in (200, 206):
        whole = expect is not None and sha256(body) == sha256(expect)
        return f"{response.status_code}, {len(body)} bytes" + (" (intact?)" if whole else "")
    return f"answered {response.status_code}"


def _start(launcher: Launcher, data: Path, log_dir: Path) -> Server:
    env = server_env(data, SATCHEL_WORKERS="1")
    server = launcher.start(data, env, workers=False, log_dir=log_dir)
    launcher.add_worker(server, env)
    launcher.add_worker(server, env)
    return server


def test_flipped_bytes_are_found_and_never_served(tmp_path: Path, launcher: Launcher) -> None:
    data = tmp_path / "data"
    env = server_env(data)
    rng = random.Random(4242)
    originals: dict[str, bytes] = {}
    server = _start(launcher, data, tmp_path)
    try:
        with httpx.Client(base_url=server.base, headers=AUTH, timeout=60) as client:
            for i in range(30):
                if i < 2:
                    item = png(rng, 1024, 1000 + i, noisy=True)  # ~3 MiB: 3 chunks
                else:
                    item = png(rng, 16 + i, 12 + i, noisy=True)
                made = client.post("/api/v1/assets", files={"file": (f"i{i}.png", item)})
                assert made.status_code == 202, made.text
                originals[made.json()["data"]["id"]] = item
            ids = list(originals)
            _wait_processed(client, ids)
            store = inspect(data)
            assert not store.problems, store.problems
            thumbs = {a: sha for a, kind, sha, _ in store.derivatives if kind == "thumbnail"}
            assert set(thumbs) == set(ids), "every image has a thumbnail"
            big = ids[0]
            small = ids[5:8]
            thumbed = ids[10:12]
            damaged: dict[str, str] = {}  # sha256 -> what it is
            for asset_id in small:
                sha = sha256(originals[asset_id])
                _flip(data / "blobs" / sha[:2] / sha, len(originals[asset_id]) // 2)
                damaged[sha] = f"original of {asset_id}"
            big_sha = sha256(originals[big])
            flipped_at = len(originals[big]) - 1000  # in the last 1 MiB chunk
            _flip(data / "blobs" / big_sha[:2] / big_sha, flipped_at)
            damaged[big_sha] = f"original of {big} (last chunk)"
            for asset_id in thumbed:
                sha = thumbs[asset_id]
                _flip(data / "blobs" / sha[:2] / sha, 40)
                damaged[sha] = f"thumbnail of {asset_id}"
            assert len(damaged) == 6

            code, report = run_json(launcher, ["scrub"], env)
            found = {m["sha256"] for m in report["mismatches"]}
            assert code == 1, f"scrub exited {code} with {len(found)} mismatches"
            assert found == set(damaged), (
                f"scrub missed {[damaged[s] for s in set(damaged) - found]}, "
                f"reported undamaged {sorted(found - set(damaged))}"
            )
            assert report["checked"] == len(store.blob_rows)

            problems = []
            for asset_id in [*small, big]:
                for url, kw in (
                    (f"/api/v1/assets/{asset_id}/content", {}),
                    (f"/api/v1/assets/{asset_id}/raw", {}),
                ):
                    if why := _refused(client, url, expect=originals[asset_id], **kw):
                        problems.append(f"{url}: {why}")
            ranged = {"headers": {"Range": f"bytes={flipped_at - 10}-{flipped_at + 10}"}}
            if why := _refused(client, f"/api/v1/assets/{big}/content", **ranged):
                problems.append(f"range over the flipped byte of {big}: {why}")
            for asset_id in thumbed:
                url = f"/api/v1/assets/{asset_id}/derivatives/thumbnail"
                if why := _refused(client, url):
                    problems.append(f"{url}: {why}")
            # A range that does not touch the damaged chunk is still served.
            head = client.get(f"/api/v1/assets/{big}/content", headers={"Range": "bytes=0-99"})
            assert head.status_code == 206 and head.content == originals[big][:100]
            for asset_id in set(ids) - {*small, big}:
                got = client.get(f"/api/v1/assets/{asset_id}/raw")
                if got.status_code != 200 or got.content != originals[asset_id]:
                    problems.append(f"intact {asset_id}: raw answered {got.status_code}")
                got = client.get(f"/api/v1/assets/{asset_id}/content")
                if got.status_code != 200 or got.content != originals[asset_id]:
                    problems.append(f"intact {asset_id}: content answered {got.status_code}")
                if asset_id not in thumbed:
                    got = client.get(f"/api/v1/assets/{asset_id}/derivatives/thumbnail")
                    if got.status_code != 200:
                        problems.append(f"intact {asset_id}: thumbnail {got.status_code}")
            assert not problems, "\n".join(problems)
    finally:
        launcher.stop(server)

    # Restart: damaged thumbnails are regenerated from their intact originals.
    server = _start(launcher, data, tmp_path)
    try:
        with httpx.Client(base_url=server.base, headers=AUTH, timeout=60) as client:
            repair = client.get("/api/v1/status").json()["data"]["storage"]["asset_repair"]
            assert repair["derivatives_regenerated"] >= len(thumbed), repair
            _wait_processed(client, thumbed)
            for asset_id in thumbed:
                got = client.get(f"/api/v1/assets/{asset_id}/derivatives/thumbnail")
                assert got.status_code == 200, got.text[:200]
        code, report = run_json(launcher, ["scrub"], env)
        originals_damaged = {s for s, what in damaged.items() if what.startswith("original")}
        assert {m["sha256"] for m in report["mismatches"]} == originals_damaged, report
    finally:
        launcher.stop(server)

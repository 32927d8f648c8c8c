"""Large and interrupted uploads against a real server on loopback."""

from __future__ import annotations

import hashlib
import io
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

from tests.uploads.conftest import pattern
from tests.uploads.live import AUTH, BigWav, FlakyProxy, MiB, serving


@pytest.mark.parametrize("checksum", [False, True], ids=["plain", "sha1-checksums"])
def test_tus_upload_interrupted_and_resumed_with_tuspy(tmp_path: Path, checksum: bool) -> None:
    data = pattern(24 * MiB, seed=7)
    chunk = 8 * MiB
    with serving(tmp_path / "data") as server:
        port = int(server.base.rsplit(":", 1)[1])
        proxy = FlakyProxy(("127.0.0.1", port), cut_after=chunk + 3 * MiB)
        flaky = tus_client.TusClient(
            f"http://127.0.0.1:{proxy.port}/api/v1/uploads/tus", headers=AUTH
        )
        first = flaky.uploader(
            file_stream=io.BytesIO(data),
            chunk_size=chunk,
            metadata={"filename": "resumed.txt", "filetype": "text/plain", "tags": "tus"},
            upload_checksum=checksum,
        )
        with pytest.raises(TusCommunicationError):
            first.upload()
        assert proxy.cut
        proxy.close()
        assert first.url is not None
        url = first.url.replace(f":{proxy.port}/", f":{port}/")
        _settle(url)
        direct = tus_client.TusClient(f"{server.base}/api/v1/uploads/tus", headers=AUTH)
        resumed = direct.uploader(
            file_stream=io.BytesIO(data), url=url, chunk_size=chunk, retries=5, retry_delay=1
        )
        kept = resumed.offset
        if checksum:
            assert kept == chunk  # a PATCH whose checksum cannot be verified is dropped
        else:
            # What the server had read when the connection went is kept (how much depends
            # on timing; test_cut_off_patch_keeps_what_arrived pins it down).
            assert chunk <= kept < 2 * chunk
        resumed.upload()
        answer = httpx.get(url, headers=AUTH)
        asset_id = answer.headers["satchel-asset-id"]
        assert answer.json()["data"] == {
            **answer.json()["data"],
            "offset": len(data),
            "state": "done",
            "asset_id": asset_id,
        }
        asset = httpx.get(f"{server.base}/api/v1/assets/{asset_id}", headers=AUTH).json()["data"]
        assert (asset["filename"], asset["tags"], asset["size"]) == (
            "resumed.txt",
            ["tus"],
            len(data),
        )
        got = httpx.get(f"{server.base}/api/v1/assets/{asset_id}/content", headers=AUTH)
        assert got.content == data
        assert not any((tmp_path / "data" / "uploads").iterdir())


def _settle(url: str) -> None:
    """Until the server has taken in the PATCH the network cut off (its offset is saved)."""
    deadline = time.monotonic() + 30
    while httpx.get(url, headers=AUTH).json()["data"]["busy"]:
        assert time.monotonic() < deadline, "the cut-off PATCH never ended"
        time.sleep(0.05)


def _raw_put(url: str, body: Iterator[bytes], length: int, send: int) -> None:
    """A PUT whose connection goes away after `send` bytes of the body (no answer read)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "", parts.port or 80)) as sock:
        sock.sendall(
            f"PUT {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {length}\r\n\r\n".encode()
        )
        sent = 0
        for piece in body:
            piece = piece[: send - sent]
            sock.sendall(piece)
            sent += len(piece)
            if sent >= send:
                break


@pytest.mark.slow
def test_3gib_multipart_upload_with_retried_parts(tmp_path: Path) -> None:
    wav = BigWav(3 << 30, seed=1)
    data_dir = tmp_path / "data"
    with (
        serving(data_dir, SATCHEL_FSYNC="false") as server,
        httpx.Client(base_url=server.base, headers=AUTH, timeout=120) as http,
    ):
        made = http.post(
            "/api/v1/assets",
            json={"filename": "big.wav", "content_type": "audio/wav", "size": wav.size},
        )
        assert made.status_code == 201, made.text
        asset_id, upload = made.json()["data"]["id"], made.json()["data"]["upload"]
        size, count = upload["part_size"], upload["part_count"]
        assert count == 48  # 64 MiB parts

        def url_for(n: int) -> str:
            r = http.post(
                f"/api/v1/assets/{asset_id}/parts",
                json={"upload_id": upload["upload_id"], "part_number": n},
            )
            assert r.status_code == 200, r.text
            return str(r.json()["data"]["url"])

        digest, etags = hashlib.sha256(), []
        for n in range(1, count + 1):
            start, end = (n - 1) * size, min(n * size, wav.size)
            if n == 3:  # the network fails half-way through the body
                _raw_put(url_for(n), wav.chunks(start, end), end - start, (end - start) // 2)
            if n == 7:  # wrong bytes, fully sent, and the answer is lost: a retry replaces it
                _raw_put(url_for(n), iter([b"\0" * (end - start)]), end - start, end - start)
            sent = http.put(url_for(n), content=wav.chunks(start, end))
            assert sent.status_code == 200, sent.text
            etags.append({"part_number": n, "etag": sent.headers["etag"]})
        for piece in wav.chunks():
            digest.update(piece)
        # The cut-off attempt left nothing; the answer-lost one may have finished after its
        # retry began, and then stays beside it until complete (which names the retry).
        staged = [p.name for p in (data_dir / "uploads" / upload["upload_id"]).iterdir()]
        assert all(re.fullmatch(r"\d{5}\.[0-9a-f]{32}\.part", name) for name in staged)
        assert {int(name[:5]) for name in staged} == set(range(1, count + 1))
        assert len(staged) - count in (0, 1)
        done = http.post(
            f"/api/v1/assets/{asset_id}/complete",
            json={"upload_id": upload["upload_id"], "parts": etags, "sha256": digest.hexdigest()},
        )
        assert done.status_code == 202, done.text
        asset = done.json()["data"]
        assert (asset["sha256"], asset["size"], asset["media_type"]) == (
            digest.hexdigest(),
            wav.size,
            "audio/wav",
        )
        # A range across the boundary of the retried part 7 comes back as generated.
        first = 7 * size - 100
        got = http.get(
            f"/api/v1/assets/{asset_id}/content", headers={"Range": f"bytes={first}-{first + 199}"}
        )
        assert got.status_code == 206 and got.content == b"".join(wav.chunks(first, first + 200))
        assert not any((data_dir / "uploads").iterdir())


def test_cut_off_patch_keeps_what_arrived(tmp_path: Path) -> None:
    """A PATCH whose connection drops keeps the bytes the server had taken in."""
    data = pattern(8 * MiB, seed=11)
    with serving(tmp_path / "data") as server:
        tus = {**AUTH, "Tus-Resumable": "1.0.0"}
        made = httpx.post(
            f"{server.base}/api/v1/uploads/tus", headers={**tus, "Upload-Length": str(len(data))}
        )
        url = made.headers["location"]
        staged = tmp_path / "data" / "uploads" / url.rsplit("/", 1)[1] / "data"
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname or "", parts.port or 80)) as sock:
            head = "".join(f"{k}: {v}\r\n" for k, v in tus.items())
            sock.sendall(
                f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{head}"
                "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
                f"Content-Length: {len(data)}\r\n\r\n".encode()
            )
            sock.sendall(data[: 3 * MiB + 12345])
            deadline = time.monotonic() + 60
            while not staged.exists() or staged.stat().st_size < 2 * MiB:
                assert time.monotonic() < deadline, "the server never wrote the first bytes"
                time.sleep(0.02)
        _settle(url)
        kept = int(httpx.head(url, headers=tus).headers["upload-offset"])
        assert 2 * MiB <= kept <= 3 * MiB + 12345
        rest = httpx.patch(
            url,
            content=data[kept:],
            headers={
                **tus,
                "Upload-Offset": str(kept),
                "Content-Type": "application/offset+octet-stream",
            },
            timeout=60,
        )
        assert rest.status_code == 204, rest.text
        asset_id = rest.headers["satchel-asset-id"]
        got = httpx.get(f"{server.base}/api/v1/assets/{asset_id}/content", headers=AUTH)
        assert got.content == data

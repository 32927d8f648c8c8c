"""The Satchel calls the benchmarks share: two-step and form uploads, delete, blob path."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.client import multipart
from bench.server import Satchel


@dataclass
class Uploaded:
    asset_id: str
    sha256: str
    announce: float  # seconds per step
    put: float
    complete: float

    @property
    def total(self) -> float:
        return self.announce + self.put + self.complete


def upload_put(server: Satchel, path: Path, filename: str, content_type: str) -> Uploaded:
    """Announce, PUT the file to the signed URL, complete; each step timed."""
    size = os.path.getsize(path)
    with server.conn() as conn:
        t0 = time.perf_counter()
        intent = json.dumps(
            {"filename": filename, "content_type": content_type, "size": size, "multipart": False}
        )
        created = conn.request(
            "POST",
            "/api/v1/assets",
            {**server.auth, "Content-Type": "application/json"},
            intent.encode(),
        ).check(201)
        data = created.json()["data"]
        url = urlsplit(data["upload"]["url"])
        t1 = time.perf_counter()
        conn.request(
            "PUT",
            f"{url.path}?{url.query}",
            {"Content-Type": "application/octet-stream"},
            file=path,
        ).check(204)
        t2 = time.perf_counter()
        done = conn.request("POST", f"/api/v1/assets/{data['id']}/complete", server.auth).check(
            200, 202
        )
        t3 = time.perf_counter()
    asset = done.json()["data"]
    return Uploaded(asset["id"], asset["sha256"], t1 - t0, t2 - t1, t3 - t2)


def upload_form(server: Satchel, path: Path, filename: str, content_type: str) -> Uploaded:
    """One multipart form POST with the file streamed from disk."""
    ctype, pre, post = multipart(filename, content_type)
    with server.conn() as conn:
        t0 = time.perf_counter()
        resp = conn.request(
            "POST",
            "/api/v1/assets",
            {**server.auth, "Content-Type": ctype},
            file=path,
            prefix=pre,
            suffix=post,
        ).check(200, 201, 202)
        t1 = time.perf_counter()
    asset = resp.json()["data"]
    return Uploaded(asset["id"], asset["sha256"], 0.0, t1 - t0, 0.0)


def delete(server: Satchel, asset_id: str, wait: float = 60.0) -> None:
    """Delete the asset, retrying while background processing still holds it (409)."""
    deadline = time.monotonic() + wait
    with server.conn() as conn:
        while True:
            resp = conn.request("DELETE", f"/api/v1/assets/{asset_id}", server.auth)
            if resp.status != 409 or time.monotonic() > deadline:
                resp.check(200, 202)
                return
            time.sleep(0.5)


def blob_path(server: Satchel, sha256: str) -> Path:
    """Where the local blob store keeps it: one level of 256 folders (`blobs/ab/<sha>`)."""
    return server.data_dir / "blobs" / sha256[:2] / sha256

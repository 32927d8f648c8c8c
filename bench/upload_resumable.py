"""upload_resumable: one 5 GiB file by single PUT, by multipart (presigned parts) and by tus.

Throughput of each path and the serve process's peak RSS while it runs; the ratio is tus
throughput ÷ single PUT throughput (multipart ÷ PUT is printed too). Every path ends
with the same ingest; tus and multipart also assemble the staged bytes into the blob
store (a second pass over the file) where the PUT hashes as bytes arrive.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.api import delete, upload_put
from bench.client import Conn, Response, _request_head
from bench.common import GiB, MiB, mib_s, report, work_dir
from bench.files import write_zip64
from bench.server import Satchel
from bench.upload_rss import PeakRss

PAYLOAD = 5 * GiB
GOAL_MIB = 150.0
TUS_CHUNK = 1 * GiB  # what a tus client sends per PATCH (tus-js-client's default is all of it)


class RangeConn(Conn):
    """`Conn`, plus a request whose body is a byte range of a file (sent by `sendfile`)."""

    def send_range(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        file: Path,
        start: int,
        count: int,
        host: str | None = None,
    ) -> Response:
        head = _request_head(method, target, headers, count)
        if host is not None:  # a presigned URL signs the Host header, port included
            head = head.replace(b"\r\nHost: ", f"\r\nHost: {host}\r\nX-Was-Host: ".encode(), 1)
        self.sock.sendall(head)
        with file.open("rb") as fh:
            sent = self.sock.sendfile(fh, start, count)
        if sent != count:
            raise ConnectionError(f"sent {sent} of {count} bytes")
        return self._response(method, False)


def _json(conn: Conn, method: str, target: str, auth: dict[str, str], body: object) -> Response:
    headers = {**auth, "Content-Type": "application/json"}
    return conn.request(method, target, headers, json.dumps(body).encode())


def upload_multipart(server: Satchel, path: Path) -> str:
    """Announce, then per part: mint its URL and PUT the part there (to Satchel, or straight
    to S3 when the blob store presigns UploadPart), then complete."""
    size = os.path.getsize(path)
    direct: RangeConn | None = None
    with RangeConn(server.port) as conn:
        made = _json(
            conn,
            "POST",
            "/api/v1/assets",
            server.auth,
            {"filename": path.name, "content_type": "application/zip", "size": size},
        ).check(201)
        asset_id, upload = made.json()["data"]["id"], made.json()["data"]["upload"]
        parts = []
        for n in range(1, upload["part_count"] + 1):
            url = _json(
                conn,
                "POST",
                f"/api/v1/assets/{asset_id}/parts",
                server.auth,
                {"upload_id": upload["upload_id"], "part_number": n},
            ).check(200)
            target = urlsplit(url.json()["data"]["url"])
            start = (n - 1) * upload["part_size"]
            count = min(upload["part_size"], size - start)
            via, host = conn, None
            if target.port != server.port:
                direct = direct or RangeConn(target.port or 80)
                via, host = direct, target.netloc
            sent = via.send_range(
                "PUT", f"{target.path}?{target.query}", {}, path, start, count, host
            ).check(200)
            parts.append({"part_number": n, "etag": sent.headers["etag"]})
        if direct is not None:
            direct.close()
        body = {"upload_id": upload["upload_id"], "parts": parts}
        done = _json(conn, "POST", f"/api/v1/assets/{asset_id}/complete", server.auth, body)
        return str(done.check(200, 202).json()["data"]["id"])


def upload_tus(server: Satchel, path: Path) -> str:
    size = os.path.getsize(path)
    tus = {**server.auth, "Tus-Resumable": "1.0.0"}
    with RangeConn(server.port) as conn:
        made = conn.request(
            "POST",
            "/api/v1/uploads/tus",
            {**tus, "Upload-Length": str(size), "Upload-Metadata": "filename YmlnLnppcA=="},
        ).check(201)
        target = urlsplit(made.headers["location"]).path
        offset, answer = 0, made
        while offset < size:
            count = min(TUS_CHUNK, size - offset)
            headers = {
                **tus,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            }
            answer = conn.send_range("PATCH", target, headers, path, offset, count).check(204)
            offset = int(answer.headers["upload-offset"])
        return answer.headers["satchel-asset-id"]


def run() -> None:
    with work_dir("upload_resumable") as work:
        src = write_zip64(work / "big.zip", PAYLOAD)
        size = src.stat().st_size
        with Satchel(work / "data") as server:
            proc = server.process()
            time.sleep(1.0)
            idle_main = proc.memory_info().rss
            rows: list[tuple[str, float, int, int]] = []
            with PeakRss(proc) as sampler:
                for name, send in (
                    ("PUT", lambda: upload_put(server, src, "big.zip", "application/zip").asset_id),
                    ("multipart", lambda: upload_multipart(server, src)),
                    ("tus", lambda: upload_tus(server, src)),
                ):
                    sampler.reset()
                    started = time.perf_counter()
                    asset_id = send()
                    seconds = time.perf_counter() - started
                    rows.append((name, mib_s(size, seconds), sampler.main_peak, sampler.peak))
                    delete(server, asset_id)
    speed = {name: rate for name, rate, _, _ in rows}
    worst = max(main for _, _, main, _ in rows)
    figures = (
        f"5 GiB ZIP64 (stored), one connection; serve process idle {idle_main / MiB:.0f} MiB; "
        + "; ".join(
            f"{name} {rate:.0f} MiB/s, serve peak {main / MiB:.0f} MiB "
            f"(+{(main - idle_main) / MiB:.0f}; with workers {tree / MiB:.0f})"
            for name, rate, main, tree in rows
        )
        + f"; multipart÷PUT {speed['multipart'] / speed['PUT']:.2f}"
        + f"; tus PATCHes of {TUS_CHUNK // MiB} MiB"
    )
    ratio = speed["tus"] / speed["PUT"]
    report(
        "upload_resumable",
        figures,
        f"{ratio:.2f} (tus÷PUT)",
        f"tus÷PUT ≥ 0.5 and serve peak < {GOAL_MIB:.0f} MiB",
        ratio >= 0.5 and worst / MiB < GOAL_MIB,
    )

"""image_peers: the phone photo resized to fit 300×200 at concurrency 8, through
(a) Satchel's resize tool over HTTP (upload included) and (b) uncached renders of stored
assets, against thumbor 7.8 (PyPI, Pillow engine) and ipx 3.1.1 (npm, sharp), each
installed into a throwaway folder and started on 127.0.0.1 by this benchmark.

(b) is uncached: every request names an (asset, quality) pair not asked for before, so
each one decodes, resizes, encodes and stores a new rendition.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.api import upload_form
from bench.common import percentile, report, work_dir
from bench.load import LoadResult, Request, drive
from bench.server import Satchel, free_port

PHOTO = (
    Path(__file__).resolve().parents[2]
    / "shared/corpus/images/exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg"
)
CONCURRENCY = 8
SECONDS = 15.0
WARMUP = 40
STORED = 40  # distinct stored copies for uncached renders
GOAL = 1.2
THUMBOR_CONF = """
LOADER = 'thumbor.loaders.file_loader'
FILE_LOADER_ROOT_PATH = {root!r}
STORAGE = 'thumbor.storages.no_storage'
RESULT_STORAGE = None
ENGINE = 'thumbor.engines.pil'
ALLOW_UNSAFE_URL = True
"""


def _wait(
    port: int, path: str, proc: subprocess.Popen[bytes], log: Path, limit: float = 60
) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"peer exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"peer did not answer on {port}: {log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def _install_thumbor(folder: Path) -> Path:
    venv = folder / "thumbor-venv"
    uv = shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    subprocess.run([uv, "venv", "-q", str(venv), "--python", sys.executable], check=True)
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin/python"), "thumbor==7.8.0"],
        check=True,
    )
    return venv / "bin/thumbor"


def _install_ipx(folder: Path) -> Path:
    target = folder / "ipx"
    target.mkdir()
    (target / "package.json").write_text('{"name": "bench-ipx", "private": true}')
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", "ipx@3.1.1"],
        cwd=target,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return target / "node_modules/.bin/ipx"


def _load(port: int, requests: list[Request]) -> LoadResult:
    drive(port, requests[:WARMUP], concurrency=CONCURRENCY, expected=(200,))
    return drive(port, requests[WARMUP:], concurrency=CONCURRENCY, expected=(200,), limit=SECONDS)


def _figures(name: str, result: LoadResult) -> tuple[str, float]:
    if result.failures:
        raise RuntimeError(f"{name}: failed requests: {result.failures[:3]}")
    p50 = percentile(result.latencies, 50) * 1000
    p99 = percentile(result.latencies, 99) * 1000
    return f"{name} {result.rate:.1f} req/s (p50 {p50:.0f} ms, p99 {p99:.0f} ms)", result.rate


def _peer(cmd: list[str], port: int, path: str, log: Path, cwd: Path) -> LoadResult:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait(port, path, proc, log)
        return _load(port, [("GET", path, {}, b"")] * 100_000)
    finally:
        _stop(proc)


def _tool_requests(server: Satchel) -> list[Request]:
    boundary = "satchelbench"
    settings = json.dumps({"width": 300, "height": 200, "fit": "inside"})
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="settings"\r\n\r\n{settings}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + PHOTO.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {**server.auth, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return [("POST", "/api/v1/tools/image/resize", headers, body)] * 100_000


def _stored(server: Satchel, work: Path) -> list[str]:
    ids = []
    for i in range(STORED):
        copy = work / f"photo-{i}.jpg"
        shutil.copyfile(PHOTO, copy)
        with copy.open("ab") as fh:  # distinct bytes: no deduplication
            fh.write(f"copy {i}".encode())
        ids.append(upload_form(server, copy, f"photo-{i}.jpg", "image/jpeg").asset_id)
    deadline = time.monotonic() + 300
    pending = set(ids)
    with server.conn() as conn:
        while pending and time.monotonic() < deadline:
            for asset_id in list(pending):
                resp = conn.request("GET", f"/api/v1/assets/{asset_id}", server.auth).check(200)
                if resp.json()["data"]["status"] in ("ready", "failed"):
                    pending.discard(asset_id)
            time.sleep(0.2)
    if pending:
        raise RuntimeError(f"{len(pending)} photos were not processed in time")
    return ids


def _render_requests(server: Satchel, ids: list[str]) -> list[Request]:
    return [
        (
            "GET",
            f"/api/v1/assets/{asset_id}/render?w=300&h=200&fit=inside&format=jpg&q={q}",
            server.auth,
            b"",
        )
        for q in range(99, 19, -1)
        for asset_id in ids
    ]


def run() -> None:
    with work_dir("image_peers") as work:
        images = work / "images"
        images.mkdir()
        shutil.copyfile(PHOTO, images / "photo.jpg")
        thumbor, ipx = _install_thumbor(work), _install_ipx(work)
        conf = work / "thumbor.conf"
        conf.write_text(THUMBOR_CONF.format(root=str(images)))
        port = free_port()
        thumbor_cmd = [
            str(thumbor),
            "--port",
            str(port),
            "--ip",
            "127.0.0.1",
            "--conf",
            str(conf),
            "--processes",
            "2",
        ]
        thumbor_line, thumbor_rate = _figures(
            "thumbor",
            _peer(
                thumbor_cmd, port, "/unsafe/fit-in/300x200/photo.jpg", work / "thumbor.log", work
            ),
        )
        port = free_port()
        ipx_cmd = [
            str(ipx),
            "serve",
            "--dir",
            str(images),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ]
        ipx_line, ipx_rate = _figures(
            "ipx",
            _peer(ipx_cmd, port, "/s_300x200,fit_inside/photo.jpg", work / "ipx.log", work / "ipx"),
        )
        # Two HTTP processes, as thumbor runs with `--processes 2` (one per core).
        with Satchel(work / "data", env={"SATCHEL_API_PROCESSES": "2"}) as server:
            tool_line, tool_rate = _figures(
                "satchel resize tool", _load(server.port, _tool_requests(server))
            )
            ids = _stored(server, work)
            render_line, render_rate = _figures(
                "satchel uncached render", _load(server.port, _render_requests(server, ids))
            )
    best = max(thumbor_rate, ipx_rate)
    figures = (
        f"4608×1976 JPEG → fit 300×200, c={CONCURRENCY}, {SECONDS:.0f} s each: {tool_line}; "
        f"{render_line}; {thumbor_line}; {ipx_line}; tool÷best peer {tool_rate / best:.2f}"
    )
    ratio = render_rate / best
    report(
        "image_peers",
        figures,
        f"{ratio:.2f} (render), {tool_rate / best:.2f} (tool)",
        f"≥ {GOAL}× best peer",
        min(ratio, tool_rate / best) >= GOAL,
    )

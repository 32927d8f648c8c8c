"""Hostile inputs against a real `satchel serve`: every bomb, sent to the tool API, a
batch, a pipeline and (where it applies) a rendition, gets a 4xx or a clean `tool_*`
error within its limit, the API process barely grows, and /health answers throughout."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import psutil
import pytest

from tests.cli.test_serve import Server, start
from tests.conftest import ADMIN_KEY
from tests.runs import bombs
from tests.tools.helpers import PHOTO

TOOL_SECONDS = 6.0  # the hog reaches its memory limit well within it, even on a loaded CI
MiB = 1 << 20
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


@dataclass
class Watch:
    """/health polled beside the test, and the API process's memory."""

    server: Server
    failures: list[str] = field(default_factory=list)
    slowest: float = 0.0
    peak_rss: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        api = psutil.Process(self.server.proc.pid)
        with httpx.Client(base_url=self.server.base, timeout=5) as http:
            while not self.stop.wait(0.2):
                self.peak_rss = max(self.peak_rss, api.memory_info().rss)
                started = time.monotonic()
                try:
                    status = http.get("/api/v1/health").status_code
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                    continue
                self.slowest = max(self.slowest, time.monotonic() - started)
                if status != 200:
                    self.failures.append(f"health answered {status}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, httpx.Client]]:
    server = start(
        tmp_path_factory.mktemp("hostile") / "data",
        SATCHEL_ADMIN_API_KEY=ADMIN_KEY,
        SATCHEL_TOOL_MODULES=json.dumps(["tests.runs.hostile_tools"]),
        SATCHEL_TOOL_SECONDS=str(TOOL_SECONDS),
        SATCHEL_TOOL_MEMORY_MB="1024",
        SATCHEL_WORKERS="1",
    )
    try:
        with httpx.Client(base_url=server.base, headers=AUTH, timeout=120) as http:
            yield server, http
    finally:
        server.stop()


@dataclass(frozen=True)
class Bomb:
    name: str
    section: str
    tool: str
    filename: str
    data: bytes
    settings: dict[str, Any] = field(default_factory=dict)


BOMBS = [
    Bomb("gif-frames", "image", "compress", "bomb.gif", bombs.gif_frame_bomb()),
    Bomb("pdf-pages", "pdf", "pdf-to-image", "pages.pdf", bombs.pdf_with_pages()),
    Bomb("png-pixels", "image", "resize", "bomb.png", bombs.png_bomb(), {"width": 100}),
    Bomb("svg-canvas", "image", "svg-to-raster", "canvas.svg", bombs.svg_canvas()),
    Bomb("native-crash", "image", "test-abort", "photo.jpg", PHOTO.read_bytes()),
    Bomb("hang", "image", "test-hang", "photo.jpg", PHOTO.read_bytes()),
    Bomb("memory", "image", "test-hog", "photo.jpg", PHOTO.read_bytes()),
]
# How long an answer may take: the run's limit, plus receiving, sniffing and answering.
WITHIN = TOOL_SECONDS + 10


def _refused(status: int, error: dict[str, Any]) -> None:
    assert 400 <= status < 500, (status, error)
    assert error["code"] and error["message"], error


def _single(http: httpx.Client, bomb: Bomb) -> None:
    started = time.monotonic()
    r = http.post(
        f"/api/v1/tools/{bomb.section}/{bomb.tool}",
        files={"file": (bomb.filename, bomb.data)},
        data={"settings": json.dumps(bomb.settings)},
    )
    assert time.monotonic() - started < WITHIN
    _refused(r.status_code, r.json()["error"])


def _batch(http: httpx.Client, bomb: Bomb) -> None:
    started = time.monotonic()
    r = http.post(
        f"/api/v1/tools/{bomb.section}/{bomb.tool}/batch",
        files=[("files", (bomb.filename, bomb.data))],
        data={"settings": json.dumps(bomb.settings)},
    )
    assert time.monotonic() - started < WITHIN
    if r.status_code != 200:  # refused as a whole (nothing in it can run)
        _refused(r.status_code, r.json()["error"])
        return
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    error = json.loads(archive.read(f"{bomb.filename}.error.json"))
    assert error["code"] and error["message"], error
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["results"][0]["status"] == "failed"


def _pipeline(http: httpx.Client, bomb: Bomb) -> None:
    steps = {"steps": [{"toolId": bomb.tool, "settings": bomb.settings}]}
    started = time.monotonic()
    r = http.post(
        "/api/v1/pipeline/execute",
        files={"file": (bomb.filename, bomb.data)},
        data={"pipeline": json.dumps(steps)},
    )
    assert time.monotonic() - started < WITHIN
    _refused(r.status_code, r.json()["error"])


def _rendition(http: httpx.Client, bomb: Bomb) -> None:
    stored = http.post("/api/v1/assets", files={"file": (bomb.filename, bomb.data)})
    if stored.status_code >= 400:  # refused at upload: nothing to render
        _refused(stored.status_code, stored.json()["error"])
        return
    asset = stored.json()["data"]["id"]
    started = time.monotonic()
    r = http.get(f"/api/v1/assets/{asset}/render", params={"w": 200, "h": 200})
    assert time.monotonic() - started < WITHIN
    if r.status_code == 200:  # only the first frame is drawn: a small image, fine
        assert r.headers["content-type"].startswith("image/")
    else:
        _refused(r.status_code, r.json()["error"])


def test_every_bomb_everywhere(served: tuple[Server, httpx.Client]) -> None:
    server, http = served
    warm = http.post(
        "/api/v1/tools/image/resize",
        files={"file": ("photo.jpg", PHOTO.read_bytes())},
        data={"settings": json.dumps({"width": 300})},
    )
    assert warm.status_code == 200, warm.text
    baseline = psutil.Process(server.proc.pid).memory_info().rss
    watch = Watch(server)
    watcher = threading.Thread(target=watch.run, daemon=True)
    watcher.start()
    try:
        for bomb in BOMBS:
            for send in (_single, _batch, _pipeline):
                send(http, bomb)
            if bomb.section == "image" and not bomb.tool.startswith("test-"):
                _rendition(http, bomb)
    finally:
        watch.stop.set()
        watcher.join(10)
    assert watch.failures == [], watch.failures
    assert watch.slowest < 2.0, watch.slowest
    grown = (watch.peak_rss - baseline) / MiB
    assert grown < 100, f"the API process grew by {grown:.0f} MiB"
    after = http.post(
        "/api/v1/tools/image/resize",
        files={"file": ("photo.jpg", PHOTO.read_bytes())},
        data={"settings": json.dumps({"width": 300})},
    )
    assert after.status_code == 200, after.text  # and the pool serves on


@pytest.mark.parametrize(
    ("tool", "code"),
    [
        ("test-abort", "tool_crashed"),
        ("test-hang", "tool_timeout"),
        ("test-hog", "tool_out_of_memory"),
    ],
)
def test_each_failure_has_its_code(
    served: tuple[Server, httpx.Client], tool: str, code: str
) -> None:
    _, http = served
    r = http.post(f"/api/v1/tools/image/{tool}", files={"file": ("photo.jpg", PHOTO.read_bytes())})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code

"""Scale-out on loopback: PostgreSQL, Redis, SeaweedFS, two API nodes and two workers, each
a real `satchel` process; a bounded load round-robin across the nodes, with one API node
and one worker SIGKILLed halfway and started again.

Run alone with `uv run pytest -m cluster -s` (it prints its figures).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ADMIN_KEY, CLUSTER_SECRET, make_png, pg_database
from tests.servers import S3Server, free_port, redis_server

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(1200)]

SATCHEL = [sys.executable, "-m", "satchel.cli"]
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
BUCKET = "satchel-cluster"
GC_SECONDS = 4.0
MiB = 1 << 20


@dataclass
class Node:
    """One `satchel` process (API node or worker), restartable."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.args, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        if self.port is None:
            return
        deadline = time.monotonic() + 120
        with httpx.Client(base_url=self.base, timeout=2) as c:
            while True:
                assert self.proc.poll() is None, (
                    f"{self.name} exited: {self.log.read_text()[-3000:]}"
                )
                try:
                    if c.get("/api/v1/health").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"{self.name} did not start"
                time.sleep(0.2)

    def kill(self) -> None:
        assert self.proc is not None and self.proc.poll() is None, f"{self.name} is not running"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="module")
def cluster_env(
    tmp_path_factory: pytest.TempPathFactory, pg_server: str, s3_server: S3Server
) -> Iterator[dict[str, str]]:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name=s3_server.region,
    )
    with contextlib.suppress(s3.exceptions.ClientError):
        s3.create_bucket(Bucket=BUCKET)
    work = tmp_path_factory.mktemp("cluster")
    with redis_server(work) as redis_url:
        env = {
            **os.environ,
            "SATCHEL_DATABASE_URL": pg_database(pg_server, "satchel_cluster"),
            "SATCHEL_QUEUE_URL": redis_url,
            "SATCHEL_BLOBS_URL": f"s3://{BUCKET}/cluster",
            "SATCHEL_S3_ENDPOINT_URL": s3_server.endpoint_url,
            "SATCHEL_S3_ACCESS_KEY_ID": s3_server.access_key,
            "SATCHEL_S3_SECRET_ACCESS_KEY": s3_server.secret_key,
            "SATCHEL_S3_REGION": s3_server.region,
            "SATCHEL_SECRET_KEY": CLUSTER_SECRET,
            "SATCHEL_ADMIN_API_KEY": ADMIN_KEY,
            # Long enough that a heartbeat late on a loaded machine does not look like a death.
            "SATCHEL_JOB_STALE_SECONDS": "10",
            "SATCHEL_GC_INTERVAL_SECONDS": str(GC_SECONDS),
            "SATCHEL_MULTIPART_THRESHOLD_BYTES": str(MiB),
            "SATCHEL_MULTIPART_PART_BYTES": str(5 * MiB),
            "SATCHEL_TOOL_CONCURRENCY": "1",
            "SATCHEL_LOG_LEVEL": "warning",
            "WORK": str(work),
        }
        yield env


def make_nodes(env: dict[str, str]) -> tuple[list[Node], list[Node]]:
    work = Path(env["WORK"])
    apis, workers = [], []
    for i in range(2):
        port = free_port()
        node_env = {**env, "SATCHEL_DATA_DIR": str(work / f"api{i}"), "SATCHEL_PORT": str(port)}
        apis.append(
            Node(
                f"api{i}", [*SATCHEL, "serve", "--no-worker"], node_env, work / f"api{i}.log", port
            )
        )
        worker_env = {**env, "SATCHEL_DATA_DIR": str(work / f"worker{i}")}
        workers.append(
            Node(f"worker{i}", [*SATCHEL, "worker", "--count", "1"], worker_env, work / f"w{i}.log")
        )
    return apis, workers


def pattern(size: int, seed: int) -> bytes:
    line = hashlib.sha256(f"{seed}".encode()).hexdigest().encode() + b"\n"
    return (line * (size // len(line) + 1))[:size]


class Load:
    """The requests, round-robin over the nodes that are up; what was acknowledged."""

    def __init__(self, apis: list[Node]) -> None:
        self.apis = apis
        self.clients = {
            n.name: httpx.Client(base_url=n.base, headers=AUTH, timeout=60) for n in apis
        }
        self.direct = httpx.Client(timeout=60)
        self.turn = itertools.count()
        self.requests = 0
        self.acked: dict[str, bytes] = {}  # asset id -> the bytes it must read back as
        self.tool_runs = 0

    def call(self, up: list[Node], method: str, url: str, **kw: Any) -> httpx.Response:
        self.requests += 1
        node = up[next(self.turn) % len(up)]
        return self.clients[node.name].request(method, url, **kw)

    def close(self) -> None:
        for c in self.clients.values():
            c.close()
        self.direct.close()

    def form(self, up: list[Node], seed: int) -> None:
        data = make_png(24, 24, seed=seed)
        r = self.call(up, "POST", "/api/v1/assets", files={"file": (f"p{seed}.png", data)})
        assert r.status_code == 202, r.text
        self.acked[r.json()["data"]["id"]] = data

    def multipart(self, up: list[Node], seed: int) -> None:
        data = pattern(5 * MiB + 4321, seed)
        body = {"filename": f"m{seed}.txt", "content_type": "text/plain", "size": len(data)}
        asset = self.call(up, "POST", "/api/v1/assets", json=body).json()["data"]
        upload = asset["upload"]
        parts = []
        for n in range(1, upload["part_count"] + 1):
            chunk = data[(n - 1) * upload["part_size"] : n * upload["part_size"]]
            where = {"upload_id": upload["upload_id"], "part_number": n}
            url = self.call(up, "POST", f"/api/v1/assets/{asset['id']}/parts", json=where)
            self.requests += 1
            put = self.direct.put(url.json()["data"]["url"], content=chunk)
            assert put.status_code == 200, put.text
            parts.append({"part_number": n, "etag": put.headers["etag"]})
        done = self.call(
            up,
            "POST",
            f"/api/v1/assets/{asset['id']}/complete",
            json={"upload_id": upload["upload_id"], "parts": parts},
        )
        assert done.status_code == 202, done.text
        self.acked[asset["id"]] = data

    def tus(self, up: list[Node], seed: int) -> None:
        """tus staging is still each node's own disk: every request of one upload goes to
        the node that created it (sticky), which is what this covers."""
        import base64

        data = pattern(300_000, seed)
        v = {"Tus-Resumable": "1.0.0"}
        c = self.clients[up[next(self.turn) % len(up)].name]
        name = base64.b64encode(f"t{seed}.txt".encode()).decode()
        made = c.post(
            "/api/v1/uploads/tus",
            headers={**v, "Upload-Length": str(len(data)), "Upload-Metadata": f"filename {name}"},
        )
        assert made.status_code == 201, made.text
        self.requests += 1
        offset, answer = 0, None
        for piece in (data[:100_000], data[100_000:]):
            answer = c.patch(
                made.headers["location"],
                content=piece,
                headers={
                    **v,
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                },
            )
            self.requests += 1
            assert answer.status_code == 204, answer.text
            offset += len(piece)
        assert answer is not None
        self.acked[answer.headers["satchel-asset-id"]] = data

    def tool(self, up: list[Node], seed: int) -> None:
        r = self.call(
            up,
            "POST",
            "/api/v1/tools/image/resize",
            files={"file": ("t.png", make_png(32, 32, seed=seed))},
            data={"settings": json.dumps({"width": 8})},
        )
        assert r.status_code == 200, r.text
        self.tool_runs += 1

    def round(self, up: list[Node], seed: int) -> None:
        self.form(up, seed)
        self.form(up, seed + 100_000)
        if seed % 4 == 0:
            self.tool(up, seed)
        if seed % 8 == 0:
            self.tus(up, seed)
        if seed % 16 == 0:
            self.multipart(up, seed)


def test_cluster_survives_kills_under_load(cluster_env: dict[str, str]) -> None:
    apis, workers = make_nodes(cluster_env)
    started = time.monotonic()
    for node in (*apis, *workers):
        node.start()
    load = Load(apis)
    try:
        for seed in range(0, 32):
            load.round(apis, seed)
        apis[1].kill()
        workers[0].kill()
        kills = 2
        for seed in range(32, 48):  # one API node and one worker left
            load.round(apis[:1], seed)
        apis[1].start()
        workers[0].start()
        for seed in range(48, 64):
            load.round(apis, seed)

        # Every acknowledged upload reads back byte-exact through either node, once done.
        deadline = time.monotonic() + 600
        statuses: dict[str, str] = {}
        readbacks = 0
        for asset_id, data in load.acked.items():
            for node in apis:
                readbacks += 1
                raw = load.clients[node.name].get(f"/api/v1/assets/{asset_id}/raw")
                assert raw.status_code == 200 and raw.content == data, asset_id
            while True:
                got = load.clients[apis[0].name].get(f"/api/v1/assets/{asset_id}")
                status = got.json()["data"]["status"]
                if status in ("ready", "failed") or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            statuses[asset_id] = status
        engine = create_engine(cluster_env["SATCHEL_DATABASE_URL"])
        # Jobs besides processing (enrichment, events) may still be on their way: wait for
        # the queue to drain before counting what is stuck.
        unfinished = text("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if not conn.execute(unfinished).scalar():
                    break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        with engine.connect() as conn:
            kinds = [
                f"{kind} {status} {n}"
                for kind, status, n in conn.execute(
                    text("SELECT kind, status, count(*) FROM jobs GROUP BY kind, status")
                )
            ]
            jobs = dict(
                conn.execute(text("SELECT status, count(*) FROM jobs GROUP BY status")).all()
            )
            reasonless = conn.execute(
                text("SELECT count(*) FROM jobs WHERE status = 'failed' AND error IS NULL")
            ).scalar()
            gc_runs = conn.execute(text("SELECT runs FROM leases WHERE name = 'gc'")).scalar()
        engine.dispose()
        scrub = subprocess.run(
            [*SATCHEL, "scrub", "--json"],
            env={**cluster_env, "SATCHEL_DATA_DIR": str(Path(cluster_env["WORK"]) / "scrub")},
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        load.close()
        for node in (*apis, *workers):
            node.stop()
    figures = {
        "requests": load.requests,
        "acknowledged_uploads": len(load.acked),
        "tool_runs": load.tool_runs,
        "readbacks": readbacks,
        "kills": kills,
        "lost": 0,  # asserted above: each read back byte-exact through both nodes
        "jobs": jobs,
        "stuck_jobs": jobs.get("running", 0) + jobs.get("queued", 0),
        "job_kinds": kinds,
        "gc_runs": gc_runs,
        "seconds": round(elapsed, 1),
    }
    print("\ncluster:", json.dumps(figures))
    not_ready = {k: v for k, v in statuses.items() if v != "ready"}
    assert not not_ready, not_ready
    assert figures["stuck_jobs"] == 0 and reasonless == 0, jobs
    assert scrub.returncode == 0, scrub.stdout + scrub.stderr
    assert json.loads(scrub.stdout)["mismatches"] == []
    # Once per period across the cluster (four processes tick), not once per process.
    assert gc_runs is not None and 1 <= gc_runs <= elapsed / GC_SECONDS + 2, figures

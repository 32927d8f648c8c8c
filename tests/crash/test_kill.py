"""A real server killed with SIGKILL at random moments under a mixed workload (issue 5).

Each cycle: start `satchel serve` over the same data folder (startup repair runs), check
everything against what clients were told, let 2 to SATCHEL_CRASH_LANES (3) client
threads upload (small distinct files, duplicates, a few MiB of noise so kills land
mid-body), patch, delete and read, with a job worker processing, and SIGKILL the whole
process group 3–450 ms later.

After every restart (cheap checks): every acknowledged upload not acknowledged as deleted
is there with its sha256 and last acknowledged description; no asset or derivative row
points at a missing blob or one of the wrong size; `PRAGMA integrity_check` is ok; no
temporary file survived startup; the uploads of the cycle read back (`GET …/raw`) with
their sha256. Every FULL_EVERY cycles and at the end every asset is read back, and every
GC_EVERY cycles and at the end `satchel gc --execute --grace 0` must leave no orphan blob;
at the end `satchel scrub` must find nothing damaged.

Knobs (environment): SATCHEL_CRASH_KILLS (200), SATCHEL_CRASH_SECONDS (a safety bound
on the kill loop, 600; the loop ends at KILLS, ~220 s on a quiet 2-core machine),
SATCHEL_CRASH_LANES (3 client threads), SATCHEL_CRASH_SEED (random when unset; printed),
SATCHEL_CRASH_SPAWN (fork | exec, see harness.py),
SATCHEL_CRASH_REPORT (a path: the figures are written there as JSON).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import struct
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.crash.harness import (
    AUTH,
    Launcher,
    Server,
    Store,
    inspect,
    png,
    run_json,
    server_env,
    sha256,
    text,
)

KILLS = int(os.environ.get("SATCHEL_CRASH_KILLS", "200"))
SECONDS = float(os.environ.get("SATCHEL_CRASH_SECONDS", "600"))
LANES = int(os.environ.get("SATCHEL_CRASH_LANES", "3"))
SEED = int(os.environ.get("SATCHEL_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
FULL_EVERY = max(50, KILLS // 10)  # read back every asset
GC_EVERY = 25  # satchel gc --execute --grace 0
SAMPLE = 8  # older assets read back in other cycles
MAX_OPS = 60  # per lane and cycle (the kill comes much earlier)
MIN_DELAY, SPLIT_DELAY, MAX_DELAY = 0.003, 0.05, 0.45  # from workload start to the kill (s)


@dataclass
class Known:
    """An asset a client was told about."""

    sha: str
    size: int
    lane: int
    description: str | None = None
    pending: set[str] = field(default_factory=set)  # patches sent, not answered
    deleting: bool = False  # a delete was sent and not answered


class Ledger:
    """Everything clients were told, and what may or may not have happened at a kill."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.present: dict[str, Known] = {}
        self.deleted: set[str] = set()
        self.maybe: Counter[str] = Counter()  # sha -> uploads sent and not answered
        self.sha_lane: dict[str, int] = {}
        self.fresh: set[str] = set()  # read these back at the next check
        self.counts: Counter[str] = Counter()
        self.anomalies: list[str] = []

    def anomaly(self, message: str) -> None:
        with self.lock:
            self.anomalies.append(message)

    def lane_ids(self, lane: int) -> list[str]:
        with self.lock:
            return [i for i, k in self.present.items() if k.lane == lane and not k.deleting]


class Lane:
    """One client thread's files and ids; a lane works on its own ids only, in order."""

    def __init__(self, idx: int, ledger: Ledger) -> None:
        self.idx = idx
        self.ledger = ledger
        self.rng = random.Random(f"{SEED}-{idx}")
        self.n = 0
        self.small: list[tuple[bytes, str, str]] = []
        self.big: list[tuple[bytes, str, str]] = []
        self.doing = "idle"
        self.cycle = 0

    def _tagged_png(self, *, noisy: bool) -> bytes:
        self.n += 1
        if noisy:
            data = png(self.rng, 1024, self.rng.randint(700, 1300), noisy=True)
        else:
            data = png(self.rng, self.rng.randint(1, 48), self.rng.randint(1, 48))
        # Distinct bytes per lane and item: a tEXt chunk before IEND.
        body = b"Comment\0" + f"lane {self.idx} item {self.n}".encode()
        chunk = struct.pack(">I", len(body)) + b"tEXt" + body
        chunk += struct.pack(">I", zlib.crc32(b"tEXt" + body) & 0xFFFFFFFF)
        return data[:-12] + chunk + data[-12:]

    def _new_small(self) -> tuple[bytes, str, str]:
        if self.rng.random() < 0.6:
            item = (self._tagged_png(noisy=False), f"l{self.idx}-{self.n}.png", "image/png")
        else:
            self.n += 1
            size = int(self.rng.choice((200, 2_000, 20_000, 120_000)) * self.rng.uniform(0.5, 1))
            head = f"lane {self.idx} item {self.n}\n".encode()
            item = (head + text(self.rng, size), f"l{self.idx}-{self.n}.txt", "text/plain")
        self.small.append(item)
        del self.small[:-40]
        return item

    def _big(self) -> tuple[bytes, str, str]:
        if len(self.big) < 2:
            data = self._tagged_png(noisy=True)
            self.big.append((data, f"l{self.idx}-big-{self.n}.png", "image/png"))
        return self.rng.choice(self.big)

    def run(self, base: str, go: threading.Event, stop: threading.Event) -> None:
        timeout = httpx.Timeout(20, connect=3)
        with httpx.Client(base_url=base, headers=AUTH, timeout=timeout) as client:
            go.wait(30)
            deadline = time.monotonic() + 20
            for _ in range(MAX_OPS):
                if stop.is_set() or time.monotonic() > deadline:
                    break
                try:
                    self.step(client)
                except httpx.TransportError:
                    break  # the server is gone
                finally:
                    self.doing = "idle"

    def step(self, client: httpx.Client) -> None:
        r = self.rng.random()
        ids = self.ledger.lane_ids(self.idx)
        if r < 0.40 or not ids:
            self.upload(client, self._new_small(), "upload")
        elif r < 0.50:
            self.upload(client, self.rng.choice(self.small), "upload-duplicate")
        elif r < 0.60:
            self.upload(client, self._big(), "upload-large")
        elif r < 0.78:
            self.patch(client, self.rng.choice(ids))
        elif r < 0.92:
            self.delete(client, self.rng.choice(ids))
        else:
            self.read(client, self.rng.choice(ids))

    def upload(self, client: httpx.Client, item: tuple[bytes, str, str], op: str) -> None:
        data, name, ctype = item
        sha = sha256(data)
        led = self.ledger
        with led.lock:
            led.maybe[sha] += 1
            led.sha_lane[sha] = self.idx
        self.doing = op
        response = client.post("/api/v1/assets", files={"file": (name, data, ctype)})
        with led.lock:
            led.maybe[sha] -= 1
        if response.status_code not in (200, 202):
            led.anomaly(f"{op} answered {response.status_code}: {response.text[:300]}")
            return
        body = response.json()
        asset_id, got = body["data"]["id"], body["data"]["sha256"]
        if got != sha:
            led.anomaly(f"{op} {asset_id}: sent {sha}, told {got}")
        deduplicated = bool(body["meta"].get("deduplicated"))
        if deduplicated != (response.status_code == 200):
            led.anomaly(f"{op} {asset_id}: {response.status_code} with deduplicated={deduplicated}")
        with led.lock:
            led.counts["acked uploads (202)" if not deduplicated else "acked duplicates (200)"] += 1
            if op == "upload-large":
                led.counts["acked large uploads"] += 1
            if asset_id in led.deleted:
                led.anomalies.append(f"{op} answered {asset_id}, which was deleted before")
            known = led.present.get(asset_id)
            if known is None:
                if deduplicated:
                    # An upload answered before a kill never reached us, but it was stored.
                    led.counts["unanswered uploads found via dedup"] += 1
                led.present[asset_id] = Known(sha, len(data), self.idx)
                led.fresh.add(asset_id)
            elif known.sha != sha:
                led.anomalies.append(f"{op} dedup gave {asset_id} with {known.sha}, sent {sha}")

    def patch(self, client: httpx.Client, asset_id: str) -> None:
        led = self.ledger
        value = f"c{self.cycle}-l{self.idx}-{self.rng.getrandbits(32):08x}"
        with led.lock:
            led.present[asset_id].pending.add(value)
        self.doing = "patch"
        response = client.patch(f"/api/v1/assets/{asset_id}", json={"description": value})
        if response.status_code != 200:
            led.anomaly(f"PATCH {asset_id} answered {response.status_code}: {response.text[:300]}")
            return
        if response.json()["data"]["description"] != value:
            led.anomaly(f"PATCH {asset_id} answered another description")
        with led.lock:
            known = led.present[asset_id]
            known.description = value
            known.pending.clear()
            led.counts["acked patches"] += 1

    def delete(self, client: httpx.Client, asset_id: str) -> None:
        led = self.ledger
        with led.lock:
            led.present[asset_id].deleting = True
        self.doing = "delete"
        response = client.delete(f"/api/v1/assets/{asset_id}?permanent=true")
        if response.status_code != 200:
            led.anomaly(f"DELETE {asset_id} answered {response.status_code}: {response.text[:300]}")
            return
        if response.json()["meta"].get("already_deleted"):
            led.anomaly(f"DELETE {asset_id}: already deleted, but it was there")
        with led.lock:
            del led.present[asset_id]
            led.deleted.add(asset_id)
            led.counts["acked deletes"] += 1

    def read(self, client: httpx.Client, asset_id: str) -> None:
        led = self.ledger
        self.doing = "read"
        response = client.get(f"/api/v1/assets/{asset_id}/raw")
        with led.lock:
            known = led.present[asset_id]
        if response.status_code != 200 or sha256(response.content) != known.sha:
            led.anomaly(f"GET raw {asset_id} during the workload: {response.status_code}")
        with led.lock:
            led.counts["reads"] += 1


class Run:
    """The kill loop and its checks."""

    def __init__(self, launcher: Launcher, data_dir: Path, log_dir: Path) -> None:
        self.launcher = launcher
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.env = server_env(data_dir)
        self.ledger = Ledger()
        self.lanes = [Lane(i, self.ledger) for i in range(LANES)]
        self.rng = random.Random(SEED)
        self.figures: dict[str, Any] = {"seed": SEED, "spawn": launcher.mode, "lanes": LANES}
        self.restarts: list[float] = []
        self.delays: list[float] = []
        self.inflight: Counter[str] = Counter()
        self.repair: Counter[str] = Counter()
        self.orphans_before_gc: list[int] = []
        self.gc_deleted = 0
        self.lost: set[str] = set()
        self.findings: dict[str, int] = {}  # problem -> first cycle

    def note(self, cycle: int, problems: list[str]) -> None:
        """Keep going after a finding (each is reported once, with its first cycle), so one
        run shows every kind of problem and its figures; the test fails at the end."""
        for problem in problems:
            self.findings.setdefault(problem, cycle)

    # -- checks ---------------------------------------------------------------------------

    def check_store(self, store: Store, started_wall: float) -> list[str]:
        led = self.ledger
        problems = list(store.problems)
        for name, mtime, inside in store.temp_files:
            if mtime < started_wall:
                kind = "file" if inside < 0 else f"directory ({inside} files inside)"
                problems.append(f"temporary {kind} survived startup: tmp/{name}")
        with led.lock:
            for asset_id, known in list(led.present.items()):
                row = store.assets.get(asset_id)
                if row is None:
                    if known.deleting:  # the unanswered delete happened
                        del led.present[asset_id]
                        led.deleted.add(asset_id)
                        led.counts["unanswered deletes that happened"] += 1
                    else:
                        self.lost.add(asset_id)
                        del led.present[asset_id]  # reported once
                        problems.append(f"LOST: acknowledged asset {asset_id} ({known.sha})")
                    continue
                if known.deleting:
                    led.counts["unanswered deletes that did not happen"] += 1
                    known.deleting = False
                    led.fresh.add(asset_id)
                sha, _, _, description = row
                if sha != known.sha:
                    problems.append(f"asset {asset_id} now has {sha}, acknowledged {known.sha}")
                if description != known.description and description not in known.pending:
                    problems.append(
                        f"asset {asset_id} description {description!r}; acknowledged "
                        f"{known.description!r}, unanswered {sorted(known.pending)}"
                    )
                known.description = description
                known.pending.clear()
            for asset_id in led.deleted:
                if asset_id in store.assets:
                    problems.append(f"acknowledged delete of {asset_id} undone")
                if asset_id not in store.tombstones:
                    problems.append(f"deleted {asset_id} has no tombstone")
            for asset_id, (sha, size, status, _) in store.assets.items():
                if asset_id in led.present or asset_id in led.deleted:
                    continue
                if sha is not None and led.maybe[sha] > 0:
                    # Stored, but the answer never reached the client: fine, now it is known.
                    led.maybe[sha] -= 1
                    led.present[asset_id] = Known(sha, size, led.sha_lane[sha])
                    led.fresh.add(asset_id)
                    led.counts["unanswered uploads that were stored"] += 1
                else:
                    problems.append(f"asset {asset_id} ({sha}, {status}) nobody uploaded")
        return problems

    def read_back(self, server: Server, ids: list[str]) -> list[str]:
        problems = []
        with httpx.Client(base_url=server.base, headers=AUTH, timeout=30) as client:
            for asset_id in ids:
                known = self.ledger.present[asset_id]
                response = client.get(f"/api/v1/assets/{asset_id}/raw")
                if response.status_code != 200:
                    problems.append(
                        f"GET raw {asset_id}: {response.status_code} {response.text[:200]}"
                    )
                elif sha256(response.content) != known.sha:
                    problems.append(f"GET raw {asset_id}: bytes do not hash to {known.sha}")
        self.ledger.counts["read back after restart"] += len(ids)
        return problems

    def check_status(self, server: Server) -> list[str]:
        response = httpx.get(f"{server.base}/api/v1/status", timeout=10)
        if response.status_code != 200:
            return [f"GET /status: {response.status_code}"]
        repair = response.json()["data"]["storage"]["asset_repair"]
        for key in ("temp_files_removed", "deletes_completed", "derivatives_regenerated"):
            self.repair[key] += int(repair.get(key, 0))
        self.repair["quarantined_assets"] += len(repair.get("quarantined_assets", []))
        if repair.get("level") != "info" or repair.get("quarantined_assets"):
            return [f"startup repair: {repair}"]
        return []

    def gc(self, store: Store) -> tuple[list[str], Store]:
        self.orphans_before_gc.append(len(store.orphan_files))
        code, report = run_json(self.launcher, ["gc", "--execute", "--grace", "0"], self.env)
        problems = [] if code == 0 else [f"satchel gc exited {code}: {report}"]
        self.gc_deleted += int(report.get("deleted_blobs", 0))
        after = inspect(self.data_dir)
        problems += after.problems
        if after.orphan_files:
            problems.append(f"orphan blobs after gc: {sorted(after.orphan_files)[:5]}")
        if after.unreferenced_rows:
            problems.append(f"unreferenced blobs rows after gc: {sorted(after.unreferenced_rows)}")
        gone = [i for i in self.ledger.present if i not in after.assets]
        if gone:
            problems.append(f"assets gone after gc: {gone[:5]}")
        return problems, after

    def verify(self, server: Server, started_wall: float, cycle: int, *, final: bool) -> None:
        store = inspect(self.data_dir)
        problems = self.check_store(store, started_wall)
        problems += self.check_status(server)
        led = self.ledger
        with led.lock:
            everyone = sorted(led.present)
            fresh = sorted(i for i in led.fresh if i in led.present)
            led.fresh.clear()
        full = final or (cycle % FULL_EVERY == 0 and cycle > 0)
        ids = everyone if full else fresh + self.rng.sample(everyone, min(SAMPLE, len(everyone)))
        problems += self.read_back(server, sorted(set(ids)))
        if final or (cycle % GC_EVERY == 0 and cycle > 0):
            more, _ = self.gc(store)
            problems += more
        with led.lock:
            problems += led.anomalies
            led.anomalies.clear()
        self.note(cycle, problems)

    # -- the loop -------------------------------------------------------------------------

    def kill_delay(self) -> float:
        """A third early (log-uniform 3–50 ms: first bytes, first commits), the rest later
        (uniform 50–450 ms: large bodies, fsyncs, renames, commits, processing)."""
        if self.rng.random() < 1 / 3:
            return MIN_DELAY * (SPLIT_DELAY / MIN_DELAY) ** self.rng.random()
        return self.rng.uniform(SPLIT_DELAY, MAX_DELAY)

    def cycle(self, cycle: int) -> None:
        started_wall = time.time()
        server = self.launcher.start(self.data_dir, self.env, workers=False, log_dir=self.log_dir)
        self.restarts.append(server.started_in)
        try:
            self.verify(server, started_wall, cycle, final=False)
            self.launcher.add_worker(server, self.env)
            go, stop = threading.Event(), threading.Event()
            threads = []
            active = self.lanes[: self.rng.randint(2, LANES) if LANES > 2 else LANES]
            for lane in active:
                lane.cycle = cycle
                t = threading.Thread(target=lane.run, args=(server.base, go, stop), daemon=True)
                t.start()
                threads.append(t)
            delay = self.kill_delay()
            self.delays.append(delay)
            go.set()
            time.sleep(delay)
            for lane in active:
                self.inflight[lane.doing] += 1
            self.launcher.kill(server)
            stop.set()
            for t in threads:
                t.join(30)
                assert not t.is_alive(), "a client thread hung after the kill"
        finally:
            if not server.dead:
                self.launcher.kill(server)

    def finish(self, cycle: int) -> None:
        started_wall = time.time()
        server = self.launcher.start(self.data_dir, self.env, workers=False, log_dir=self.log_dir)
        self.restarts.append(server.started_in)
        try:
            self.verify(server, started_wall, cycle, final=True)
            code, report = run_json(self.launcher, ["scrub"], self.env)
            if code != 0 or report["mismatches"]:
                self.note(cycle, [f"scrub after the kills ({code}): {report['mismatches'][:5]}"])
            self.figures["scrub_checked"] = report["checked"]
        finally:
            status = self.launcher.stop(server)
            # uvicorn re-raises the SIGTERM it handled once it has shut down: -15 is a clean stop.
        assert all(c in (0, -15) for c in status.values()), f"serve did not stop cleanly: {status}"


def test_sigkill_under_mixed_workload(tmp_path: Path, launcher: Launcher) -> None:
    print(f"\ncrash test seed {SEED} (SATCHEL_CRASH_SEED={SEED} to repeat)")
    data_dir = tmp_path / "data"
    began = time.monotonic()
    run = Run(launcher, data_dir, tmp_path)
    kills = 0
    while kills < KILLS and time.monotonic() - began < SECONDS and len(run.findings) < 100:
        run.cycle(kills)
        kills += 1
    run.finish(kills)
    seconds = time.monotonic() - began
    led = run.ledger
    restarts = sorted(run.restarts)
    figures = {
        **run.figures,
        "kills": kills,
        "seconds": round(seconds, 1),
        "lost_uploads": len(run.lost),
        "assets_at_end": len(led.present),
        "deleted_at_end": len(led.deleted),
        **dict(led.counts),
        "in_flight_at_kill": dict(run.inflight),
        "startup_repair": dict(run.repair),
        "orphan_blobs_before_gc": run.orphans_before_gc,
        "gc_deleted_blobs": run.gc_deleted,
        "orphan_blobs_after_gc": 0,
        "restart_seconds": {
            "median": round(statistics.median(restarts), 3),
            "p90": round(restarts[int(len(restarts) * 0.9)], 3),
            "max": round(restarts[-1], 3),
        },
        "kill_delay_ms": {
            "min": round(min(run.delays) * 1000, 1),
            "median": round(statistics.median(run.delays) * 1000, 1),
            "max": round(max(run.delays) * 1000, 1),
        },
    }
    print(json.dumps(figures, indent=1))
    if os.environ.get("SATCHEL_CRASH_REPORT"):
        Path(os.environ["SATCHEL_CRASH_REPORT"]).write_text(json.dumps(figures, indent=1))
    if run.findings:
        lines = [f"cycle {c}: {p}" for p, c in sorted(run.findings.items(), key=lambda x: x[1])]
        raise AssertionError(
            f"seed {SEED}: {len(lines)} problem(s) in {kills} kills, data in {data_dir}:\n  "
            + "\n  ".join(lines[:60])
        )
    assert kills >= KILLS, (
        f"only {kills} of {KILLS} kills in the {SECONDS:.0f} s bound "
        f"(median restart {figures['restart_seconds']['median']} s)"
    )


pytestmark = [pytest.mark.crash, pytest.mark.timeout(SECONDS + 240)]

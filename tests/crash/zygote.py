"""A pre-imported parent that forks `satchel serve` / `satchel …` processes quickly.

A fresh `python -m satchel.cli serve` spends seconds importing (FastAPI, libvips, PyAV,
…) before it listens. The crash test restarts the server hundreds of times, so it runs
this helper once: it imports everything, makes one throwaway start to fill the caches
(no thread or connection survives it), then forks one child per command. Each child is an
ordinary process running the real `satchel` command line (`serve --no-worker`, `worker`,
`gc`, `scrub`) in its own process group; the test kills the group with SIGKILL exactly
as it would kill an exec'd server.

Protocol: one JSON object per line on stdin, one JSON answer per line on stdout.
  {"cmd": "spawn", "args": [...], "env": {...}, "log": path, "group": pgid | null}
      -> {"pid": pid}      (group null: the child leads a new process group)
  {"cmd": "reap", "pids": [...], "timeout": s}
      -> {"status": {pid: exit code or -signal}}   (SIGKILLed when still alive at timeout)
  {"cmd": "poll", "pids": [...]} -> {"status": {pid: code}} for those that have exited
At end of stdin every child still running is killed and reaped, then the helper exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from typing import Any


def _preload() -> None:
    import uvicorn
    import uvicorn.lifespan.on
    import uvicorn.loops.uvloop
    import uvicorn.protocols.http.httptools_impl
    import uvicorn.protocols.websockets.auto

    import satchel.api.app
    import satchel.cli.main
    import satchel.jobs.queue
    import satchel.jobs.supervisor
    import satchel.lifecycle.gc
    import satchel.lifecycle.repair
    import satchel.lifecycle.scrub
    import satchel.processing.jobs
    import satchel.runtime

    del satchel, uvicorn


def _warm_up() -> None:
    """One full start against a throwaway folder, and one of each request the test makes,
    in process: mappers configured, libmagic loaded, caches filled. No thread survives."""
    import asyncio
    import shutil
    import struct
    import tempfile
    import zlib
    from pathlib import Path

    import httpx

    from satchel.api.app import create_app
    from satchel.config import Settings
    from satchel.runtime import start

    key = "sat_zygote-warm-up-key-000000000000000000000"
    row = b"\0" + bytes(range(12))
    ihdr = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in ((b"IHDR", ihdr), (b"IDAT", zlib.compress(row * 4)), (b"IEND", b""))
    )

    async def requests(app: object) -> None:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://warm", headers=headers
        ) as client:
            for name, data, ctype in (
                ("a.png", png, "image/png"),
                ("a.txt", b"hi\n", "text/plain"),
            ):
                made = await client.post("/api/v1/assets", files={"file": (name, data, ctype)})
                asset_id = made.json()["data"]["id"]
                await client.post("/api/v1/assets", files={"file": (name, data, ctype)})
                await client.patch(f"/api/v1/assets/{asset_id}", json={"description": "x"})
                await client.get(f"/api/v1/assets/{asset_id}/raw")
                await client.get(f"/api/v1/assets/{asset_id}/content")
                await client.delete(f"/api/v1/assets/{asset_id}?permanent=true")
            await client.get("/api/v1/status")
            await client.get("/api/v1/health")

    folder = Path(tempfile.mkdtemp(prefix="satchel-zygote-"))
    try:
        settings = Settings(data_dir=folder, admin_api_key=key)  # type: ignore[arg-type]
        runtime = start(settings)
        runtime.repair()
        asyncio.run(requests(create_app(settings, runtime)))
        runtime.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _child(request: dict[str, Any]) -> None:
    """Runs in the forked child; never returns."""
    code = 70
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setpgid(0, request.get("group") or 0)
        fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        os.close(null)
        os.environ.update(request["env"])
        from satchel.cli.main import app

        try:
            app(request["args"], prog_name="satchel")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _code(status: int) -> int:
    return os.waitstatus_to_exitcode(status)


def _reap(pids: list[int], timeout: float, children: set[int]) -> dict[str, int]:
    out: dict[str, int] = {}
    deadline = time.monotonic() + timeout
    pending = [p for p in pids if p in children]
    while pending:
        for pid in list(pending):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                out[str(pid)] = _code(status)
                pending.remove(pid)
                children.discard(pid)
        if not pending:
            break
        if time.monotonic() > deadline:
            for pid in pending:
                os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
                out[str(pid)] = _code(status)
                children.discard(pid)
            break
        time.sleep(0.002)
    return out


def main() -> None:
    _preload()
    _warm_up()
    children: set[int] = set()
    hello = {
        "ready": True,
        "threads": threading.active_count(),
        "tasks": len(os.listdir("/proc/self/task")),
        "pid": os.getpid(),
    }
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        cmd = request["cmd"]
        answer: dict[str, Any]
        if cmd == "spawn":
            pid = os.fork()
            if pid == 0:
                _child(request)
            with contextlib.suppress(OSError):
                os.setpgid(pid, request.get("group") or pid)  # the child does it too
            children.add(pid)
            answer = {"pid": pid}
        elif cmd == "reap":
            answer = {"status": _reap(request["pids"], float(request["timeout"]), children)}
        elif cmd == "poll":
            exited: dict[str, int] = {}
            for pid in request["pids"]:
                if pid in children:
                    done, status = os.waitpid(pid, os.WNOHANG)
                    if done:
                        children.discard(pid)
                        exited[str(pid)] = _code(status)
            answer = {"status": exited}
        else:
            answer = {"error": f"unknown command {cmd!r}"}
        print(json.dumps(answer), flush=True)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


if __name__ == "__main__":
    main()

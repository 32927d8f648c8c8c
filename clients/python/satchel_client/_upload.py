"""`assets.upload`: announce, send the bytes (one PUT, or parts in parallel), complete.

The server decides the shape: the answer to `POST /assets` (an upload intent) carries
either `upload` (one signed PUT) or a multipart descriptor (`upload_id`, `part_size`,
`part_count`). With a `ResumeStore`, every step that is done is written down as it
finishes, so an interrupted upload continues where it stopped: the same asset, and only
the parts not yet sent.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from satchel_client._core import Call, FileSlice, Op, Parallel, Reply, Sleep, Work
from satchel_client._errors import (
    ApiError,
    ConnectionFailed,
    Forbidden,
    NotFound,
    SatchelError,
    UnexpectedResponse,
    UploadUnavailable,
)
from satchel_client._models import Asset, Uploaded

Progress = Callable[[int, int], None]  # (bytes sent, bytes in all)


class ResumeStore(Protocol):
    """Where upload state lives between attempts."""

    def load(self, key: str) -> dict[str, Any] | None: ...
    def save(self, key: str, state: dict[str, Any]) -> None: ...
    def drop(self, key: str) -> None: ...


class FileResumeStore:
    """One JSON file per upload in `directory` (created 0700), written atomically."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str) -> dict[str, Any] | None:
        try:
            state = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def save(self, key: str, state: dict[str, Any]) -> None:
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self._path(key).with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps(state))
            tmp.replace(self._path(key))

    def drop(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def pending(self) -> list[dict[str, Any]]:
        """Every upload that was interrupted and not finished since."""
        found = []
        for path in sorted(self.directory.glob("*.json")):
            state = self.load(path.stem)
            if state is not None:
                found.append(state)
        return found


@dataclass
class UploadOptions:
    filename: str | None = None
    content_type: str | None = None
    tags: list[str] | None = None
    description: str | None = None
    alt_text: str | None = None
    attributes: dict[str, Any] | None = None
    is_public: bool | None = None
    folder: str | None = None  # where it is kept: `/album/sub` (default: the top, `/`)
    is_favorite: bool | None = None
    allow_duplicates: bool | None = None  # keep the name even if the folder has it already
    dedupe: bool = True
    mode: str = "auto"  # auto (the server decides by size) | single | multipart
    checksum: bool = True  # multipart: send the file's SHA-256, the server checks the whole
    part_concurrency: int = 4
    part_retries: int = 4
    extra: dict[str, Any] = field(default_factory=dict)


def resume_key(base_url: str, path: Path, size: int, mtime_ns: int) -> str:
    ident = f"{base_url.rstrip('/')}\n{path.resolve()}\n{size}\n{mtime_ns}"
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


class _Counter:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress
        self.lock = threading.Lock()

    def add(self, n: int) -> None:
        with self.lock:
            self.done += n
            done = self.done
        if self.progress is not None:
            self.progress(done, self.total)


def _descriptor(data: dict[str, Any]) -> dict[str, Any] | None:
    """The multipart descriptor inside an intent's answer, wherever the server put it."""
    for candidate in (data.get("multipart"), data.get("upload"), data):
        if isinstance(candidate, dict) and candidate.get("upload_id"):
            return candidate
    return None


def upload(
    *,
    path: Path,
    base_url: str,
    options: UploadOptions,
    store: ResumeStore | None,
    progress: Progress | None,
) -> Op[Uploaded]:
    stat = path.stat()
    size = stat.st_size
    key = resume_key(base_url, path, size, stat.st_mtime_ns)
    counter = _Counter(size, progress)
    state = store.load(key) if store is not None else None
    if state is not None:
        try:
            return (yield from _resume(path, key, state, store, counter, options))
        except (NotFound, Forbidden) as exc:
            # The upload expired or was cleaned up on the server: start again.
            if store is not None:
                store.drop(key)
            counter.done = 0
            if exc.code not in (
                "upload_not_found",
                "asset_not_found",
                "not_found",
                "signature_expired",
                "signature_invalid",
            ):
                raise
    body: dict[str, Any] = {
        "filename": options.filename or path.name,
        "content_type": options.content_type or mimetypes.guess_type(path.name)[0],
        "size": size,
        "tags": options.tags,
        "description": options.description,
        "alt_text": options.alt_text,
        "attributes": options.attributes,
        "is_public": options.is_public,
        "folder": options.folder,
        "is_favorite": options.is_favorite,
        "allow_duplicates": options.allow_duplicates,
        "dedupe": options.dedupe,
        **options.extra,
    }
    if options.mode in ("single", "multipart"):
        body["multipart"] = options.mode == "multipart"
    reply = yield Call("POST", "/assets", json={k: v for k, v in body.items() if v is not None})
    data = reply.data
    if not isinstance(data, dict):
        raise UnexpectedResponse("The upload intent's answer has no data.", status=reply.status)
    if reply.status == 200 and "upload" not in data and _descriptor(data) is None:
        # An identical asset existed: nothing to send.
        return Uploaded.from_api(
            {"asset": Asset.from_api(data), "deduplicated": True, "mode": "none"}
        )
    multipart = _descriptor(data)
    state = {
        "path": str(path.resolve()),
        "size": size,
        "asset_id": data["id"],
        "filename": data.get("filename"),
        "created_at": datetime.now(UTC).isoformat(),
    }
    if multipart is not None:
        state.update(
            mode="multipart",
            upload_id=multipart["upload_id"],
            part_size=int(multipart["part_size"]),
            part_count=int(multipart.get("part_count") or 0),
            parts={},
        )
    else:
        if options.mode == "multipart":
            raise UploadUnavailable(
                "This server does not offer multipart uploads (it answered a single PUT); "
                "upload without forcing multipart.",
            )
        descriptor = data.get("upload")
        if not isinstance(descriptor, dict) or "url" not in descriptor:
            raise UnexpectedResponse("The upload intent's answer has no upload descriptor.")
        state.update(
            mode="single",
            url=descriptor["url"],
            headers=descriptor.get("headers") or {},
        )
    if store is not None:
        store.save(key, state)
    return (yield from _send(path, key, state, store, counter, options, resumed=False))


def _resume(
    path: Path,
    key: str,
    state: dict[str, Any],
    store: ResumeStore | None,
    counter: _Counter,
    options: UploadOptions,
) -> Op[Uploaded]:
    reply = yield Call("GET", f"/assets/{state['asset_id']}", idempotent=True)
    asset = reply.data or {}
    if asset.get("status") != "uploading":
        # Already completed (the answer to complete was lost): nothing left to do.
        if store is not None:
            store.drop(key)
        return Uploaded.from_api(
            {"asset": Asset.from_api(asset), "resumed": True, "mode": state.get("mode")}
        )
    return (yield from _send(path, key, state, store, counter, options, resumed=True))


def _send(
    path: Path,
    key: str,
    state: dict[str, Any],
    store: ResumeStore | None,
    counter: _Counter,
    options: UploadOptions,
    *,
    resumed: bool,
) -> Op[Uploaded]:
    asset_id = state["asset_id"]
    sent_parts = 0
    if state["mode"] == "single":
        counter.add(0)
        yield Call(
            "PUT",
            state["url"],
            body=FileSlice(path, 0, state["size"]),
            headers=dict(state.get("headers") or {}),
            auth=False,
            idempotent=True,
            on_bytes=counter.add,
        )
        reply = yield Call("POST", f"/assets/{asset_id}/complete")
    else:
        sent_parts = yield from _send_parts(path, key, state, store, counter, options)
        parts = [
            {"part_number": int(n), "etag": etag}
            for n, etag in sorted(state["parts"].items(), key=lambda kv: int(kv[0]))
        ]
        finish: dict[str, Any] = {"upload_id": state["upload_id"], "parts": parts}
        if options.checksum:
            finish["sha256"] = yield Work(lambda: _sha256(path))
        reply = yield Call("POST", f"/assets/{asset_id}/complete", json=finish)
    if store is not None:
        store.drop(key)
    return _finished(reply, state, resumed=resumed, parts_sent=sent_parts)


def _finished(reply: Reply, state: dict[str, Any], *, resumed: bool, parts_sent: int) -> Uploaded:
    meta = reply.meta
    return Uploaded.from_api(
        {
            "asset": Asset.from_api(reply.data) if isinstance(reply.data, dict) else None,
            "job_id": meta.get("job_id"),
            "deduplicated": bool(meta.get("deduplicated")),
            "resumed": resumed,
            "mode": state["mode"],
            "parts_sent": parts_sent,
        }
    )


def _send_parts(
    path: Path,
    key: str,
    state: dict[str, Any],
    store: ResumeStore | None,
    counter: _Counter,
    options: UploadOptions,
) -> Op[int]:
    size, part_size = int(state["size"]), int(state["part_size"])
    count = int(state.get("part_count") or 0) or max(1, -(-size // part_size))
    done: dict[str, str] = state["parts"]
    lock = threading.Lock()
    counter.add(sum(min(part_size, size - (int(n) - 1) * part_size) for n in done))
    todo = [n for n in range(1, count + 1) if str(n) not in done]

    def record(number: int, etag: str) -> None:
        with lock:
            done[str(number)] = etag
            if store is not None:
                store.save(key, state)

    ops = [
        _part(path, state, number, part_size, size, counter, options.part_retries, record)
        for number in todo
    ]
    yield Parallel(ops, options.part_concurrency)
    return len(todo)


def _part(
    path: Path,
    state: dict[str, Any],
    number: int,
    part_size: int,
    size: int,
    counter: _Counter,
    retries: int,
    record: Callable[[int, str], None],
) -> Op[None]:
    """One part: mint a URL and PUT the bytes; on a retryable failure, a fresh URL again."""
    offset = (number - 1) * part_size
    length = min(part_size, size - offset)
    for attempt in range(retries + 1):
        sent = 0

        def on_bytes(n: int) -> None:
            nonlocal sent
            sent += n
            counter.add(n)

        try:
            minted = yield Call(
                "POST",
                f"/assets/{state['asset_id']}/parts",
                json={"upload_id": state["upload_id"], "part_number": number},
                idempotent=True,
            )
            target = minted.data or {}
            put = yield Call(
                str(target.get("method") or "PUT"),
                str(target["url"]),
                body=FileSlice(path, offset, length),
                headers={str(k): str(v) for k, v in (target.get("headers") or {}).items()},
                auth=False,
                on_bytes=on_bytes,
            )
        except (ConnectionFailed, ApiError) as exc:
            counter.add(-sent)
            status = getattr(exc, "status", None)
            fatal = isinstance(exc, ApiError) and status is not None and status < 500
            if (fatal and status not in (403, 408, 429)) or attempt == retries:
                raise
            yield Sleep(min(0.25 * 2**attempt, 5.0))
            continue
        answered = put.data.get("etag") if isinstance(put.data, dict) else None
        etag = str(put.headers.get("etag") or answered or number)
        record(number, etag.strip('"'))
        return None
    raise SatchelError(f"Part {number} could not be sent.", code="part_failed")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def abort(asset_id: str, upload_id: str) -> Op[dict[str, Any]]:
    reply = yield Call(
        "POST", f"/assets/{asset_id}/abort", json={"upload_id": upload_id}, idempotent=True
    )
    return dict(reply.data or {})

"""Receiving request bodies straight into a blob writer, hashing as they arrive.

Nothing is held whole in memory: each megabyte is handed to a worker thread (hashlib
releases the GIL) while the event loop receives the next one, and the count is checked as
bytes arrive so an oversize upload is cut off early.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from satchel.blobs import BlobWriter
from satchel.codes import Code
from satchel.errors import BadRequest, Invalid, TooLarge
from satchel.units import size_text
from satchel.userjson import ascii_int

_FLUSH = 1 << 20
MAX_FORM_FIELD = 1 << 20  # a non-file form field larger than this is refused
# Everything of a form that is held in memory (field values, part headers), all parts
# together, and how many parts that are not files: a chunked body has no length to check.
MAX_FORM_MEMORY = 4 << 20
MAX_FORM_PARTS = 256


def too_large(limit: int) -> TooLarge:
    # Closing the connection stops the client sending the rest; otherwise the server
    # would read and discard it all to keep the connection alive.
    return TooLarge(
        f"The file is larger than the limit of {size_text(limit)}.", headers={"Connection": "close"}
    )


def form_too_large(message: str) -> TooLarge:
    # 413 and a closed connection, as for a file over the limit: a chunked form has no
    # end the server knows of, and answering 422 on a kept-alive connection meant reading
    # (and discarding) whatever the client went on sending.
    return TooLarge(message, code=Code.REQUEST_TOO_LARGE, headers={"Connection": "close"})


def check_declared_length(request: Request, limit: int) -> None:
    """Refuse before reading anything when Content-Length already says it is too big."""
    declared = request.headers.get("content-length")
    if declared is not None and (ascii_int(declared) or limit + 1) > limit:
        raise too_large(limit)


class PipelinedWriter:
    """Feeds a `BlobWriter` from the event loop, one buffer in flight at a time."""

    def __init__(self, writer: BlobWriter, *, limit: int) -> None:
        self.writer = writer
        self.limit = limit
        self.received = 0
        self._buffer = bytearray()
        self._pending: asyncio.Future[None] | None = None

    async def feed(self, data: bytes | memoryview) -> None:
        self.received += len(data)
        if self.received > self.limit:
            raise too_large(self.limit)
        self._buffer += data
        if len(self._buffer) >= _FLUSH:
            await self._flush()

    async def _flush(self) -> None:
        if self._pending is not None:
            await self._pending
            self._pending = None
        if self._buffer:
            chunk, self._buffer = bytes(self._buffer), bytearray()
            loop = asyncio.get_running_loop()
            self._pending = loop.run_in_executor(None, self.writer.write, chunk)

    async def close(self) -> None:
        await self._flush()
        if self._pending is not None:
            await self._pending
            self._pending = None

    async def abort(self) -> None:
        if self._pending is not None:
            with contextlib.suppress(Exception):  # the writer is discarded either way
                await self._pending
        self.writer.abort()


async def _body(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect as exc:
        raise BadRequest("The client went away before the upload finished.") from exc


async def receive_raw(request: Request, writer: BlobWriter, *, limit: int) -> None:
    """A raw body (single PUT) into `writer`."""
    sink = PipelinedWriter(writer, limit=limit)
    try:
        check_declared_length(request, limit)
        async for chunk in _body(request):
            await sink.feed(chunk)
        await sink.close()
    except BaseException:
        await sink.abort()
        raise


async def receive_to_file(request: Request, path: Path, *, limit: int) -> None:
    """A raw body (an archive to import) into a local scratch file, refused past `limit`."""
    check_declared_length(request, limit)
    size = 0
    with open(path, "wb") as fh:  # noqa: ASYNC230 - local scratch, written in chunks
        async for chunk in _body(request):
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            fh.write(chunk)


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    content_type: str | None = None
    has_file: bool = False


class _FormState:
    def __init__(self) -> None:
        self.form = ReceivedForm()
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.headers: dict[str, bytes] = {}
        self.name: str | None = None
        self.is_file = False
        self.value = bytearray()
        self.file_data: list[bytes] = []
        self.file_seen = False
        self.held = 0  # bytes of fields and headers kept, all parts together
        self.parts = 0

    def _hold(self, size: int) -> None:
        self.held += size
        if self.held > MAX_FORM_MEMORY:
            raise form_too_large(
                f"The form's fields and headers pass {size_text(MAX_FORM_MEMORY)}."
            )

    def on_part_begin(self) -> None:
        self.headers, self.value, self.is_file, self.name = {}, bytearray(), False, None

    def _field_done(self) -> str:
        self.parts += 1
        if self.parts > MAX_FORM_PARTS:
            raise form_too_large(
                f"A form may have at most {MAX_FORM_PARTS} fields besides its files."
            )
        return self.value.decode("utf-8", "replace")

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._hold(end - start)
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._hold(end - start)
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_field.decode("latin-1").lower()] = bytes(self.header_value)
        self.header_field, self.header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self.headers.get("content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise BadRequest("A multipart part lacks `Content-Disposition: form-data; name=…`.")
        self.name = options[b"name"].decode("utf-8", "replace")
        if self.name == "file":
            if self.file_seen:
                raise BadRequest("Send one `file` part per upload.")
            self.file_seen = self.is_file = True
            self.form.has_file = True
            raw_name = options.get(b"filename")
            self.form.filename = raw_name.decode("utf-8", "replace") if raw_name else None
            ctype = self.headers.get("content-type")
            self.form.content_type = ctype.decode("latin-1") if ctype else None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file:
            self.file_data.append(data[start:end])
        else:
            self._hold(end - start)
            self.value += data[start:end]
            if len(self.value) > MAX_FORM_FIELD:
                raise form_too_large(
                    f"The form field {self.name!r} is larger than {size_text(MAX_FORM_FIELD)}."
                )

    def on_part_end(self) -> None:
        if not self.is_file and self.name is not None:
            self.form.fields[self.name] = self._field_done()


async def receive_form(request: Request, writer: BlobWriter, *, limit: int) -> ReceivedForm:
    """A multipart form: the `file` part streams into `writer`, other fields are kept."""
    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    state = _FormState()
    parser = MultipartParser(
        boundary or b"-",
        {
            "on_part_begin": state.on_part_begin,
            "on_part_data": state.on_part_data,
            "on_part_end": state.on_part_end,
            "on_header_field": state.on_header_field,
            "on_header_value": state.on_header_value,
            "on_header_end": state.on_header_end,
            "on_headers_finished": state.on_headers_finished,
        },
    )
    sink = PipelinedWriter(writer, limit=limit)
    try:
        if not boundary:
            raise BadRequest("The multipart body has no boundary.")
        # Form overhead (boundaries, small fields) on top of the file itself.
        check_declared_length(request, limit + (4 << 20))
        async for chunk in _body(request):
            try:
                parser.write(chunk)
            except ValueError as exc:  # python-multipart's parse errors
                raise BadRequest(f"The multipart body is malformed: {exc}") from exc
            for piece in state.file_data:
                await sink.feed(piece)
            state.file_data.clear()
        parser.finalize()
        await sink.close()
    except BaseException:
        await sink.abort()
        raise
    return state.form


@dataclass
class ReceivedFile:
    field: str  # the form field it came in (`file`, `files`, `watermark`, …)
    filename: str
    content_type: str | None
    path: Path


@dataclass
class ReceivedFiles:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)


class _FilesState(_FormState):
    """Like `_FormState`, but every file part (any field name) goes to its own file."""

    def __init__(self, folder: Path, *, max_files: int) -> None:
        super().__init__()
        self.folder = folder
        self.max_files = max_files
        self.received = ReceivedFiles()
        self.current: ReceivedFile | None = None
        self.handle: BinaryIO | None = None

    def on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self.headers.get("content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise BadRequest("A multipart part lacks `Content-Disposition: form-data; name=…`.")
        self.name = options[b"name"].decode("utf-8", "replace")
        self.is_file = b"filename" in options
        if self.is_file:
            if len(self.received.files) >= self.max_files:
                raise Invalid(
                    f"At most {self.max_files} files may be sent at once.",
                    code=Code.TOOL_TOO_MANY_INPUTS,
                )
            index = len(self.received.files)
            raw = options[b"filename"].decode("utf-8", "replace") or f"file-{index + 1}"
            ctype = self.headers.get("content-type")
            path = self.folder / f"{index:04d}"
            self.current = ReceivedFile(
                self.name, raw, ctype.decode("latin-1") if ctype else None, path
            )
            self.received.files.append(self.current)
            self.handle = path.open("wb")

    def on_part_end(self) -> None:
        if self.is_file:
            if self.handle is not None:
                self.flush()
                self.handle.close()
                self.handle = None
        elif self.name is not None:
            self.received.fields[self.name] = self._field_done()

    def flush(self) -> None:
        if self.handle is not None and self.file_data:
            self.handle.writelines(self.file_data)
        self.file_data.clear()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


async def receive_files(
    request: Request, folder: Path, *, limit: int, max_files: int
) -> ReceivedFiles:
    """A multipart form whose file parts (any number, any field) are written to `folder`.

    The total size is checked as bytes arrive; file writes go to a worker thread a
    megabyte at a time, so the event loop keeps receiving.
    """
    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadRequest("The multipart body has no boundary.")
    check_declared_length(request, limit + (4 << 20))
    state = _FilesState(folder, max_files=max_files)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": state.on_part_begin,
            "on_part_data": state.on_part_data,
            "on_part_end": state.on_part_end,
            "on_header_field": state.on_header_field,
            "on_header_value": state.on_header_value,
            "on_header_end": state.on_header_end,
            "on_headers_finished": state.on_headers_finished,
        },
    )
    loop = asyncio.get_running_loop()
    received = 0
    try:
        async for chunk in _body(request):
            received += len(chunk)
            if received > limit + (4 << 20):
                raise too_large(limit)
            try:
                parser.write(chunk)
            except ValueError as exc:
                raise BadRequest(f"The multipart body is malformed: {exc}") from exc
            if sum(len(d) for d in state.file_data) >= _FLUSH:
                await loop.run_in_executor(None, state.flush)
        parser.finalize()
        state.flush()
    finally:
        state.close()
    return state.received

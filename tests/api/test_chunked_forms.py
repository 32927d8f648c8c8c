"""Forms sent chunked (no Content-Length for the server to check first) are counted as
they arrive (issue 14 #8): too many fields or too many bytes of fields are refused with
413 `request_too_large` on uploads and tool runs alike, and the connection is closed so
the rest of the body is not read; a chunked upload within the limits is stored byte for
byte. A JSON route sent no Content-Type answers with the error envelope, not a 500."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pyvips

from tests.cli.test_serve import Server, start
from tests.conftest import ADMIN_KEY, make_png

BOUNDARY = "satchel-chunked-test-boundary"
MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
PIECE = 64 << 10  # what each chunk of the body carries
FIELD_BYTES = (1 << 20) - 64  # just under the 1 MiB one field may hold
ROUTES = ["/api/v1/tools/image/resize", "/api/v1/assets"]
ENDLESS_MIB = 128  # what "a body that never ends" sends after the answer, at most
# Each shape passes one limit: 300 fields (256 at most), 6 fields of ~1 MiB (4 MiB of
# fields at most), one field of 2 MiB (1 MiB a field at most).
SHAPES = {
    "300-fields": (300, 1),
    "6-fields-of-1-MiB": (6, FIELD_BYTES),
    "one-2-MiB-field": (1, 2 << 20),
}


def _part(name: str, value: bytes, *, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"\r\nContent-Type: application/octet-stream'
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"


def form(fields: dict[str, bytes], *, file: tuple[str, bytes]) -> bytes:
    """A multipart body: the fields, then the file, then the closing boundary."""
    parts = [_part(k, v) for k, v in fields.items()]
    parts.append(_part("file", file[1], filename=file[0]))
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def hostile_form(shape: str) -> bytes:
    count, size = SHAPES[shape]
    fields = {f"f{i}": b"x" * size for i in range(count)}
    return form(fields, file=("p.png", make_png(8, 8, seed=41)))


async def chunked(body: bytes) -> AsyncIterator[bytes]:
    """The body in pieces from a generator: httpx sends it chunked, with no length."""
    for at in range(0, len(body), PIECE):
        yield body[at : at + PIECE]


async def post_chunked(client: httpx.AsyncClient, url: str, body: bytes) -> httpx.Response:
    response = await client.post(url, content=chunked(body), headers=MULTIPART)
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    return response


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("shape", SHAPES)
async def test_chunked_forms_are_counted(client: httpx.AsyncClient, route: str, shape: str) -> None:
    response = await post_chunked(client, route, hostile_form(shape))
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "request_too_large" and error["message"]
    assert response.headers["connection"] == "close"  # the rest is not read
    listed = await client.get("/api/v1/assets")  # nothing of it was stored
    assert listed.status_code == 200 and listed.json()["data"] == []


async def test_a_chunked_upload_within_the_limits_is_stored(client: httpx.AsyncClient) -> None:
    data = make_png(300, 200, seed=42) + b"\0" * (3 << 20)  # a few MiB, many chunks
    fields = {"description": b"sent chunked", "tags": b'["chunked"]'}
    response = await post_chunked(client, "/api/v1/assets", form(fields, file=("big.png", data)))
    assert response.status_code == 202, response.text
    asset = response.json()["data"]
    assert asset["size"] == len(data) and asset["sha256"] == hashlib.sha256(data).hexdigest()
    assert asset["filename"] == "big.png" and asset["description"] == "sent chunked"
    assert asset["tags"] == ["chunked"]
    content = await client.get(f"/api/v1/assets/{asset['id']}/content")
    assert content.status_code == 200 and content.content == data


async def test_a_chunked_tool_run_within_the_limits_runs(client: httpx.AsyncClient) -> None:
    body = form({"settings": b'{"width": 30}'}, file=("p.png", make_png(60, 40, seed=43)))
    response = await post_chunked(client, "/api/v1/tools/image/resize", body)
    assert response.status_code == 200, response.text
    download = await client.get(response.json()["data"]["download_url"])
    assert download.status_code == 200
    made = pyvips.Image.new_from_buffer(download.content, "")
    assert (made.width, made.height) == (30, 20)


@pytest.mark.parametrize(
    ("route", "status", "code", "field"),
    [
        # Uploads take a form or JSON and say so.
        ("/api/v1/assets", 415, "unsupported_media_type", None),
        # Pydantic bodies: FastAPI reads a body without a JSON type as bytes.
        ("/api/v1/spaces", 422, "validation_error", "body"),
        ("/api/v1/pipeline/save", 422, "validation_error", "body"),
        # Tool runs read a body without a type as JSON (documented): `name` is no setting.
        ("/api/v1/tools/image/resize", 422, "validation_error", "settings.name"),
    ],
)
async def test_json_without_a_content_type(
    client: httpx.AsyncClient, route: str, status: int, code: str, field: str | None
) -> None:
    response = await client.post(route, content=b'{"name": "x"}')
    assert "content-type" not in response.request.headers
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert [f["field"] for f in error["fields"]][:1] == ([field] if field else [])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start(tmp_path_factory.mktemp("chunked") / "data", SATCHEL_ADMIN_API_KEY=ADMIN_KEY)
    try:
        yield server
    finally:
        server.stop()


def _complete(answer: bytes) -> bool:
    """Whether `answer` holds a whole response (headers and Content-Length bytes)."""
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    lengths = [h for h in head.lower().split(b"\r\n") if h.startswith(b"content-length:")]
    return bool(lengths) and len(body) >= int(lengths[0].split(b":")[1])


def _refused_then_cut_off(server: Server, path: str, head: bytes) -> tuple[bytes, int]:
    """Send the start of a chunked form, read the answer, then go on sending MiB after
    MiB as a client streaming an endless body would; the answer and how many MiB went
    out before the server hung up."""
    host, port = server.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {ADMIN_KEY}\r\n"
            f"Content-Type: {MULTIPART['content-type']}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )

        def send(piece: bytes) -> None:
            sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")

        for at in range(0, len(head), PIECE):
            send(head[at : at + PIECE])
        answer = b""
        while not _complete(answer):
            got = sock.recv(65536)
            assert got, f"closed before the whole answer: {answer!r}"
            answer += got
        filler = b"y" * (1 << 20)
        for sent in range(ENDLESS_MIB):
            try:
                send(filler)
            except (BrokenPipeError, ConnectionResetError):
                return answer, sent
            except TimeoutError:
                pytest.fail("the server neither read the rest nor closed the connection")
        return answer, ENDLESS_MIB


@pytest.mark.timeout(120)
@pytest.mark.parametrize("route", ROUTES)
def test_a_live_server_closes_a_refused_chunked_form(served: Server, route: str) -> None:
    """Through uvicorn on 127.0.0.1: the body never ends, and the server answers 413 and
    hangs up instead of reading (and discarding) what the client goes on sending."""
    head = hostile_form("300-fields").rsplit(b"--" + BOUNDARY.encode() + b"--", 1)[0]
    answer, sent = _refused_then_cut_off(served, route, head)
    # Cut off after what socket buffers hold (a few MiB), not drained to the end.
    assert sent < ENDLESS_MIB, f"the server read {sent} MiB more after refusing the form"
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"connection: close" in rest.lower()
    assert b'"code":"request_too_large"' in rest
    with httpx.Client(base_url=served.base, timeout=30) as http:
        assert http.get("/api/v1/health").status_code == 200  # and it serves on

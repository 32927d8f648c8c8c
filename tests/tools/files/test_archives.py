"""create-zip and extract-zip: names kept, contents intact, and every hostile archive
(bombs, zip-slip, links, devices) refused with `archive_unsafe`."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from tests.tools.helpers import call_tool, run_tool


def make_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries:
            archive.writestr(name, body)
    return buf.getvalue()


def special(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


async def test_create_then_extract(client: httpx.AsyncClient) -> None:
    files = [("a.txt", "ä".encode()), ("a.txt", b"second"), ("data.csv", b"x\n1\n")]
    data, archive = await run_tool(client, "create-zip", files, section="files")
    assert data["data"]["files"] == ["a.txt", "a-2.txt", "data.csv"]
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert z.read("a.txt") == "ä".encode() and z.read("a-2.txt") == b"second"
    nested = make_zip([("docs/readme.txt", b"hello"), ("inner.zip", archive), ("docs/", b"")])
    data, out = await run_tool(client, "extract-zip", ("n.zip", nested), section="files")
    assert data["data"]["entries"] == [
        {"path": "docs/readme.txt", "name": "readme.txt", "size": 5},
        {"path": "inner.zip", "name": "inner.zip", "size": len(archive)},
    ]
    with zipfile.ZipFile(io.BytesIO(out)) as z:  # the results, zipped by the tool API
        assert z.read("readme.txt") == b"hello" and z.read("inner.zip") == archive
    body = await call_tool(client, "create-zip", ("one.txt", b"x"), section="files", expect=422)
    assert body["error"]["code"] == "tool_input_missing"


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        ([("../evil.txt", b"x")], "outside"),
        ([("/etc/cron.d/evil", b"x")], "outside"),
        ([("ok/../../evil", b"x")], "outside"),
        ([("C:\\windows\\evil.dll", b"x")], "outside"),
        ([(special("link", 0o120777), b"/etc/passwd")], "symbolic link"),
        ([(special("dev", 0o020644), b"")], "device"),
        ([("bomb.bin", bytes(8 * 1024 * 1024))], "ZIP bomb"),
        ([(f"f{i}", b"") for i in range(1001)], "at most 1000"),
    ],
    ids=["dotdot", "absolute", "inner-dotdot", "drive", "symlink", "device", "ratio", "count"],
)
async def test_hostile_archives_are_refused(
    client: httpx.AsyncClient, entries: list[tuple[str | zipfile.ZipInfo, bytes]], words: str
) -> None:
    body = await call_tool(
        client, "extract-zip", ("evil.zip", make_zip(entries)), section="files", expect=422
    )
    assert body["error"]["code"] == "archive_unsafe", body
    assert words in body["error"]["message"]


async def test_sizes_are_counted_while_inflating(client: httpx.AsyncClient) -> None:
    """A header that understates the size does not buy more bytes than the ratio allows."""
    raw = bytearray(make_zip([("big.bin", bytes(4 * 1024 * 1024))]))
    size = (4 * 1024 * 1024).to_bytes(4, "little")
    tiny = (1000).to_bytes(4, "little")
    raw = raw.replace(size, tiny)  # local header and central directory both lie
    body = await call_tool(client, "extract-zip", ("liar.zip", bytes(raw)), section="files",
                           expect=422)  # fmt: skip
    assert body["error"]["code"] in ("archive_unsafe", "tool_input_corrupt"), body
    assert (await client.get("/api/v1/health")).status_code == 200

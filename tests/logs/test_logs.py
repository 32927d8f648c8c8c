"""Logs: JSON lines with the request id (echoed as X-Request-Id and carried into jobs),
and no secret in any line: signatures, keys, passwords, presigned URLs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from satchel.jobs import queue
from satchel.jobs import service as jobs
from satchel.jobs.registry import HANDLERS, JobContext, JobStatus
from satchel.logs.redact import redact
from satchel.logs.setup import JsonFormatter, TextFormatter, dict_config
from satchel.runtime import Runtime
from tests.conftest import ADMIN_KEY, make_png, upload

AWS = (
    "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261203&X-Amz-Signature=4f2c9e0d1b&X-Amz-Expires=300"
)


@pytest.mark.parametrize(
    ("line", "secret", "kept"),
    [
        ("GET /api/v1/assets/ast_1/content?expires=99&sig=Zm9vYmFy 200", "Zm9vYmFy", "expires=99"),
        (f"redirect to {AWS}", "4f2c9e0d1b", "X-Amz-Expires=300"),
        (f"redirect to {AWS}", "AKIAIOSFODNN7EXAMPLE", "X-Amz-Algorithm"),
        ("Authorization: Bearer sat_live-abcdef123456", "abcdef123456", "Authorization"),
        (f"key {ADMIN_KEY} made", ADMIN_KEY[4:], "made"),
        ('{"username": "ann", "password": "hunter2"}', "hunter2", '"username": "ann"'),
        ("login password=hunter2&user=ann", "hunter2", "user=ann"),
        ("secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8IL", "secret"),
        ("sig v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "g0hM9SsE", "sig"),
        ("s3_secret_access_key='wJalrXUtnFEMI/K7MDENG'", "wJalrXUtnFEMI", "s3_"),
    ],
)
def test_secrets_never_reach_a_line(line: str, secret: str, kept: str) -> None:
    cut = redact(line)
    assert secret not in cut and kept in cut and "[redacted]" in cut


def test_plain_lines_are_left_alone() -> None:
    line = "GET /api/v1/assets?limit=50&cursor=ast_01 200 3.1ms"
    assert redact(line) == line


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the JSON handler of `satchel serve` would write, for the `satchel` loggers."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("satchel")
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(old)


def parsed(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


async def test_request_ids_are_echoed_and_logged_without_secrets(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, lines: io.StringIO
) -> None:
    asset = (await upload(client, b"hello logs", filename="a.txt"))["data"]
    minted = await client.get(f"/api/v1/assets/{asset['id']}/url", params={"expires_in": 60})
    url = minted.json()["data"]["url"]
    sig = httpx.URL(url).params["sig"]
    got = await anon.get(url, headers={"X-Request-Id": "trace-42"})
    assert got.status_code == 200 and got.headers["x-request-id"] == "trace-42"
    fresh = await anon.get("/api/v1/health", headers={"X-Request-Id": "bad id\nwith newline"})
    assert fresh.headers["x-request-id"].startswith("req_")
    assert (await client.get("/api/v1/health")).headers["x-request-id"].startswith("req_")

    records = parsed(lines)
    access = [r for r in records if r["logger"] == "satchel.access"]
    mine = next(r for r in access if r.get("request_id") == "trace-42")
    assert mine["status"] == 200 and mine["route"] == "/api/v1/assets/{asset_id}/content"
    assert "sig=[redacted]" in str(mine["message"])
    assert sig not in lines.getvalue() and ADMIN_KEY not in lines.getvalue()


async def test_jobs_carry_the_request_id_into_their_logs(
    client: httpx.AsyncClient, runtime: Runtime, lines: io.StringIO
) -> None:
    files = {"file": ("p.png", make_png(3, 3, seed=77))}
    made = await client.post("/api/v1/assets", files=files, headers={"X-Request-Id": "up-7"})
    assert made.status_code == 202 and made.headers["x-request-id"] == "up-7"
    job = (await client.get(f"/api/v1/jobs/{made.json()['meta']['job_id']}")).json()["data"]
    assert job["request_id"] == "up-7"

    def noisy(ctx: JobContext) -> JobStatus:
        logging.getLogger("satchel.test").info("working with Bearer sat_%s", "x" * 20)
        return JobStatus.COMPLETED

    HANDLERS["test.noisy"] = noisy
    try:
        with runtime.db.write_session() as session:
            row = jobs.create(session, kind="test.noisy", owner_id=None, request_id="req-job")
            session.commit()
        queue.execute(runtime, row.id)
    finally:
        del HANDLERS["test.noisy"]
    (line,) = [r for r in parsed(lines) if r["logger"] == "satchel.test"]
    assert (line["request_id"], line["job_id"]) == ("req-job", row.id)
    assert "x" * 20 not in str(line["message"])


def test_text_on_a_terminal_json_elsewhere() -> None:
    assert dict_config(level="info", log_format="json")["handlers"]["stderr"]["formatter"] == "json"
    assert dict_config(level="info", log_format="text")["handlers"]["stderr"]["formatter"] == "text"
    record = logging.LogRecord("satchel.x", logging.INFO, "", 0, "pw=%s", ("a",), None)
    record.msg = "password=%s"
    assert "[redacted]" in TextFormatter().format(record)


def test_uvicorns_coloured_copy_of_a_message_stays_out_of_json_lines() -> None:
    """uvicorn logs `color_message` (the message with terminal colour codes) beside it."""
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, "", 0, "Started server process [%d]", (42,), None
    )
    record.color_message = "Started server process [\x1b[36m%d\x1b[0m]"
    record.route = "/api/v1/health"  # other extras are kept
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Started server process [42]"
    assert "color_message" not in line and line["route"] == "/api/v1/health"
    assert "\x1b" not in json.dumps(line) and "\\u001b" not in json.dumps(line)

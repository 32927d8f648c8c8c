"""Webhooks end to end: a receiver on 127.0.0.1 gets each event, signed per Standard
Webhooks; failures are retried with back-off, endpoints that keep failing are disabled,
and private targets are refused unless the operator allows them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from satchel.config import Settings
from satchel.runtime import Runtime
from satchel.webhooks import signing
from satchel.webhooks.jobs import backoff
from tests.conftest import make_png, upload
from tests.jobs.helpers import wait_for_asset
from tests.webhooks.receiver import Receiver

BROKEN_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5"'


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"webhooks_allow_private": True, "webhook_retry_seconds": 0.2}
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


async def _endpoint(client: httpx.AsyncClient, url: str, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/webhooks", json={"url": url, **body})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _deliveries(client: httpx.AsyncClient, endpoint_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows


async def _settled(client: httpx.AsyncClient, endpoint_id: str) -> list[dict[str, Any]]:
    """The log once no delivery is waiting or under way (a receiver hears one before the
    worker records its answer)."""
    for _ in range(600):
        rows = await _deliveries(client, endpoint_id)
        if all(d["status"] in ("succeeded", "failed") for d in rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries never settled: {rows}")


def test_signatures_follow_the_standard_webhooks_example() -> None:
    # The test vector of the Standard Webhooks specification's reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    msg_id, stamp = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signing.sign(secret, msg_id=msg_id, timestamp=stamp, body=body) == expected
    headers = signing.headers(secret, msg_id=msg_id, body=body, now=stamp)
    signing.verify(secret, headers=headers, body=body, now=stamp + 10)
    for bad_body, now in ((body + b" ", stamp), (body, stamp + 301)):
        with pytest.raises(signing.SignatureError):
            signing.verify(secret, headers=headers, body=bad_body, now=now)


def test_back_off_spans_about_a_day() -> None:
    waits = [backoff(n, base=10.0) for n in range(1, 8)]
    assert waits[:3] == [10.0, 50.0, 250.0] and max(waits) == 36000.0
    assert 18 * 3600 < sum(waits) < 30 * 3600


async def test_each_event_arrives_signed(
    client: httpx.AsyncClient, workers: Runtime, receiver: Receiver
) -> None:
    endpoint = await _endpoint(client, receiver.url, description="all of it")
    secret = endpoint["secret"]
    assert secret.startswith("whsec_") and endpoint["events"][0] == "asset.created"
    shown = (await client.get(f"/api/v1/webhooks/{endpoint['id']}")).json()["data"]
    assert shown["secret"] is None  # shown once

    good = (await upload(client, make_png(4, 4, seed=3)))["data"]
    assert (await wait_for_asset(client, good["id"]))["status"] == "ready"
    bad = (await upload(client, BROKEN_SVG, filename="cut.svg"))["data"]
    assert (await wait_for_asset(client, bad["id"]))["status"] == "failed"
    space = (await client.post("/api/v1/spaces", json={"name": "Hooks"})).json()["data"]
    published = await client.post(
        f"/api/v1/spaces/{space['id']}/publications", json={"asset_ids": [good["id"]]}
    )
    assert published.status_code in (200, 201), published.text
    assert (await client.delete(f"/api/v1/assets/{bad['id']}")).status_code in (200, 204)
    back = await client.post("/api/v1/trash/restore", json={"ids": [bad["id"]]})
    assert back.status_code == 200, back.text
    gone = await client.delete(f"/api/v1/assets/{bad['id']}", params={"permanent": "true"})
    assert gone.status_code in (200, 204), gone.text

    for name in ("asset.ready", "asset.failed", "space.published", "asset.restored"):
        await asyncio.to_thread(receiver.wait_for, name)
    deleted = await asyncio.to_thread(receiver.wait_for, "asset.deleted", count=2)
    assert [d.event["data"]["permanent"] for d in deleted] == [False, True]
    await asyncio.to_thread(receiver.wait_for, "asset.created", count=2)
    await asyncio.to_thread(receiver.wait_for, "job.completed")
    await asyncio.to_thread(receiver.wait_for, "job.failed")
    for got in receiver.received:
        signing.verify(secret, headers=got.headers, body=got.body)
        assert got.headers["webhook-id"].startswith("msg_")
    assert receiver.events("asset.ready")[0].event["data"]["id"] == good["id"]
    assert receiver.events("asset.failed")[0].event["data"]["failure_code"] == "asset_file_corrupt"
    assert receiver.events("space.published")[0].event["data"]["asset_ids"] == [good["id"]]
    assert receiver.events("job.failed")[0].event["data"]["subject_id"] == bad["id"]
    log = await _settled(client, endpoint["id"])
    assert {d["status"] for d in log} == {"succeeded"} and len(log) == len(receiver.received)
    assert all(d["attempts"] == 1 and d["last_status_code"] == 200 for d in log)


async def test_a_receiver_that_fails_twice_gets_the_third_attempt(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    receiver = Receiver(fail_first=2)
    try:
        endpoint = await _endpoint(client, receiver.url, events=["asset.created"])
        await upload(client, make_png(2, 2, seed=9))
        got = await asyncio.to_thread(receiver.wait_for, "asset.created", count=3)
        assert [r.answered for r in got] == [500, 500, 200]
        assert len({r.headers["webhook-id"] for r in got}) == 1  # one message, three tries
        for r in got:
            signing.verify(endpoint["secret"], headers=r.headers, body=r.body)
        (row,) = await _settled(client, endpoint["id"])
        assert (row["status"], row["attempts"], row["last_status_code"]) == ("succeeded", 3, 200)
        assert row["last_response_ms"] is not None
    finally:
        receiver.close()


async def test_failing_endpoints_are_disabled_and_redelivery_resends(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    workers.settings.webhook_max_attempts = 1
    workers.settings.webhook_disable_after = 2
    receiver = Receiver(fail_first=2)
    try:
        endpoint = await _endpoint(client, receiver.url, events=["asset.created"])
        for seed in (1, 2):
            await upload(client, make_png(2, 2, seed=seed + 20))
        await asyncio.to_thread(receiver.wait_for, "asset.created", count=2)
        for _ in range(600):
            shown = (await client.get(f"/api/v1/webhooks/{endpoint['id']}")).json()["data"]
            if not shown["enabled"]:
                break
            await asyncio.sleep(0.05)
        assert not shown["enabled"] and "2 deliveries in a row" in shown["disabled_reason"]
        log = await _settled(client, endpoint["id"])
        assert [d["status"] for d in log] == ["failed", "failed"]
        assert log[0]["last_error"].startswith("HTTP 500")
        # Disabled: new events are not queued for it.
        await upload(client, make_png(2, 2, seed=30))
        enabled = await client.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"enabled": True})
        assert enabled.json()["data"]["enabled"] is True
        path = f"/api/v1/webhooks/{endpoint['id']}/deliveries/{log[0]['id']}/redeliver"
        assert (await client.post(path)).status_code == 202
        got = await asyncio.to_thread(receiver.wait_for, "asset.created", count=3)
        assert got[2].headers["webhook-id"] == log[0]["id"] and got[2].answered == 200
        assert len(await _deliveries(client, endpoint["id"])) == 2
    finally:
        receiver.close()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:9/hook", "loopback or private"),
        ("http://localhost:9/hook", "loopback or private"),  # a name, resolved first
        ("http://[::1]:9/hook", "loopback or private"),
        ("http://10.1.2.3/hook", "loopback or private"),
        ("http://192.168.0.10/hook", "loopback or private"),
        ("http://169.254.169.254/latest", "link-local"),
        ("ftp://example.com/x", "http:// or https://"),
        ("not a url", "http:// or https://"),
    ],
)
async def test_private_targets_are_refused(
    client: httpx.AsyncClient, runtime: Runtime, url: str, why: str
) -> None:
    runtime.settings.webhooks_allow_private = False
    response = await client.post("/api/v1/webhooks", json={"url": url})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "webhook_target_not_allowed" and why in error["message"]


async def test_a_public_name_that_resolves_to_a_private_address_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check is of the addresses a name resolves to, not of how the URL is spelled."""
    runtime.settings.webhooks_allow_private = False
    real = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    response = await client.post("/api/v1/webhooks", json={"url": "https://hooks.example.com/x"})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "webhook_target_not_allowed"
    assert "hooks.example.com (10.20.30.40)" in error["message"]
    assert (await client.get("/api/v1/webhooks")).json()["data"] == []


async def test_bad_requests_and_access(client: httpx.AsyncClient, client_for: Any) -> None:
    bad = await client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1/", "events": ["x"]})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    missing = await client.get("/api/v1/webhooks/whk_" + "0" * 26)
    assert missing.json()["error"]["code"] == "webhook_not_found"
    async with client_for(["write"], "plain") as plain:
        denied = await plain.post("/api/v1/webhooks", json={"url": "http://127.0.0.1/"})
        assert denied.status_code == 403
    mine = await _endpoint(client, "http://127.0.0.1:9/a", is_global=True)
    assert mine["is_global"] is True
    listed = (await client.get("/api/v1/webhooks")).json()["data"]
    assert [e["id"] for e in listed] == [mine["id"]]
    assert (await client.delete(f"/api/v1/webhooks/{mine['id']}")).status_code == 204

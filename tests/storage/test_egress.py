"""Storage connections cannot make the server knock on inside doors: loopback, private and
metadata addresses are refused before any request (and at every connection a bucket client
opens), the answer is the same whatever listens there, and prefixes stay plain."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from satchel.auth.models import User
from satchel.blobs.s3 import S3Location
from satchel.config import Settings
from satchel.db import utcnow
from satchel.ids import new_id
from satchel.runtime import Runtime
from satchel.storage import egress
from satchel.storage.egress import Egress, EndpointRefused, guarded_client
from satchel.storage.models import StorageConnection


class Listener:
    """A TCP listener on 127.0.0.1 that counts who knocks (and answers 200 to HTTP)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.knocks = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.knocks += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.sock.close()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"storage_private_endpoints": []})  # the default


def body(endpoint: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "inside",
        "provider": "minio",
        "endpoint_url": endpoint,
        "bucket": "anything",
        "access_key_id": "key",
        "secret_access_key": "secret",
        **changes,
    }


INSIDE = [
    "http://127.0.0.1:{port}",
    "http://localhost:{port}",
    "http://[::1]:{port}",
    "http://[::ffff:127.0.0.1]:{port}",
    "http://0.0.0.0:{port}",
    "http://169.254.169.254",
    "http://10.1.2.3:9000",
    "http://192.168.0.1",
    "http://100.64.0.1",
    "http://172.16.0.1",
    # Other spellings of loopback that resolvers accept (decimal, octal, hex, short).
    "http://2130706433:{port}",
    "http://0177.0.0.1:{port}",
    "http://0x7f.0.0.1:{port}",
    "http://127.1:{port}",
    # IPv6 link-local and unique-local, and an IPv4-compatible loopback.
    "http://[fe80::1]",
    "http://[fc00::1]",
    "http://[fd12:3456::1]",
    "http://[::127.0.0.1]:{port}",
]


async def test_inside_addresses_are_refused_before_any_request(
    client_for: Any, listener: Listener
) -> None:
    async with client_for(["admin"], "eve") as eve, client_for(["write"], "walt") as walt:
        answers = set()
        for template in INSIDE:
            endpoint = template.format(port=listener.port)
            for route in ("preview", "list-buckets", "create-bucket", ""):
                path = "/api/v1/storage-connections" + (f"/{route}" if route else "")
                response = await eve.post(path, json=body(endpoint))
                assert response.status_code == 422, (endpoint, route, response.text)
                error = response.json()["error"]
                assert error["code"] == "storage_endpoint_refused"
                answers.add(error["message"].replace(endpoint, ""))
        closed = await eve.post(
            "/api/v1/storage-connections/preview", json=body("http://127.0.0.1:1")
        )
        assert closed.json()["error"]["message"] in answers  # no port scanner
        assert listener.knocks == 0
        # Probing and listing buckets need the `admin` scope, like saving.
        for route in ("preview", "list-buckets"):
            response = await walt.post(
                f"/api/v1/storage-connections/{route}", json=body("https://s3.amazonaws.com")
            )
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "insufficient_scope"


@pytest.mark.parametrize("prefix", ["../other", "a/../../b", "./x", "a?b", "a#b", "%2e%2e/x"])
async def test_prefix_stays_plain(client: httpx.AsyncClient, prefix: str) -> None:
    response = await client.post(
        "/api/v1/storage-connections/preview",
        json=body("https://s3.amazonaws.com", prefix=prefix),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["fields"][0]["field"] == "prefix"


async def test_a_saved_connection_is_checked_again_at_use(
    runtime: Runtime, client: httpx.AsyncClient, listener: Listener
) -> None:
    """A connection saved while the operator allowed its private endpoint (or whose name
    now resolves inward) is refused when used, without a request."""
    conn_id = new_id("stc")
    with runtime.db.write_session() as session:
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
        now = utcnow()
        session.add(
            StorageConnection(
                id=conn_id,
                owner_id=admin_id,
                name="was allowed",
                provider="minio",
                endpoint_url=f"http://127.0.0.1:{listener.port}",
                region=None,
                bucket="anything",
                prefix="",
                access_key_hint="k…y",
                credentials=runtime.blobs.box.seal(
                    {"access_key_id": "key", "secret_access_key": "secret"},
                    bound_to=conn_id,
                ),
                created_at=now,
                updated_at=now,
            )
        )
        session.commit()
    with pytest.raises(EndpointRefused):
        runtime.blobs.store(conn_id)
    patched = await client.patch(
        f"/api/v1/storage-connections/{conn_id}",
        json={"access_key_id": "key2", "secret_access_key": "secret2"},
    )
    assert patched.status_code == 422
    assert patched.json()["error"]["code"] == "storage_endpoint_refused"
    assert listener.knocks == 0


def test_every_connection_is_pinned_to_a_checked_address(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name is public when the client is made, loopback afterwards."""
    answers = iter([("93.184.215.14", 0)])
    real = socket.getaddrinfo

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "bucket.example":
            return real(host, port, *args, **kwargs)
        ip = next(answers, ("127.0.0.1", 0))[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(egress.socket, "getaddrinfo", rebinding)
    where = S3Location(
        bucket="anything",
        endpoint_url=f"http://bucket.example:{listener.port}",
        access_key_id="key",
        secret_access_key="secret",
    )
    s3 = guarded_client(where, Egress(), timeout=5.0, retries=1)
    with pytest.raises(Exception) as failed:
        s3.head_bucket(Bucket="anything")
    assert "loopback" in repr(failed.value) or isinstance(failed.value, EndpointRefused)
    assert listener.knocks == 0
    # Allowed on purpose (an operator's MinIO on loopback): the same client class connects.
    allowed = guarded_client(
        S3Location(
            bucket="anything",
            endpoint_url=f"http://127.0.0.1:{listener.port}",
            access_key_id="key",
            secret_access_key="secret",
        ),
        Egress(("127.0.0.1",)),
        timeout=5.0,
        retries=1,
    )
    allowed.head_bucket(Bucket="anything")
    assert listener.knocks == 1

"""Two API nodes over one PostgreSQL and one SeaweedFS, with nothing else in common (each
its own data folder): a tus upload started on one continues on the other, one PATCH at a
time across both, and ends as one asset either node serves."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from satchel.api.app import create_app
from satchel.runtime import Runtime, start
from satchel.uploads import service
from tests.conftest import ADMIN_KEY, CLUSTER_SECRET, drop_pg_database, pg_database, s3_settings
from tests.uploads.conftest import pattern
from tests.uploads.test_tus import create, patch

BUCKET = "satchel-nodes"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def s3(s3_server: Any) -> Any:
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name=s3_server.region,
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def nodes(
    tmp_path: Path, s3_server: Any, s3: Any, pg_server: str, pg_template: str
) -> Iterator[list[Runtime]]:
    name = f"t_{secrets.token_hex(6)}"
    url = pg_database(pg_server, name, template=pg_template)
    shared = s3_settings(
        tmp_path / "a", s3_server, bucket=BUCKET, database_url=url, secret_key=CLUSTER_SECRET
    )
    runtimes = [
        start(shared.model_copy(update={"data_dir": tmp_path / f"node{i}" / "data"}))
        for i in range(2)
    ]
    yield runtimes
    for rt in runtimes:
        rt.close()
    drop_pg_database(pg_server, name)


@pytest.fixture
async def clients(nodes: list[Runtime]) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with contextlib.AsyncExitStack() as stack:
        made = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=create_app(rt.settings, rt)),
                    base_url="http://testserver",
                    headers=AUTH,
                )
            )
            for rt in nodes
        ]
        yield made


def segments(s3: Any, runtime: Runtime, upload_id: str) -> list[str]:
    prefix = runtime.settings.blobs_url.split("/", 3)[3]  # type: ignore[union-attr]
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/tus/{upload_id}/")
    return [item["Key"] for item in listed.get("Contents", [])]


async def test_a_tus_upload_continues_on_another_node(
    nodes: list[Runtime], clients: list[httpx.AsyncClient], s3: Any
) -> None:
    a, b = clients
    data = pattern(700_000, seed=3)
    url = await create(a, len(data), filename="across.txt")
    upload_id = url.rsplit("/", 1)[-1]
    assert (await patch(a, url, 0, data[:100_000])).status_code == 204

    # A PATCH that node A is running holds the upload's lease: node B answers 423.
    assert service.claim(nodes[0].db, upload_id=upload_id)
    busy = await patch(b, url, 100_000, data[100_000:200_000])
    assert busy.status_code == 423, busy.text
    assert busy.json()["error"]["code"] == "upload_locked"
    service.release(nodes[0].db, upload_id=upload_id)

    # A PATCH whose checksum fails is staged but not accepted; the retry at the same
    # offset (longer, on the other node) replaces it; a wrong offset is refused.
    wrong = base64.b64encode(hashlib.sha1(b"other").digest()).decode()
    bad = await patch(a, url, 100_000, b"z" * 150_000, **{"Upload-Checksum": f"sha1 {wrong}"})
    assert bad.status_code == 460, bad.text
    assert (await patch(b, url, 100_000, data[100_000:400_000])).status_code == 204
    head = await a.head(url, headers={"Tus-Resumable": "1.0.0"})
    assert head.headers["upload-offset"] == "400000"
    stale = await a.patch(
        url,
        content=b"x",
        headers={
            "Tus-Resumable": "1.0.0",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "100000",
        },
    )
    assert stale.status_code == 409
    assert len(segments(s3, nodes[0], upload_id)) == 2
    for rt in nodes:  # nothing staged on either node's disk
        assert not any((rt.settings.data_dir / "uploads").glob("*/*"))

    done = await patch(a, url, 400_000, data[400_000:])
    assert done.status_code == 204, done.text
    asset_id = done.headers["satchel-asset-id"]
    for client in clients:
        raw = await client.get(f"/api/v1/assets/{asset_id}/raw")
        assert raw.status_code == 200 and raw.content == data
    assert segments(s3, nodes[0], upload_id) == []  # the staging went with the upload


async def test_terminating_on_the_other_node_clears_the_bucket(
    nodes: list[Runtime], clients: list[httpx.AsyncClient], s3: Any
) -> None:
    a, b = clients
    data = pattern(50_000, seed=4)
    url = await create(a, len(data), filename="gone.txt")
    upload_id = url.rsplit("/", 1)[-1]
    assert (await patch(a, url, 0, data[:20_000])).status_code == 204
    assert segments(s3, nodes[0], upload_id)
    gone = await b.delete(url, headers={"Tus-Resumable": "1.0.0"})
    assert gone.status_code == 204
    assert segments(s3, nodes[0], upload_id) == []
    assert (await a.head(url, headers={"Tus-Resumable": "1.0.0"})).status_code == 404

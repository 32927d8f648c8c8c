"""Storage connections against a real S3 server: probes that say what is wrong, saved
connections whose keys never come back, uploads that land in the user's bucket."""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Any

import httpx
import pytest

from satchel.runtime import Runtime
from satchel.storage.models import StorageConnection
from tests.conftest import make_png, upload
from tests.jobs.helpers import wait_for_asset
from tests.storage.conftest import admin_s3, connection_body


def _probes(body: dict[str, Any]) -> dict[str, tuple[bool, str | None]]:
    return {p["name"]: (p["ok"], p["code"]) for p in body["data"]["probes"]}


async def test_preview_reports_each_failing_probe(
    client: httpx.AsyncClient, s3_server: Any, byo_bucket: str
) -> None:
    async def preview(**changes: Any) -> dict[str, Any]:
        response = await client.post(
            "/api/v1/storage-connections/preview",
            json=connection_body(s3_server, byo_bucket, **changes),
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    good = await preview()
    assert good["data"]["ok"] is True
    assert _probes(good) == {n: (True, None) for n in ("head", "list", "put", "delete")}
    assert list(admin_s3(s3_server).list_objects_v2(Bucket=byo_bucket).get("Contents", [])) == []

    bad_key = await preview(access_key_id="not-a-known-key")
    assert bad_key["data"]["ok"] is False
    assert _probes(bad_key)["list"] == (False, "invalid_access_key")
    assert _probes(bad_key)["put"] == (False, "invalid_access_key")
    assert not _probes(bad_key)["head"][0] and not _probes(bad_key)["delete"][0]

    bad_secret = await preview(secret_access_key="wrong-secret-wrong-secret")
    assert _probes(bad_secret)["list"] == (False, "invalid_secret_key")

    missing = await preview(bucket="no-such-bucket-here")
    assert {n: p for n, p in _probes(missing).items()} == {
        n: (False, "bucket_not_found") for n in ("head", "list", "put", "delete")
    }

    read_only = await preview(
        access_key_id=s3_server.readonly_access_key,
        secret_access_key=s3_server.readonly_secret_key,
    )
    assert _probes(read_only) == {
        "head": (True, None),
        "list": (True, None),
        "put": (False, "access_denied"),
        "delete": (False, "access_denied"),
    }
    reasons = {p["name"]: p["reason"] for p in read_only["data"]["probes"]}
    assert "permission" in reasons["put"]


async def test_create_refuses_failing_bucket_and_lists_masked(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, s3_server: Any, byo_bucket: str
) -> None:
    refused = await client.post(
        "/api/v1/storage-connections",
        json=connection_body(
            s3_server,
            byo_bucket,
            access_key_id=s3_server.readonly_access_key,
            secret_access_key=s3_server.readonly_secret_key,
        ),
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "storage_connection_probe_failed"
    assert {f["field"] for f in error["fields"]} == {"probes.put", "probes.delete"}
    assert (await client.get("/api/v1/storage-connections")).json()["data"] == []

    made = await client.post(
        "/api/v1/storage-connections", json=connection_body(s3_server, byo_bucket)
    )
    assert made.status_code == 201, made.text
    conn = made.json()["data"]
    assert conn["id"].startswith("stc_") and conn["bucket"] == byo_bucket
    assert conn["access_key_id"] == "satc…cess" and conn["asset_count"] == 0
    listed = (await client.get("/api/v1/storage-connections")).json()["data"]
    assert [c["id"] for c in listed] == [conn["id"]]
    one = await client.get(f"/api/v1/storage-connections/{conn['id']}")
    assert one.json()["data"] == conn
    renamed = await client.patch(
        f"/api/v1/storage-connections/{conn['id']}", json={"name": "renamed"}
    )
    assert renamed.json()["data"]["name"] == "renamed"
    assert (await anon.get("/api/v1/storage-connections")).status_code == 401


async def test_other_users_connection_is_missing(
    client: httpx.AsyncClient, other: httpx.AsyncClient, s3_server: Any, byo_bucket: str
) -> None:
    conn = (
        await client.post(
            "/api/v1/storage-connections", json=connection_body(s3_server, byo_bucket)
        )
    ).json()["data"]
    theirs = await other.get(f"/api/v1/storage-connections/{conn['id']}")
    assert theirs.status_code == 404
    assert theirs.json()["error"]["code"] == "storage_connection_not_found"
    aimed = await other.post(
        "/api/v1/assets",
        files={"file": ("a.png", make_png(seed=1))},
        data={"storage_connection_id": conn["id"]},
    )
    assert aimed.status_code == 404
    assert aimed.json()["error"]["code"] == "storage_connection_not_found"


@pytest.mark.parametrize("how", ["form", "inline", "put"])
async def test_upload_to_connection_lands_in_that_bucket(
    client: httpx.AsyncClient,
    workers: Runtime,
    s3_server: Any,
    byo_bucket: str,
    how: str,
) -> None:
    runtime = workers
    conn = (
        await client.post(
            "/api/v1/storage-connections", json=connection_body(s3_server, byo_bucket)
        )
    ).json()["data"]
    png = make_png(64, 48, seed=7)
    if how == "form":  # the seed's spelling, after the file part
        asset = (await upload(client, png, filename="x.png", storageProviderProfileId=conn["id"]))[
            "data"
        ]
    elif how == "inline":
        import base64

        response = await client.post(
            "/api/v1/assets",
            json={
                "file_name": "x.png",
                "content_base64": base64.b64encode(png).decode(),
                "storage_connection_id": conn["id"],
            },
        )
        assert response.status_code == 202, response.text
        asset = response.json()["data"]
    else:
        announced = await client.post(
            "/api/v1/assets",
            json={
                "filename": "x.png",
                "content_type": "image/png",
                "size": len(png),
                "storage_connection_id": conn["id"],
            },
        )
        assert announced.status_code == 201, announced.text
        target = announced.json()["data"]["upload"]["url"].removeprefix("http://testserver")
        assert (await client.put(target, content=png)).status_code == 204
        done = await client.post(f"/api/v1/assets/{announced.json()['data']['id']}/complete")
        assert done.status_code == 202, done.text
        asset = done.json()["data"]
    sha = hashlib.sha256(png).hexdigest()
    keys = _keys(s3_server, byo_bucket)
    assert f"satchel/blobs/{sha[:2]}/{sha}" in keys
    assert runtime.blobs.managed.size_of(sha) is None  # not in managed storage
    assert (await wait_for_asset(client, asset["id"]))["status"] == "ready"
    raw = await client.get(f"/api/v1/assets/{asset['id']}/raw")
    assert raw.status_code == 200 and raw.content == png
    thumb = await client.get(f"/api/v1/assets/{asset['id']}/derivatives/thumbnail")
    assert thumb.status_code == 200
    thumb_sha = hashlib.sha256(thumb.content).hexdigest()
    assert f"satchel/blobs/{thumb_sha[:2]}/{thumb_sha}" in _keys(s3_server, byo_bucket)
    usage = (await client.get("/api/v1/usage")).json()["data"]
    assert (usage["byok_assets"], usage["byok_bytes"]) == (1, len(png))
    assert (usage["managed_assets"], usage["managed_bytes"]) == (0, 0)
    stats = (await client.get("/api/v1/assets/usage-stats")).json()["data"]
    assert stats["total_derivatives"] >= 1
    in_use = await client.delete(f"/api/v1/storage-connections/{conn['id']}")
    assert in_use.status_code == 409
    assert in_use.json()["error"]["code"] == "storage_connection_in_use"
    assert (await client.delete(f"/api/v1/assets/{asset['id']}?permanent=true")).status_code == 200
    assert _keys(s3_server, byo_bucket) == set()  # original and derivatives are gone
    gone = await client.delete(f"/api/v1/storage-connections/{conn['id']}")
    assert gone.status_code == 200


async def test_same_bytes_in_managed_and_connection_are_kept_apart(
    client: httpx.AsyncClient, s3_server: Any, byo_bucket: str
) -> None:
    conn = (
        await client.post(
            "/api/v1/storage-connections", json=connection_body(s3_server, byo_bucket)
        )
    ).json()["data"]
    data = os.urandom(3000) + b"\n"
    text = data.hex().encode()
    mine = (await upload(client, text, filename="a.txt"))["data"]
    theirs = (
        await upload(
            client, text, filename="b.txt", dedupe="false", storage_connection_id=conn["id"]
        )
    )["data"]
    sha = hashlib.sha256(text).hexdigest()
    assert f"satchel/blobs/{sha[:2]}/{sha}" in _keys(s3_server, byo_bucket)
    assert (await client.delete(f"/api/v1/assets/{theirs['id']}?permanent=true")).status_code == 200
    assert _keys(s3_server, byo_bucket) == set()  # the bucket's copy goes with its asset
    raw = await client.get(f"/api/v1/assets/{mine['id']}/raw")
    assert raw.status_code == 200 and raw.content == text  # managed keeps its own


async def test_deleting_one_of_two_assets_in_a_bucket_keeps_the_others_bytes(
    client: httpx.AsyncClient, workers: Runtime, s3_server: Any, byo_bucket: str
) -> None:
    """Two assets of one bucket share bytes (an upload with dedupe off): permanently
    deleting one, or reprocessing one, must not remove what the other still points at."""
    conn = (
        await client.post(
            "/api/v1/storage-connections", json=connection_body(s3_server, byo_bucket)
        )
    ).json()["data"]
    png = make_png(64, 48, seed=11)
    first, second = [
        (
            await upload(
                client, png, filename=name, dedupe="false", storage_connection_id=conn["id"]
            )
        )["data"]
        for name in ("a.png", "b.png")
    ]
    for asset in (first, second):
        assert (await wait_for_asset(client, asset["id"]))["status"] == "ready"
    thumb = await client.get(f"/api/v1/assets/{second['id']}/derivatives/thumbnail")
    assert thumb.status_code == 200
    reprocess = await client.post(f"/api/v1/assets/{first['id']}/reprocess")
    assert reprocess.status_code in (200, 202), reprocess.text
    assert (await wait_for_asset(client, first["id"]))["status"] == "ready"
    assert (await client.delete(f"/api/v1/assets/{first['id']}?permanent=true")).status_code == 200
    sha = hashlib.sha256(png).hexdigest()
    assert f"satchel/blobs/{sha[:2]}/{sha}" in _keys(s3_server, byo_bucket)
    raw = await client.get(f"/api/v1/assets/{second['id']}/raw")
    assert raw.status_code == 200 and raw.content == png
    again = await client.get(f"/api/v1/assets/{second['id']}/derivatives/thumbnail")
    assert again.status_code == 200 and again.content == thumb.content
    assert (await client.delete(f"/api/v1/assets/{second['id']}?permanent=true")).status_code == 200
    assert _keys(s3_server, byo_bucket) == set()  # the last one takes the bytes with it


async def test_credentials_never_in_responses_logs_or_rows(
    client: httpx.AsyncClient,
    runtime: Runtime,
    s3_server: Any,
    byo_bucket: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret, key_id = s3_server.secret_key, s3_server.access_key
    texts = []
    body = connection_body(s3_server, byo_bucket)
    for path in ("preview", "list-buckets", ""):
        url = "/api/v1/storage-connections" + (f"/{path}" if path else "")
        texts.append((await client.post(url, json=body)).text)
    conn_id = __import__("json").loads(texts[-1])["data"]["id"]
    texts.append((await client.get("/api/v1/storage-connections")).text)
    texts.append((await client.get(f"/api/v1/storage-connections/{conn_id}")).text)
    bad = connection_body(s3_server, "no-such-bucket-here", secret_access_key=secret + "x")
    texts.append((await client.post("/api/v1/storage-connections", json=bad)).text)
    texts.append(
        (await upload(client, make_png(seed=9), storage_connection_id=conn_id))["data"].__repr__()
    )
    for text in texts:
        assert secret not in text and key_id not in text
    assert byo_bucket in texts[1]  # list-buckets does list it
    for record in caplog.records:
        message = record.getMessage()
        assert secret not in message, record.name
        if record.name.startswith("satchel") or record.levelno >= logging.INFO:
            assert key_id not in message, record.name
    with runtime.db.session() as session:
        row = session.get(StorageConnection, conn_id)
        assert row is not None
        assert secret.encode() not in row.credentials and key_id.encode() not in row.credentials
    # Sealed to its row: a copy on another row does not open.
    from satchel.errors import SatchelError

    with pytest.raises(SatchelError):
        runtime.blobs.box.open(row.credentials, bound_to="stc_" + "0" * 26)


async def test_list_and_create_buckets(client: httpx.AsyncClient, s3_server: Any) -> None:
    creds = {
        "endpoint_url": s3_server.endpoint_url,
        "access_key_id": s3_server.access_key,
        "secret_access_key": s3_server.secret_key,
    }
    name = f"made-{os.urandom(4).hex()}"
    made = await client.post(
        "/api/v1/storage-connections/create-bucket", json={**creds, "bucket": name}
    )
    assert made.status_code == 201, made.text
    again = await client.post(
        "/api/v1/storage-connections/create-bucket", json={**creds, "bucket": name}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "bucket_exists"
    listed = await client.post("/api/v1/storage-connections/list-buckets", json=creds)
    assert name in {b["name"] for b in listed.json()["data"]}
    refused = await client.post(
        "/api/v1/storage-connections/list-buckets", json={**creds, "access_key_id": "nobody"}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["code"] == "invalid_access_key"
    bad_url = await client.post(
        "/api/v1/storage-connections/list-buckets", json={**creds, "endpoint_url": "file:///etc"}
    )
    assert bad_url.status_code == 422


def _keys(server: Any, bucket: str) -> set[str]:
    listing = admin_s3(server).list_objects_v2(Bucket=bucket)
    return {o["Key"] for o in listing.get("Contents", [])}


async def test_connection_changes_are_audited(
    client: httpx.AsyncClient, s3_server: Any, byo_bucket: str
) -> None:
    """Adding, changing and removing where a user's bytes go is in the audit log (who,
    from where, which bucket), never with a secret."""
    body = connection_body(s3_server, byo_bucket)
    conn = (await client.post("/api/v1/storage-connections", json=body)).json()["data"]
    url = f"/api/v1/storage-connections/{conn['id']}"
    assert (await client.patch(url, json={"name": "renamed"})).status_code == 200
    rekey = {"access_key_id": s3_server.access_key, "secret_access_key": s3_server.secret_key}
    assert (await client.patch(url, json=rekey)).status_code == 200
    assert (await client.delete(url)).status_code == 200
    log = (await client.get("/api/v1/audit-log")).json()["data"]
    mine = [e for e in log if e["target_id"] == conn["id"]][::-1]  # oldest first
    assert [e["action"] for e in mine] == [
        "STORAGE_CONNECTION_CREATED",
        "STORAGE_CONNECTION_UPDATED",
        "STORAGE_CONNECTION_UPDATED",
        "STORAGE_CONNECTION_DELETED",
    ]
    assert all(e["target_type"] == "storage_connection" and e["actor_id"] for e in mine)
    assert mine[0]["details"]["bucket"] == byo_bucket
    assert [e["details"]["changes"] for e in mine[1:3]] == [["name"], ["keys"]]
    assert s3_server.secret_key not in str(log) and s3_server.access_key not in str(log)

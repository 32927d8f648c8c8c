"""Buckets on the session's SeaweedFS for storage-connection tests."""

from __future__ import annotations

import secrets
from typing import Any

import boto3
import pytest

from satchel.config import Settings

# The test S3 server listens on loopback, which connections may reach only when allowed.
LOOPBACK_ALLOWED = ["127.0.0.1"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"storage_private_endpoints": LOOPBACK_ALLOWED})


def admin_s3(server: Any) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name=server.region,
    )


@pytest.fixture
def byo_bucket(s3_server: Any) -> str:
    """A fresh, empty bucket (the user's own)."""
    name = f"byo-{secrets.token_hex(6)}"
    admin_s3(s3_server).create_bucket(Bucket=name)
    return name


def connection_body(server: Any, bucket: str, /, **changes: Any) -> dict[str, Any]:
    body = {
        "name": "my bucket",
        "provider": "seaweedfs",
        "endpoint_url": server.endpoint_url,
        "region": server.region,
        "bucket": bucket,
        "prefix": "satchel",
        "access_key_id": server.access_key,
        "secret_access_key": server.secret_key,
    }
    body.update(changes)
    return body

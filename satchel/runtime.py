"""What a running Satchel holds: settings, database, blob store, signer and limits."""

from __future__ import annotations

import importlib
import os
import time
from dataclasses import dataclass, field
from typing import Any

from satchel.auth.service import bootstrap
from satchel.auth.signing import Signer, load_secret
from satchel.blobs import BlobStore, LocalBlobStore
from satchel.config import Settings
from satchel.db import Database
from satchel.jobs.queue import Queue, Workers
from satchel.media import MediaLimits
from satchel.storage.crypto import CredentialBox
from satchel.storage.egress import Egress
from satchel.storage.stores import Stores
from satchel.tools import registry


@dataclass
class Runtime:
    settings: Settings
    db: Database
    blobs: Stores
    signer: Signer
    limits: MediaLimits
    queue: Queue
    started_at: float = field(default_factory=time.time)
    generated_admin_key: str | None = None
    workers: Workers | None = None
    repair_summary: dict[str, Any] | None = None

    def repair(self) -> dict[str, Any]:
        """Startup repair (see satchel.lifecycle.repair); keeps the summary for /status."""
        from satchel.lifecycle.repair import repair

        summary, jobs = repair(
            db=self.db, blobs=self.blobs, tmp_grace_seconds=self.settings.tmp_grace_seconds
        )
        self.queue.enqueue(*jobs)
        self.repair_summary = summary
        return summary

    def start_workers(
        self, count: int | None = None, *, hard_timeout: float | None = None
    ) -> Workers:
        """Run job worker threads in this process (`satchel worker`, and tests)."""
        if self.workers is None:
            count = self.settings.workers if count is None else count
            self.workers = Workers(self, count=count, hard_timeout=hard_timeout)
            self.workers.start()
        return self.workers

    def close(self) -> None:
        if self.workers is not None:
            self.workers.stop()
            self.workers = None
        self.queue.close()
        self.db.dispose()


def managed_store(settings: Settings) -> BlobStore:
    """The data folder, or the bucket `SATCHEL_BLOBS_URL=s3://bucket/prefix` names."""
    if not settings.blobs_url:
        return LocalBlobStore(settings.data_dir, fsync=settings.fsync)
    from satchel.blobs.s3 import S3BlobStore, S3Location, parse_s3_url

    bucket, prefix = parse_s3_url(settings.blobs_url)
    key_id, secret = settings.s3_access_key_id, settings.s3_secret_access_key
    location = S3Location(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=key_id.get_secret_value() if key_id else None,
        secret_access_key=secret.get_secret_value() if secret else None,
    )
    return S3BlobStore(
        location,
        scratch_dir=settings.data_dir / "tmp",
        lock_dir=settings.data_dir / "locks",
        presign=settings.s3_presign_downloads,
    )


def start(settings: Settings) -> Runtime:
    """First start and every start: data folder, migrations, the admin user."""
    settings.check()
    # Only this service's user may read the data folder: the database, blobs, keys.
    os.umask(0o077)
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings.data_dir.chmod(0o700)
    db = Database(settings.resolved_database_url)
    db.migrate()
    admin_key = settings.admin_api_key.get_secret_value() if settings.admin_api_key else None
    with db.session() as session:
        generated = bootstrap(session, admin_key=admin_key)
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    holder: list[Runtime] = []
    previous = tuple(k.get_secret_value() for k in settings.previous_secret_keys)
    sealing = settings.sealing_key.get_secret_value() if settings.sealing_key else None
    box = CredentialBox(
        data_dir=settings.data_dir, secret_key=secret, sealing_key=sealing, previous=previous
    )
    stores = Stores(
        managed_store(settings),
        db=db,
        box=box,
        presign=settings.s3_presign_downloads,
        egress=Egress(tuple(settings.storage_private_endpoints)),
    )
    runtime = Runtime(
        settings=settings,
        db=db,
        blobs=stores,
        signer=Signer(load_secret(settings.data_dir, secret), tuple(k.encode() for k in previous)),
        limits=MediaLimits.from_settings(settings),
        queue=Queue(settings, db, lambda: holder[0]),
        generated_admin_key=generated,
    )
    holder.append(runtime)
    for name in settings.tool_modules:
        registry.add_module(importlib.import_module(name))
    return runtime

"""What a running Satchel holds: settings, database, blob store, signer and limits."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from satchel.auth.service import bootstrap
from satchel.auth.signing import Signer, load_secret
from satchel.blobs import LocalBlobStore
from satchel.config import Settings
from satchel.db import Database
from satchel.jobs.queue import Queue, Workers
from satchel.media import MediaLimits


@dataclass
class Runtime:
    settings: Settings
    db: Database
    blobs: LocalBlobStore
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


def start(settings: Settings) -> Runtime:
    """First start and every start: data folder, migrations, the admin user."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    db.migrate()
    admin_key = settings.admin_api_key.get_secret_value() if settings.admin_api_key else None
    with db.session() as session:
        generated = bootstrap(session, admin_key=admin_key)
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    holder: list[Runtime] = []
    runtime = Runtime(
        settings=settings,
        db=db,
        blobs=LocalBlobStore(settings.data_dir, fsync=settings.fsync),
        signer=Signer(load_secret(settings.data_dir, secret)),
        limits=MediaLimits.from_settings(settings),
        queue=Queue(settings, db, lambda: holder[0]),
        generated_admin_key=generated,
    )
    holder.append(runtime)
    import satchel.processing.jobs  # noqa: F401  (registers the processing job handlers)

    return runtime

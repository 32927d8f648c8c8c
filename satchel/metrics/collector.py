"""Metrics read when `/metrics` is scraped: the job queue, blob totals, deliveries."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from satchel import __version__
from satchel.assets.models import Blob
from satchel.db import utcnow
from satchel.jobs.models import Job, JobState
from satchel.metrics import MULTIPROC_ENV
from satchel.webhooks.models import WebhookDelivery


class RuntimeCollector:
    """Gauges computed from the database and the queue of one runtime."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        runtime = self.runtime
        info = InfoMetricFamily("satchel_build", "The running Satchel.")
        info.add_metric([], {"version": __version__})
        yield info
        yield GaugeMetricFamily(
            "satchel_uptime_seconds",
            "Seconds since this process started.",
            value=time.time() - runtime.started_at,
        )
        queued = GaugeMetricFamily("satchel_jobs_queued", "Jobs waiting, by kind.", labels=["kind"])
        running = GaugeMetricFamily(
            "satchel_jobs_running", "Jobs running, by kind.", labels=["kind"]
        )
        age = GaugeMetricFamily(
            "satchel_jobs_oldest_queued_seconds",
            "Age of the oldest waiting job, by kind.",
            labels=["kind"],
        )
        now = utcnow()
        with runtime.db.session() as session:
            rows = session.execute(
                select(Job.kind, Job.status, func.count(), func.min(Job.created_at))
                .where(Job.status.in_([JobState.QUEUED, JobState.RUNNING]))
                .group_by(Job.kind, Job.status)
            ).all()
            blobs = session.execute(
                select(func.count(), func.coalesce(func.sum(Blob.size), 0))
            ).one()
            deliveries = session.execute(
                select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
            ).all()
        for kind, status, count, oldest in rows:
            if status == JobState.QUEUED:
                queued.add_metric([kind], count)
                if oldest is not None:
                    age.add_metric([kind], max((now - oldest).total_seconds(), 0.0))
            else:
                running.add_metric([kind], count)
        yield from (queued, running, age)
        yield GaugeMetricFamily(
            "satchel_queue_pending",
            "Job ids waiting in the queue itself (huey).",
            value=runtime.queue.pending() if runtime.queue.ping() else float("nan"),
        )
        yield GaugeMetricFamily(
            "satchel_blob_store_objects",
            "Blobs the database knows (managed storage).",
            value=blobs[0],
        )
        yield GaugeMetricFamily("satchel_blob_store_bytes", "Bytes of those blobs.", value=blobs[1])
        by_status = GaugeMetricFamily(
            "satchel_webhook_deliveries", "Webhook deliveries, by status.", labels=["status"]
        )
        for status, count in deliveries:
            by_status.add_metric([status], count)
        yield by_status


class Scrape:
    """What one scrape reports: this process's (or every process's) counters plus the
    runtime's gauges."""

    def __init__(self, runtime: Any) -> None:
        self.parts: list[Any] = [RuntimeCollector(runtime)]
        if os.environ.get(MULTIPROC_ENV):
            shared = CollectorRegistry()
            MultiProcessCollector(shared)  # type: ignore[no-untyped-call]
            self.parts.insert(0, shared)
        else:
            self.parts.insert(0, REGISTRY)

    def collect(self) -> Iterator[Metric]:
        for part in self.parts:
            yield from part.collect()

"""Delivering webhooks from the job workers: due deliveries become `webhooks.deliver` jobs,
each job makes one signed attempt, and a failed attempt is retried later with back-off.

Registered through the `satchel.jobs` entry point, which also hooks the job events
(`job.completed`, `job.failed`) and the dispatcher into the queue.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from satchel.db import utcnow
from satchel.errors import SatchelError
from satchel.jobs import queue
from satchel.jobs import service as jobs
from satchel.jobs.models import Job, JobState
from satchel.jobs.registry import JobContext, JobStatus, job
from satchel.webhooks import events, signing, targets
from satchel.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint

log = logging.getLogger("satchel.webhooks")

KIND = "webhooks.deliver"
MAX_WAIT_SECONDS = 10 * 3600.0
BATCH = 100


def backoff(attempts: int, *, base: float) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: base × 5^(n-1), at most 10 h."""
    return float(min(base * 5 ** max(attempts - 1, 0), MAX_WAIT_SECONDS))


def dispatch_due(runtime: Any) -> None:
    """Turn deliveries whose attempt is due into jobs (run by each worker's ticker)."""
    now = utcnow()
    ids: list[str] = []
    with runtime.db.session() as session:
        due = session.execute(
            select(WebhookDelivery.id, WebhookEndpoint.owner_id, WebhookDelivery.request_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status == DeliveryState.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .limit(BATCH)
        ).all()
    if not due:
        return
    with runtime.db.write_session() as session:
        for delivery_id, owner_id, request_id in due:
            taken = session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.status == DeliveryState.PENDING,
                )
                .values(status=DeliveryState.QUEUED)
            )
            if taken.rowcount:  # another worker may have taken it
                row = jobs.create(
                    session,
                    kind=KIND,
                    owner_id=owner_id,
                    subject_id=delivery_id,
                    request_id=request_id,
                )
                ids.append(row.id)
        session.commit()
    runtime.queue.enqueue(*ids)


def _attempt(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        response = client.post(url, content=body, headers=headers)
    return response.status_code, response.text[:200]


@job(KIND, on_give_up=lambda runtime, subject, why: _give_up(runtime, subject, why))
def deliver(ctx: JobContext) -> JobStatus:
    """One attempt at one delivery; idempotent per attempt (a receiver dedupes by id)."""
    runtime, settings = ctx.runtime, ctx.runtime.settings
    with runtime.db.session() as session:
        row = session.get(WebhookDelivery, ctx.subject_id)
        endpoint = session.get(WebhookEndpoint, row.endpoint_id) if row else None
        if row is None or endpoint is None or row.status != DeliveryState.QUEUED:
            return JobStatus.SKIPPED
        url, payload, enabled = endpoint.url, row.payload, endpoint.enabled
        secret = runtime.blobs.box.open(endpoint.secret, bound_to=endpoint.id)["secret"]
    if not enabled:
        _record(runtime, row.id, code=None, error="the endpoint is disabled", ms=None, final=True)
        return JobStatus.SKIPPED
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = signing.headers(secret, msg_id=row.id, body=body)
    headers["content-type"] = "application/json"
    headers["user-agent"] = "Satchel-Webhooks"
    started = time.monotonic()
    code: int | None = None
    try:
        targets.check(url, allow_private=settings.webhooks_allow_private)
        code, text = _attempt(url, body, headers, settings.webhook_timeout_seconds)
        error = None if 200 <= code < 300 else f"HTTP {code}: {text}".strip()
    except SatchelError as exc:
        error = exc.message
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    ms = int((time.monotonic() - started) * 1000)
    _record(runtime, row.id, code=code, error=error, ms=ms)
    ctx.result = {"delivery_id": row.id, "status_code": code, "response_ms": ms}
    if error:
        ctx.error = error
        return JobStatus.FAILED
    return JobStatus.COMPLETED


def _record(
    runtime: Any,
    delivery_id: str,
    *,
    code: int | None,
    error: str | None,
    ms: int | None,
    final: bool = False,
) -> None:
    settings = runtime.settings
    with runtime.db.write_session() as session:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None:
            return
        endpoint = session.get(WebhookEndpoint, row.endpoint_id)
        now = utcnow()
        row.attempts += 0 if final else 1
        row.last_status_code, row.last_error, row.last_response_ms = code, error, ms
        if error is None:
            row.status, row.finished_at, row.next_attempt_at = DeliveryState.SUCCEEDED, now, None
            if endpoint is not None:
                endpoint.failure_streak = 0
        elif final or row.attempts >= settings.webhook_max_attempts:
            row.status, row.finished_at, row.next_attempt_at = DeliveryState.FAILED, now, None
            if endpoint is not None and not final:
                _count_failure(endpoint, settings.webhook_disable_after)
        else:
            wait = backoff(row.attempts, base=settings.webhook_retry_seconds)
            row.status, row.next_attempt_at = DeliveryState.PENDING, now + timedelta(seconds=wait)
        session.commit()


def _count_failure(endpoint: WebhookEndpoint, limit: int) -> None:
    endpoint.failure_streak += 1
    if endpoint.failure_streak >= limit and endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_reason = (
            f"disabled after {endpoint.failure_streak} deliveries in a row failed every attempt"
        )
        endpoint.updated_at = utcnow()
        log.warning("webhook endpoint %s disabled: %s", endpoint.id, endpoint.disabled_reason)


def _give_up(runtime: Any, delivery_id: str | None, why: str) -> None:
    if delivery_id is not None:
        _record(runtime, delivery_id, code=None, error=why, ms=None)


def job_event(session: Session, row: Job) -> None:
    """`job.completed` / `job.failed` for every job but the deliveries themselves."""
    if row.kind == KIND:
        return
    name = events.JOB_COMPLETED if row.status == JobState.COMPLETED else events.JOB_FAILED
    data = {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "subject_id": row.subject_id,
        "error": row.error,
    }
    events.emit(session, name, owner_id=row.owner_id, data=data)


if job_event not in jobs.FINISHED:
    jobs.FINISHED.append(job_event)
if dispatch_due not in queue.TICKERS:
    queue.TICKERS.append(dispatch_due)

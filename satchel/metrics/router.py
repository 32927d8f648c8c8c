"""`GET /metrics`: the Prometheus text format, for a key with `system:health` or the
bearer token `SATCHEL_METRICS_TOKEN`."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from satchel.api.deps import Access, Credentials, RuntimeDep
from satchel.api.envelope import ERROR_RESPONSES
from satchel.metrics.collector import Scrape

router = APIRouter(tags=["system"])

_SEE_HEALTH = Access("read", "system:health")


@router.get(
    "/metrics",
    summary="Prometheus metrics (a key with system:health, or SATCHEL_METRICS_TOKEN)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, **ERROR_RESPONSES},
)
async def metrics(request: Request, runtime: RuntimeDep, credentials: Credentials) -> Response:
    token = runtime.settings.metrics_token
    sent = credentials.credentials if credentials else ""
    if not (token and hmac.compare_digest(sent, token.get_secret_value())):
        await run_in_threadpool(_SEE_HEALTH, request, runtime, credentials)
    body = await run_in_threadpool(generate_latest, Scrape(runtime))
    return Response(body, media_type=CONTENT_TYPE_LATEST)

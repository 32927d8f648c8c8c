"""The request (and job) a log line belongs to, carried in context variables."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("satchel_request_id", default=None)
JOB_ID: ContextVar[str | None] = ContextVar("satchel_job_id", default=None)

_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_request_id() -> str:
    return "req_" + secrets.token_hex(8)


def accept_request_id(sent: str | None) -> str:
    """The caller's `X-Request-Id` when it is a sane token, else a fresh one."""
    return sent if sent and _SANE.fullmatch(sent) else new_request_id()


def current_request_id() -> str | None:
    return REQUEST_ID.get()

"""Log formats and the logging configuration `satchel serve` and `satchel worker` use."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from satchel.logs.context import JOB_ID, REQUEST_ID
from satchel.logs.redact import redact

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
# uvicorn's copy of the message with terminal colour codes: noise in a JSON line.
_SKIPPED = _STANDARD | {"color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, job_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (request_id := REQUEST_ID.get()) is not None:
            line["request_id"] = request_id
        if (job_id := JOB_ID.get()) is not None:
            line["job_id"] = job_id
        for key, value in record.__dict__.items():
            if key not in _SKIPPED and not key.startswith("_") and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, default=str))


class TextFormatter(logging.Formatter):
    """The usual text line, with the request id when there is one; secrets cut."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = [i for i in (REQUEST_ID.get(), JOB_ID.get()) if i]
        return redact(f"{text} [{' '.join(ids)}]" if ids else text)


def wants_json(log_format: str) -> bool:
    if log_format == "auto":
        return not sys.stderr.isatty()
    return log_format == "json"


def dict_config(*, level: str, log_format: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the process (also given to uvicorn, so its
    workers log the same way and its loggers pass through the same redaction)."""
    formatter = "json" if wants_json(log_format) else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "satchel.logs.setup.JsonFormatter"},
            "text": {"()": "satchel.logs.setup.TextFormatter"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            # uvicorn's own access log repeats ours without the request id: off.
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Each process brings the schema up to date at start; say so only on trouble.
            "alembic": {"level": "WARNING"},
        },
    }


def configure(*, level: str, log_format: str) -> None:
    import logging.config

    logging.config.dictConfig(dict_config(level=level, log_format=log_format))

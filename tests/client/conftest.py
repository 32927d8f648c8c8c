"""SDK tests run against a real server on 127.0.0.1 (see `live.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from satchel_client import Client

from tests.client.live import LiveServer, live

__all__ = ["live"]


@pytest.fixture
def sdk(live: LiveServer) -> Iterator[Client]:
    with Client(live.base, live.key, max_retries=2) as client:
        yield client

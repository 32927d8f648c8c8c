"""CLI tests of the remote commands share the SDK tests' live server (tests/client/live.py)."""

from __future__ import annotations

from tests.client.live import live

__all__ = ["live"]

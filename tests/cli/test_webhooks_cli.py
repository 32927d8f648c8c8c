"""`satchel webhooks ...` against a real server, as a user runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.remote_helpers import Cli
from tests.client.live import LiveServer

PUBLIC = "http://93.184.215.14/hook"  # public; no event is sent in this test


@pytest.fixture
def cli(tmp_path: Path, live: LiveServer) -> Cli:
    c = Cli(home=tmp_path / "config", cwd=tmp_path)
    c.ok("login", "--server", live.base, "--token", live.key)
    return c


def test_webhooks_commands(cli: Cli) -> None:
    printed = cli.ok("webhooks", "create", PUBLIC, "--event", "space.published").splitlines()
    assert printed[-1].startswith("whsec_") and "space.published" in printed[0]
    (hook,) = cli.json("webhooks", "ls")
    assert hook["url"] == PUBLIC and hook["secret"] is None
    assert hook["id"] in cli.ok("webhooks", "ls")
    assert cli.json("webhooks", "deliveries", hook["id"]) == []
    refused = cli.run("webhooks", "create", "http://10.0.0.1/x")
    assert (
        refused.returncode != 0 and "webhook_target_not_allowed" in refused.stdout + refused.stderr
    )
    assert cli.json("webhooks", "rm", hook["id"])["deleted"] is True
    assert cli.json("webhooks", "ls") == []

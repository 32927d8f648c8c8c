"""The SDK's webhooks resource against a real server."""

from __future__ import annotations

import pytest
from satchel_client import Client, Invalid, NotFound, Webhook

PUBLIC = "http://93.184.215.14/hook"  # a public address; nothing is sent (no event happens)


def test_webhooks_through_the_sdk(sdk: Client) -> None:
    made = sdk.webhooks.create(PUBLIC, events=["space.published"], description="ci")
    assert isinstance(made, Webhook) and made.secret and made.secret.startswith("whsec_")
    assert [w.id for w in sdk.webhooks.list()] == [made.id]
    shown = sdk.webhooks.get(made.id)
    assert shown.secret is None and shown.events == ["space.published"]
    changed = sdk.webhooks.update(made.id, events=["asset.ready", "job.failed"], enabled=False)
    assert changed.events == ["asset.ready", "job.failed"] and not changed.enabled
    assert sdk.webhooks.deliveries(made.id) == []
    with pytest.raises(Invalid) as refused:
        sdk.webhooks.create("http://127.0.0.1:1/x")
    assert refused.value.code == "webhook_target_not_allowed"
    sdk.webhooks.delete(made.id)
    with pytest.raises(NotFound):
        sdk.webhooks.get(made.id)

"""`satchel`: local admin commands (serve, worker, migrate, config, user, gc, scrub,
backup, restore) on top of the remote ones from `satchel_client.cli` (login, upload, ls,
get, rm, url, reprocess, spaces, keys, tools, pipeline, usage, webhooks)."""

from __future__ import annotations

from satchel_client.cli.main import app

# Each module registers its commands on `app` when imported.
import satchel.cli.backups
import satchel.cli.local
import satchel.cli.users  # noqa: F401

__all__ = ["app"]

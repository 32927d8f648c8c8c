"""`satchel`: local admin commands (serve, worker, migrate, config, user, gc, scrub,
backup, restore) and remote ones that talk to a server through the SDK (login, upload,
ls, get, rm, url, reprocess, spaces, keys, tools, pipeline, usage, webhooks)."""

from __future__ import annotations

# Each module registers its commands on `app` when imported.
import satchel.cli.assets
import satchel.cli.backups
import satchel.cli.library
import satchel.cli.local
import satchel.cli.sharing
import satchel.cli.tools
import satchel.cli.upload
import satchel.cli.users
import satchel.cli.webhooks  # noqa: F401
from satchel.cli.app import app

__all__ = ["app"]

"""The `satchel` entry point: the server's full command line when the server package is
installed, else the remote commands alone."""

from __future__ import annotations

import importlib.util

# Each module registers its commands on `app` when imported.
import satchel_client.cli.assets
import satchel_client.cli.library
import satchel_client.cli.sharing
import satchel_client.cli.tools
import satchel_client.cli.transfer
import satchel_client.cli.upload
import satchel_client.cli.webhooks  # noqa: F401
from satchel_client.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    if importlib.util.find_spec("satchel") is not None:
        import satchel.cli.main  # noqa: F401  (adds the local admin commands)
    app()

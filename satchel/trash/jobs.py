"""The periodic purge: the worker's sweep deletes for good what outlived the trash."""

from __future__ import annotations

import logging
from typing import Any

from satchel.jobs.queue import RECOVERY
from satchel.trash import service

log = logging.getLogger("satchel.trash")


def purge_expired(runtime: Any) -> None:
    deleted = service.purge(db=runtime.db, blobs=runtime.blobs, days=runtime.settings.trash_days)
    if deleted:
        log.info("purged %d assets from the trash", deleted)


RECOVERY.append(purge_expired)

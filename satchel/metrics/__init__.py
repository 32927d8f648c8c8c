"""Prometheus metrics: what Satchel counts and times, with the official `prometheus-client`.

Under `satchel serve` the API and its worker processes share counts through
prometheus-client's multiprocess mode (`prepare` points it at a folder in the data
folder before anything imports the client); queue depths, blob totals and the like are
read from the database when `/metrics` is scraped (`satchel.metrics.collector`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare(data_dir: Path) -> None:
    """Share metrics between this process and the processes it starts (`satchel serve`);
    call before anything imports prometheus_client. Starts from an empty folder."""
    if os.environ.get(MULTIPROC_ENV):
        return
    folder = data_dir / "run" / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder.resolve())

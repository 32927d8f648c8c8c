"""The API process and a job worker load what they serve, not every engine: each is
started in a fresh interpreter and its `sys.modules` read (issue 16, memory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Media engines and clients the SQLite-backed API process has no use for at rest.
ENGINES = (
    "pyvips",
    "numpy",
    "PIL",
    "av",
    "tesserocr",
    "faster_whisper",
    "ctranslate2",
    "tokenizers",
    "ai_edge_litert",
    "wordllama",
    "pikepdf",
    "pypdfium2",
    "cv2",
    "redis",
    "psycopg",
)

_API = """
import json, sys
from satchel.api.app import create_app
from satchel.config import Settings
from satchel.features.service import list_bundles, missing_defaults
from satchel.runtime import start

settings = Settings()
runtime = start(settings)
runtime.repair()
missing_defaults()
list_bundles()  # what GET /features answers
create_app(settings, runtime)
print(json.dumps(sorted(m for m in sys.modules if "." not in m)))
"""

_WORKER = """
import json, sys, time
from satchel.config import Settings
from satchel.runtime import start

runtime = start(Settings())
runtime.start_workers(1)
time.sleep(0.5)
runtime.close()
print(json.dumps(sorted(m for m in sys.modules if "." not in m)))
"""


def _modules(code: str, data_dir: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATCHEL_")}
    env.update(SATCHEL_DATA_DIR=str(data_dir), SATCHEL_QUEUE_URL="", SATCHEL_DATABASE_URL="")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("code", [_API, _WORKER], ids=["api", "worker"])
def test_no_engine_is_loaded_at_rest(code: str, tmp_path: Path) -> None:
    loaded = _modules(code, tmp_path / "data")
    assert "satchel" in loaded
    assert sorted(loaded & set(ENGINES)) == []


def test_the_worker_does_not_load_the_web_app(tmp_path: Path) -> None:
    loaded = _modules(_WORKER, tmp_path / "data")
    assert {"fastapi", "jinja2"} & loaded == set()


_BOTH = """
import sys
from pathlib import Path
from satchel.jobs import backend

backend.sqlite_huey("a", path=Path(sys.argv[1]))
assert "redis" not in sys.modules
queue = backend.redis_huey("b", url="redis://127.0.0.1:9")  # connects lazily
print(type(queue.storage).__name__, type(queue.storage.conn).__module__)
"""


def test_a_redis_queue_after_a_sqlite_one_in_the_same_process(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _BOTH, str(tmp_path / "q.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["RedisStorage", "redis.client"]

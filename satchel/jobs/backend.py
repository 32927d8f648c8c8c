"""huey's storage, built without the clients it does not use.

`huey.storage` imports the Redis and PostgreSQL clients whenever they are installed (both
are, for scale-out), which costs every process on the embedded SQLite queue ~25 MiB of
memory for nothing (measured: huey alone 46.5 MiB, without those two 14.7 MiB). On SQLite
they are kept out while `huey.storage` is first imported; a Redis queue binds the Redis
client into `huey.storage` if that was loaded without it in this process (tests build
both kinds).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huey.api import Huey

_UNUSED_ON_SQLITE = ("redis", "psycopg")


def sqlite_huey(name: str, *, path: Path) -> Huey:
    if "huey.storage" not in sys.modules:
        kept_out = [m for m in _UNUSED_ON_SQLITE if m not in sys.modules]
        for module in kept_out:
            sys.modules[module] = None  # type: ignore[assignment]  # `import` raises ImportError
        try:
            import huey.storage  # noqa: F401
        finally:
            for module in kept_out:
                if sys.modules.get(module, False) is None:
                    del sys.modules[module]
    from huey import SqliteHuey

    return SqliteHuey(name, filename=str(path), results=False, utc=True)


def redis_huey(name: str, *, url: str) -> Huey:
    from redis import ConnectionPool, Redis
    from redis.exceptions import ConnectionError, TimeoutError

    storage = importlib.import_module("huey.storage")
    if storage.Redis is None:  # first imported in this process for a SQLite queue
        # What its guarded `from redis import ...` would have bound.
        bound: dict[str, type] = {"ConnectionPool": ConnectionPool, "Redis": Redis}
        bound |= {"ConnectionError": ConnectionError, "TimeoutError": TimeoutError}
        for attr, value in bound.items():
            setattr(storage, attr, value)
        storage.RedisStorage.redis_client = Redis
    from huey import RedisHuey

    return RedisHuey(name, url=url, results=False, utc=True)

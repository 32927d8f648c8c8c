"""Fixed one-minute windows counted per key and per client address.

Counters live in this process with the embedded default (one node) and in Redis when
`SATCHEL_REDIS_URL` is set, so every API node counts against the same window. A request
over the limit answers `429 rate_limited` with `Retry-After` (seconds to the window's end).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

from satchel.codes import Code
from satchel.config import Settings
from satchel.errors import SatchelError

WINDOW = 60


class RateLimited(SatchelError):
    status = 429
    code = Code.RATE_LIMITED


class Counter(Protocol):
    def incr(self, name: str, window: int) -> int: ...


class MemoryCounter:
    """Counts in this process; windows before the current one are dropped as it moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window = -1
        self._counts: dict[str, int] = {}

    def incr(self, name: str, window: int) -> int:
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            self._counts[name] = count = self._counts.get(name, 0) + 1
            return count


class RedisCounter:
    """INCR on a key per window that expires with it: every node sees one count."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis: Any = redis.Redis.from_url(url, socket_timeout=2)

    def incr(self, name: str, window: int) -> int:
        key = f"satchel:rl:{window}:{name}"
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW * 2)
        count, _ = pipe.execute()
        return int(count)


class Limiter:
    def __init__(self, settings: Settings) -> None:
        self.per_min = settings.rate_limit_per_min
        self.exempt_admin = settings.rate_limit_exempt_admin
        self.counter: Counter = (
            RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()
        )

    def check(self, *, address: str, key: str | None = None, admin: bool = False) -> None:
        """Count one request from `address` (and `key`); raise `RateLimited` when either
        has used up its minute."""
        if self.per_min <= 0 or (admin and self.exempt_admin):
            return
        now = time.time()
        window = int(now // WINDOW)
        names = [f"ip:{address}"] + ([f"key:{key}"] if key else [])
        for name in names:
            if self.counter.incr(name, window) > self.per_min:
                retry = max(1, int((window + 1) * WINDOW - now) + 1)
                raise RateLimited(
                    f"More than {self.per_min} requests a minute; wait before trying again.",
                    headers={"Retry-After": str(retry)},
                )


# Settings are not hashable: keyed by id, holding the settings so the id is not reused.
_limiters: dict[int, tuple[Settings, Limiter]] = {}
_guard = threading.Lock()


def limiter_for(settings: Settings) -> Limiter:
    """One limiter per settings object (one per running app)."""
    with _guard:
        found = _limiters.get(id(settings))
        if found is None:
            found = _limiters[id(settings)] = (settings, Limiter(settings))
        return found[1]

"""Failed attempts at a secret (a sign-in, a share password), counted per purpose, with
back-off instead of a lockout.

Each failure is a row: purpose, subject (a resolved account or space, else what was typed),
client address, time. Before a secret is checked, the failures of the last window decide a
wait after the latest one; past a free number, each further failure doubles it (30 s,
1 min, 2 min, …):

- the subject from this address: `free` failures, then waits of up to the whole window;
- the subject from anywhere: `free × SHARED_FACTOR`, then waits capped at `SHARED_CAP`, so
  guesses from elsewhere slow the rightful user down but never lock them (or a space's
  visitors) out;
- this address over every subject of the purpose: `free × ADDRESS_FACTOR` (sprays).

A wrong share password never counts toward sign-ins, nor the reverse. A success clears the
subject's failures from that address only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from satchel.auth.models import LoginFailure
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import SatchelError

WINDOW = timedelta(minutes=15)
FIRST_WAIT = 30.0  # seconds
SHARED_FACTOR = 4
SHARED_CAP = timedelta(minutes=1)
ADDRESS_FACTOR = 4
SIGN_IN = "sign-in"
SHARE_UNLOCK = "share-password"


class TooManyAttempts(SatchelError):
    status = 429
    code = Code.TOO_MANY_ATTEMPTS


@dataclass(frozen=True)
class Policy:
    purpose: str
    free: int  # failures of one subject from one address before waits start
    message: str = "Too many failed attempts; wait before trying again."


def _wait(failures: int, free: int, latest: datetime | None, now: datetime, cap: float) -> float:
    if latest is None or failures < free:
        return 0.0
    delay = min(cap, FIRST_WAIT * 2.0 ** min(failures - free, 20))
    return max(0.0, (latest - now).total_seconds() + delay)


def check(session: Session, policy: Policy, *, subject: str, ip: str) -> None:
    """Raise 429 (with Retry-After) while a wait is running for this subject or address."""
    now = utcnow()
    since = now - WINDOW
    recent = (LoginFailure.purpose == policy.purpose, LoginFailure.at > since)
    full = WINDOW.total_seconds()
    counts = (
        (LoginFailure.username == subject, LoginFailure.ip == ip, policy.free, full),
        (LoginFailure.username == subject, None, policy.free * SHARED_FACTOR, None),
        (LoginFailure.ip == ip, None, policy.free * ADDRESS_FACTOR, full),
    )
    wait = 0.0
    for first, second, free, cap in counts:
        where = [*recent, first] if second is None else [*recent, first, second]
        count, latest = session.execute(
            select(func.count(), func.max(LoginFailure.at)).where(*where)
        ).one()
        limit = cap if cap is not None else SHARED_CAP.total_seconds()
        wait = max(wait, _wait(count, free, latest, now, limit))
    if wait > 0:
        raise TooManyAttempts(policy.message, headers={"Retry-After": str(math.ceil(wait))})


def failed(session: Session, policy: Policy, *, subject: str, ip: str) -> None:
    session.add(LoginFailure(purpose=policy.purpose, username=subject[:320], ip=ip, at=utcnow()))


def succeeded(session: Session, policy: Policy, *, subject: str, ip: str) -> None:
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.purpose == policy.purpose,
            LoginFailure.username == subject[:320],
            LoginFailure.ip == ip,
        )
    )

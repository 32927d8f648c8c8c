"""Cluster-wide leases: periodic work (GC, recovery, expiry) runs once per period across
every node and worker process, whichever takes the lease first.

A lease is a row in `leases`. Taking it is one conditional update (or the insert of a row
that was not there), so two processes racing for it cannot both win, on SQLite or on
PostgreSQL; a holder that dies simply lets it expire.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from satchel.db import Database, utcnow
from satchel.jobs.models import Lease


def holder_name() -> str:
    """This process, as a lease holder: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def take(db: Database, *, name: str, seconds: float, holder: str | None = None) -> bool:
    """Take lease `name` for `seconds` if it is free (expired or never taken); True if
    this call took it. Counts the runs, so a test can tell once-per-period from
    once-per-node."""
    holder = holder or holder_name()
    now = utcnow()
    until = now + timedelta(seconds=seconds)
    with db.atomic_session() as session:
        taken = session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.expires_at <= now)
            .values(holder=holder, expires_at=until, runs=Lease.runs + 1, last_run_at=now)
        )
        if taken.rowcount:  # type: ignore[attr-defined]
            session.commit()
            return True
        exists = session.scalar(select(Lease.name).where(Lease.name == name))
        if exists is not None:
            session.rollback()
            return False
        session.add(Lease(name=name, holder=holder, expires_at=until, runs=1, last_run_at=now))
        try:
            session.commit()
        except IntegrityError:  # another process inserted it first: theirs
            session.rollback()
            return False
        return True


def runs(db: Database, *, name: str) -> int:
    """How many times lease `name` has been taken."""
    with db.session() as session:
        return int(session.scalar(select(Lease.runs).where(Lease.name == name)) or 0)

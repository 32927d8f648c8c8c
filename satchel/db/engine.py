"""One engine and session factory per database URL, with SQLite tuned for durability."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker

from satchel.codes import Code
from satchel.errors import Unavailable

MIGRATIONS = Path(__file__).parent / "migrations"
TURN_TIMEOUT = 60.0  # seconds a writer waits for its turn before giving up (503)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN instead of pysqlite's implicit one.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed transaction survives power loss, not only a crash of the process.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get("immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# PostgreSQL: a write session takes this transaction-scoped advisory lock first, so the
# read-then-write transactions written against SQLite's one-writer rule keep their meaning
# across every node; the hot paths (job claims, heartbeats, progress) take row locks
# instead (`atomic_session`, `FOR UPDATE SKIP LOCKED`). Keys are 64-bit; the turn's is fixed.
WRITER_TURN_KEY = 0x5A7C_4E10
_PG_TURN = f"SET LOCAL lock_timeout = '{int(TURN_TIMEOUT * 1000)}ms'; "


def _postgres_begin(conn: Any) -> None:
    if conn.get_execution_options().get("immediate", False):
        conn.exec_driver_sql(f"{_PG_TURN}SELECT pg_advisory_xact_lock({WRITER_TURN_KEY})")


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name (the same on every node)."""
    import hashlib

    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.is_postgres = url.startswith("postgresql")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            kwargs["pool_size"] = 16
            kwargs["max_overflow"] = 32
        elif self.is_postgres:
            kwargs["pool_size"] = 8
            kwargs["max_overflow"] = 24
            kwargs["pool_pre_ping"] = True  # a restarted server must not cost a request
            # JIT compiles a statement whose estimated cost is high: 60 ms spent compiling
            # a list's 1 ms derivatives lookup. Short statements only here: no JIT.
            kwargs["connect_args"] = {"options": "-c jit=off"}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        elif self.is_postgres:
            event.listen(self.engine, "begin", _postgres_begin)
        self._writer_lock = threading.Lock()
        self._lock_fd: int | None = None
        path = url.removeprefix("sqlite:///")
        if self.is_sqlite and path and ":memory:" not in path:
            self._lock_fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.writes = sessionmaker(
            self.engine.execution_options(immediate=True), expire_on_commit=False
        )
        self._try_writes = sessionmaker(
            self.engine.execution_options(immediate=False), expire_on_commit=False
        )
        if self.is_sqlite:
            event.listen(self.sessions, "before_flush", lambda s, *_: self._on_write(s))
            event.listen(self.sessions, "do_orm_execute", self._on_execute)
            event.listen(self.sessions, "after_transaction_end", self._on_transaction_end)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading (and small writes that read nothing first)."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session that takes SQLite's write lock at BEGIN.

        A read-then-write transaction that started as a reader fails at once with
        SQLITE_BUSY_SNAPSHOT when another writer committed in between; taking the lock up
        front makes such transactions wait their turn instead.
        """
        with self._write_turn(), self.writes() as session:
            yield session

    # SQLite has one writer at a time. Every writer waits its turn on a lock: a thread lock
    # in this process and a file lock across the API and worker processes. Waiting writers
    # wake the moment the turn is free; left to SQLite's busy handler they sleep and poll,
    # and a polling writer can starve behind queued ones. Write sessions take the turn at
    # BEGIN; ordinary sessions take it at their first write and give it back when their
    # transaction ends (see `_on_write`).

    def _enter_turn(self) -> None:
        # A plain Lock, not an RLock: FastAPI may end a request's session in another thread
        # than the one that wrote, and a Lock may be released by any thread.
        if not self._writer_lock.acquire(timeout=TURN_TIMEOUT):
            raise Unavailable("The database is busy; try again.", code=Code.DATABASE_BUSY)
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)

    def _exit_turn(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._writer_lock.release()

    @contextmanager
    def atomic_session(self) -> Iterator[Session]:
        """For writes that are one atomic statement or lock their rows themselves: SQLite's
        write turn still (it has one writer), but no cluster-wide turn on PostgreSQL."""
        if self.is_sqlite:
            with self.write_session() as session:
                yield session
            return
        with self.sessions() as session:
            yield session

    @contextmanager
    def named_lock(self, name: str) -> Iterator[None]:
        """A lock on `name` across every process and node, held on its own connection.

        PostgreSQL: a session advisory lock. SQLite: none needed here, since every process
        shares one machine and callers hold their file locks (blobs) already.
        """
        if not self.is_postgres:
            yield
            return
        key = lock_key(name)
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()

    @contextmanager
    def try_write_session(self) -> Iterator[Session | None]:
        """A write session if the write turn is free at once, else None (never waits)."""
        if self.is_postgres:
            with self._try_writes() as session:
                turn = text(f"SELECT pg_try_advisory_xact_lock({WRITER_TURN_KEY})")
                if not session.scalar(turn):
                    session.rollback()
                    yield None
                    return
                yield session
            return
        if not self.is_sqlite:
            with self.writes() as session:
                yield session
            return
        if not self._writer_lock.acquire(blocking=False):
            yield None
            return
        try:
            if self._lock_fd is not None:
                try:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield None
                    return
            try:
                with self.writes() as session:
                    yield session
            finally:
                if self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        finally:
            self._writer_lock.release()

    @contextmanager
    def _write_turn(self) -> Iterator[None]:
        if not self.is_sqlite:
            yield
            return
        self._enter_turn()
        try:
            yield
        finally:
            self._exit_turn()

    def _on_execute(self, state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            self._on_write(state.session)

    def _on_write(self, session: Session) -> None:
        if not session.info.get("write_turn"):
            self._enter_turn()
            session.info["write_turn"] = True

    def _on_transaction_end(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None and session.info.pop("write_turn", False):
            self._exit_turn()

    def migrate(self, target: str = "head") -> None:
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        if not self.is_sqlite:
            cfg.attributes["engine"] = self.engine
            command.upgrade(cfg, target)
            return
        # SQLite alters a table by copying it and dropping the old one; with foreign keys
        # on, that drop would cascade into every referencing row. Turn them off for the
        # migration (only possible outside a transaction) and check them afterwards.
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction: it takes effect
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                conn.commit()
                problems = raw.execute("PRAGMA foreign_key_check").fetchall()
            finally:
                raw.execute("PRAGMA foreign_keys=ON")
        if problems:
            raise RuntimeError(f"migration left broken foreign keys: {problems[:5]}")

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

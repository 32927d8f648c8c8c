"""The metadata database: engine, sessions, base class and migrations."""

from satchel.db.base import Base, utcnow
from satchel.db.engine import Database

__all__ = ["Base", "Database", "utcnow"]

"""Every table's metadata, for migrations and the schema test: each capability's
`models` module is imported here, so nothing else has to import them all."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from sqlalchemy import MetaData

import satchel
from satchel.db.base import Base


def collect() -> MetaData:
    """`Base.metadata` with the tables of every `satchel.<capability>.models`."""
    # By file, not `find_spec`: that imports each package's `__init__` (satchel.web's pulls
    # in FastAPI and Jinja), and a worker migrating at start-up needs none of them.
    for info in pkgutil.iter_modules(satchel.__path__):
        if info.ispkg and (Path(satchel.__path__[0]) / info.name / "models.py").is_file():
            importlib.import_module(f"satchel.{info.name}.models")
    return Base.metadata

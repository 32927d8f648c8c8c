"""Every table's metadata, for migrations and the schema test: each capability's
`models` module is imported here, so nothing else has to import them all."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

from sqlalchemy import MetaData

import satchel
from satchel.db.base import Base


def collect() -> MetaData:
    """`Base.metadata` with the tables of every `satchel.<capability>.models`."""
    for info in pkgutil.iter_modules(satchel.__path__):
        name = f"satchel.{info.name}.models"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return Base.metadata

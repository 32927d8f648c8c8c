"""Imports every capability's models so that metadata (and Alembic) sees all tables."""

from satchel.assets.models import Asset, AssetTag, Blob, Tombstone, Upload
from satchel.auth.models import ApiKey, User
from satchel.db.base import Base

__all__ = ["ApiKey", "Asset", "AssetTag", "Base", "Blob", "Tombstone", "Upload", "User"]

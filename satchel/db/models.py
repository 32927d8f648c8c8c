"""Imports every capability's models so that metadata (and Alembic) sees all tables."""

from satchel.assets.models import Asset, AssetTag, Blob, Tombstone, Upload
from satchel.audit.models import AuditEntry
from satchel.auth.models import ApiKey, LoginFailure, LoginSession, Role, Team, User
from satchel.db.base import Base
from satchel.preferences.models import Preference

__all__ = [
    "ApiKey",
    "Asset",
    "AssetTag",
    "AuditEntry",
    "Base",
    "Blob",
    "LoginFailure",
    "LoginSession",
    "Preference",
    "Role",
    "Team",
    "Tombstone",
    "Upload",
    "User",
]

"""Imports every capability's models so that metadata (and Alembic) sees all tables."""

from satchel.assets.models import Asset, AssetTag, Blob, Derivative, Tombstone
from satchel.audit.models import AuditEntry
from satchel.auth.models import ApiKey, LoginFailure, LoginSession, Role, Team, User
from satchel.db.base import Base
from satchel.jobs.models import Job
from satchel.lifecycle.models import AssetReference
from satchel.pipelines.models import SavedPipeline
from satchel.preferences.models import Preference
from satchel.spaces.models import Publication, Space
from satchel.storage.models import StorageConnection
from satchel.uploads.models import Upload

__all__ = [
    "ApiKey",
    "Asset",
    "AssetReference",
    "AssetTag",
    "AuditEntry",
    "Base",
    "Blob",
    "Derivative",
    "Job",
    "LoginFailure",
    "LoginSession",
    "Preference",
    "Publication",
    "Role",
    "SavedPipeline",
    "Space",
    "StorageConnection",
    "Team",
    "Tombstone",
    "Upload",
    "User",
]

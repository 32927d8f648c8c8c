"""Backups of a running Satchel (database, blobs, optionally its keys) and restores."""

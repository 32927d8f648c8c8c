"""Satchel: a self-hosted service that stores, understands, transforms and shares files."""

__version__ = "0.1.0"

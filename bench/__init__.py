"""Satchel's benchmarks: each one measured against a baseline taken in the same run."""

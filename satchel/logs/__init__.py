"""Logs: JSON lines (or text on a terminal), a request id carried into jobs, no secrets."""

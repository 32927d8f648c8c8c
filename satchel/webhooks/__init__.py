"""Webhooks: endpoints that subscribe to events, signed deliveries, retries and a log."""

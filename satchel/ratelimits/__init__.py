"""Per-key and per-address request limits (the seed's RATE_LIMIT_PER_MIN)."""

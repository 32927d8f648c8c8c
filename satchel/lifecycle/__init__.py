"""Keeping stored bytes honest: references, delete plans, GC, scrub and startup repair."""

"""Renditions: resized or converted images of stored assets, cached as derivatives."""

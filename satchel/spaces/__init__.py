"""Spaces: groups of assets, private, public or password-protected, and their publications."""

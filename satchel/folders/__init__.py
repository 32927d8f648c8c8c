"""Folders: the tree of an owner's folder paths, moving assets and renaming folders."""

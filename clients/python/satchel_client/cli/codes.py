"""The error codes the command line itself gives (the server's arrive as they are)."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    BAD_CHOICE = "bad_choice"
    BAD_PIPELINE = "bad_pipeline"
    BAD_SETTING = "bad_setting"
    CONFIG_UNREADABLE = "config_unreadable"
    FILE_NOT_FOUND = "file_not_found"
    FILE_UNREADABLE = "file_unreadable"
    NOT_SIGNED_IN = "not_signed_in"
    NO_FILES = "no_files"
    OUTPUT_EXISTS = "output_exists"
    SPACE_NOT_FOUND = "space_not_found"

"""Errors of backups and restores; each names the file, table or recording at fault."""

from __future__ import annotations

from hotline.errors import Conflict, HotlineError, InvalidInput

__all__ = ["ArchiveInvalid", "BackupError", "RestoreTargetNotEmpty"]


class BackupError(HotlineError):
    code = "backup.failed"


class ArchiveInvalid(BackupError, InvalidInput):
    """Not a Hotline backup, damaged, or made by a newer Hotline than this one."""

    code = "backup.archive_invalid"


class RestoreTargetNotEmpty(BackupError, Conflict):
    """A restore goes into a fresh database (and recording files that do not clash)."""

    code = "backup.target_not_empty"

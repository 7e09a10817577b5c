"""Backups of the database and the stored files, and restores into a fresh database."""

from hotline.backup.errors import ArchiveInvalid, BackupError, RestoreTargetNotEmpty
from hotline.backup.service import (
    BackupReport,
    Locations,
    RestoreReport,
    backup,
    backup_name,
    prune,
    restore,
    run_backup,
)

__all__ = [
    "ArchiveInvalid",
    "BackupError",
    "BackupReport",
    "Locations",
    "RestoreReport",
    "RestoreTargetNotEmpty",
    "backup",
    "backup_name",
    "prune",
    "restore",
    "run_backup",
]

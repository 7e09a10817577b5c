"""Ticket attachments on local disk under one root (`tickets.attachments_dir`): keys are
relative paths `<tenant>/<ticket>/<attachment id>`, never leaving the root."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import BinaryIO

__all__ = ["FileAttachmentStore"]


class FileAttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"attachment key {key!r} leaves the storage root")
        return path

    def write(self, key: str, data: BinaryIO) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as out:
            shutil.copyfileobj(data, out)

    def open_read(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

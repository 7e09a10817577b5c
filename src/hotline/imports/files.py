"""Uploaded files, kept under the imports directory as `<tenant>/<import>/<name>` until the
import is deleted: a dry run and the commit read the same bytes. (Several nodes need a shared
directory here, as recordings do.)"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from hotline.errors import InvalidInput

__all__ = ["ImportFiles", "StoredFile"]

_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    name: str
    size: int
    sha256: str


class ImportFiles:
    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise InvalidInput("bad file key", details={"field": "file"})
        return path

    def work_dir(self, tenant_id: str, import_id: str) -> Path:
        return self.root / tenant_id / import_id

    def store(self, tenant_id: str, import_id: str, name: str, source: IO[bytes]) -> StoredFile:
        """Copy the upload in, counting and hashing; refuse it past the size limit."""
        safe = _UNSAFE.sub("_", Path(name).name).strip("._") or "upload"
        folder = self.work_dir(tenant_id, import_id)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if old.is_file() and not old.name.startswith("."):
                old.unlink()
        target = folder / safe
        digest = hashlib.sha256()
        size = 0
        with target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    out.close()
                    target.unlink(missing_ok=True)
                    raise InvalidInput(
                        f"the file is larger than {self.max_bytes // (1 << 20)} MB",
                        code="import.file.too_large",
                        details={"field": "file"},
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            target.unlink(missing_ok=True)
            raise InvalidInput(
                "the file is empty", code="import.file.empty", details={"field": "file"}
            )
        key = str(target.relative_to(self.root))
        return StoredFile(key, Path(name).name or safe, size, digest.hexdigest())

    def delete(self, tenant_id: str, import_id: str) -> None:
        shutil.rmtree(self.work_dir(tenant_id, import_id), ignore_errors=True)

"""The backup file: a tar holding `manifest.json`, each table as gzipped JSON lines
(`db/<table>.jsonl.gz`), the recordings as they are stored (`recordings/<key>`, sealed ones
stay sealed), the prompt files (`prompts/…`) and, when asked, the recording keys (`keys/…`).
The manifest lists every member with its SHA-256, so a restore checks the whole file before it
writes anything. ADR 0117."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from hotline.backup.errors import ArchiveInvalid

__all__ = ["FORMAT", "ArchiveReader", "ArchiveWriter", "TableWriter"]

FORMAT = 1


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class TableWriter:
    """Rows of one table as gzipped JSON lines, spooled to a temporary file (tables can be
    larger than memory), then added to the archive."""

    def __init__(self, archive: ArchiveWriter, name: str) -> None:
        self.archive = archive
        self.name = name
        self.rows = 0
        self._spool = tempfile.TemporaryFile(dir=archive.path.parent)  # noqa: SIM115
        self._gzip = gzip.GzipFile(fileobj=self._spool, mode="wb", compresslevel=6, mtime=0)
        self._digest = hashlib.sha256()

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            line = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            self._digest.update(line)
            self._gzip.write(line)
            self.rows += 1

    def close(self) -> None:
        self._gzip.close()
        extra = {"rows": self.rows, "lines_sha256": self._digest.hexdigest()}
        self.archive._add_spooled(f"db/{self.name}.jsonl.gz", self._spool, extra)
        self._spool.close()


class ArchiveWriter:
    """Writes to `<path>.partial` and renames it to `path` only when complete (`finish`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self._tar = tarfile.open(self.partial, "w")  # noqa: SIM115 - closed in finish/abort
        self.members: dict[str, dict[str, Any]] = {}

    def table(self, name: str) -> TableWriter:
        """A writer for one table's rows; `close()` adds it to the archive."""
        return TableWriter(self, name)

    def _add_spooled(self, member: str, spool: IO[bytes], extra: dict[str, Any]) -> None:
        size = spool.seek(0, io.SEEK_END)
        spool.seek(0)
        digest = hashlib.sha256()
        while block := spool.read(1 << 20):
            digest.update(block)
        spool.seek(0)
        info = tarfile.TarInfo(member)
        info.size = size
        info.mtime = int(time.time())
        self._tar.addfile(info, spool)
        self.members[member] = {"size": size, "sha256": digest.hexdigest(), **extra}

    def add_file(self, member: str, source: Path) -> dict[str, Any]:
        """A file as it is on disk (read once for the hash, once into the tar)."""
        digest = _sha256_file(source)
        info = self._tar.gettarinfo(str(source), arcname=member)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        with source.open("rb") as file:
            self._tar.addfile(info, file)
        self.members[member] = {"size": info.size, "sha256": digest}
        return self.members[member]

    def finish(self, manifest: dict[str, Any]) -> Path:
        body = {**manifest, "format": FORMAT, "members": self.members}
        data = json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        info.mtime = int(time.time())
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()
        with self.partial.open("rb+") as file:
            os.fsync(file.fileno())
        self.partial.replace(self.path)
        return self.path

    def abort(self) -> None:
        self._tar.close()
        self.partial.unlink(missing_ok=True)


class ArchiveReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._tar = tarfile.open(path, "r")  # noqa: SIM115 - closed in close()
        except (OSError, tarfile.TarError) as error:
            raise ArchiveInvalid(
                f"{path}: not a Hotline backup ({error})", details={"file": str(path)}
            ) from None
        try:
            self.manifest: dict[str, Any] = self._manifest()
        except BaseException:
            self._tar.close()
            raise
        self.members: dict[str, dict[str, Any]] = self.manifest["members"]

    def _manifest(self) -> dict[str, Any]:
        try:
            raw = self._tar.extractfile("manifest.json")
        except (KeyError, tarfile.TarError):
            raw = None
        if raw is None:
            raise ArchiveInvalid(
                f"{self.path}: not a Hotline backup (no manifest)",
                details={"file": str(self.path)},
            )
        manifest: dict[str, Any] = json.loads(raw.read())
        if manifest.get("format") != FORMAT:
            raise ArchiveInvalid(
                f"{self.path}: backup format {manifest.get('format')!r} is not {FORMAT}; "
                "restore it with the Hotline version that made it",
                details={"file": str(self.path)},
            )
        return manifest

    def open(self, member: str) -> IO[bytes]:
        file = self._tar.extractfile(member)
        if file is None:
            raise ArchiveInvalid(f"{self.path}: {member} is missing", details={"member": member})
        return file

    def verify(self) -> None:
        """Every member is there with the size and SHA-256 the manifest says."""
        for member, expected in self.members.items():
            digest = hashlib.sha256()
            size = 0
            with self.open(member) as file:
                while block := file.read(1 << 20):
                    digest.update(block)
                    size += len(block)
            if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
                raise ArchiveInvalid(
                    f"{self.path}: {member} is damaged (its checksum does not match)",
                    details={"member": member},
                )

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        member = f"db/{table}.jsonl.gz"
        if member not in self.members:
            return
        with self.open(member) as raw, gzip.GzipFile(fileobj=raw) as lines:
            for line in lines:
                yield json.loads(line)

    def files(self, prefix: str) -> list[str]:
        return sorted(m for m in self.members if m.startswith(prefix))

    def close(self) -> None:
        self._tar.close()

"""The clean rows of one run, on local disk, grouped by duplicate keys — so a million rows
dedupe in bounded memory.

A scratch SQLite file (stdlib `sqlite3`, deleted after the run) holds each valid row as JSON
with its group, and each identity key (a phone, an email) with the group that owns it. Rows
that share a key, directly or through a chain (row 1 and row 5 share a phone, row 5 and row 9
an email), are one group; a group is named after its first row, so reading groups in order
follows the file. The problems found while cleaning are kept here too, until the run writes
them to the report.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotline.imports.model import Problem, Record

__all__ = ["Group", "Staging"]

_SCHEMA = """
CREATE TABLE rows (row INTEGER PRIMARY KEY, grp INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX rows_grp ON rows (grp, row);
CREATE TABLE keys (key TEXT PRIMARY KEY, grp INTEGER NOT NULL);
CREATE INDEX keys_grp ON keys (grp);
CREATE TABLE problems (
    seq INTEGER PRIMARY KEY, row INTEGER, col TEXT, value TEXT, code TEXT, params TEXT
);
CREATE TABLE seal (fingerprint TEXT NOT NULL, counts TEXT NOT NULL);
"""
_PARAMS = 500  # bound parameters per IN (...) query


@dataclass(frozen=True, slots=True)
class Group:
    """Rows of the file that are one record: the first row and its duplicates, in file order."""

    rows: tuple[int, ...]
    records: tuple[Record, ...]

    @property
    def first(self) -> int:
        return self.rows[0]


_PRAGMAS = (
    "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
    "PRAGMA cache_size=-16000;"
)


class Staging:
    """`Staging(path)` starts empty; `Staging.reuse(path, fingerprint)` opens the rows a
    finished earlier pass sealed with the same fingerprint (file, options, mapping, fields),
    so a commit after a dry run does not read and clean the file again."""

    def __init__(self, path: Path, *, fresh: bool = True) -> None:
        self.final = path
        # A new pass writes beside the final name and takes it only when sealed: a reader
        # (another node on a shared directory) never opens half a pass.
        self.path = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part") if fresh else path
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            _remove_abandoned(path)
        # One thread at a time uses it (the run's worker thread, then the event loop's).
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.executescript(_PRAGMAS + (_SCHEMA if fresh else ""))
        self.rows = 0
        self.groups = 0
        self.problems = 0
        self.sealed: Mapping[str, int] | None = None

    @classmethod
    def reuse(cls, path: Path, fingerprint: str) -> Staging | None:
        if not path.is_file():
            return None
        try:
            staging = cls(path, fresh=False)
            found = staging._db.execute("SELECT fingerprint, counts FROM seal").fetchone()
        except sqlite3.DatabaseError:
            return None
        if found is None or found[0] != fingerprint:
            staging._db.close()
            return None
        staging.sealed = json.loads(found[1])
        staging.rows = staging.sealed.get("staged", 0)
        staging.groups = staging.sealed.get("groups", 0)
        staging.problems = staging.sealed.get("problems", 0)
        return staging

    def seal(self, fingerprint: str, counts: Mapping[str, int]) -> None:
        """Mark the pass complete (a pass killed half-way is never reused)."""
        data = {**counts, "staged": self.rows, "groups": self.groups}
        self._db.execute("DELETE FROM seal")
        self._db.execute(
            "INSERT INTO seal (fingerprint, counts) VALUES (?, ?)", (fingerprint, json.dumps(data))
        )
        self.sealed = data
        if self.path != self.final:
            os.replace(self.path, self.final)  # the open connection follows the file
            self.path = self.final

    def close(self, *, delete: bool = True) -> None:
        self._db.close()
        if delete:
            self.path.unlink(missing_ok=True)

    # -- writing, one batch of rows at a time -----------------------------------------------

    def _owners(self, keys: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(keys), _PARAMS):
            chunk = keys[start : start + _PARAMS]
            marks = ",".join("?" * len(chunk))
            cursor = self._db.execute(f"SELECT key, grp FROM keys WHERE key IN ({marks})", chunk)
            found.update(cursor.fetchall())
        return found

    def add(self, batch: Sequence[tuple[int, Record, Sequence[str]]]) -> None:
        """Rows (row number, record, identity keys), in file order."""
        if not batch:
            return
        all_keys = list(dict.fromkeys(k for _, _, keys in batch for k in keys))
        owner = self._owners(all_keys)
        parent: dict[int, int] = {}  # a group merged into an earlier one → that one

        def find(group: int) -> int:
            while group in parent:
                group = parent[group]
            return group

        assigned: list[tuple[int, int, str]] = []
        fresh_groups = 0
        for row, record, keys in batch:
            groups = {find(owner[k]) for k in keys if k in owner}
            group = min(groups) if groups else row
            if not groups:
                fresh_groups += 1
            for other in groups - {group}:
                parent[other] = group
            for key in keys:
                owner[key] = group
            assigned.append((row, group, json.dumps(record, ensure_ascii=False)))
        merged = {g: find(g) for g in parent}
        db = self._db
        db.execute("BEGIN")
        for old, new in merged.items():
            db.execute("UPDATE rows SET grp = ? WHERE grp = ?", (new, old))
            db.execute("UPDATE keys SET grp = ? WHERE grp = ?", (new, old))
        db.executemany(
            "INSERT INTO rows (row, grp, data) VALUES (?, ?, ?)",
            [(row, find(group), data) for row, group, data in assigned],
        )
        db.executemany(
            "INSERT OR REPLACE INTO keys (key, grp) VALUES (?, ?)",
            [(key, find(group)) for key, group in owner.items()],
        )
        db.execute("COMMIT")
        self.rows += len(batch)
        self.groups += fresh_groups - len(merged)

    def add_problems(self, problems: Sequence[Problem]) -> None:
        if not problems:
            return
        self._db.executemany(
            "INSERT INTO problems (row, col, value, code, params) VALUES (?, ?, ?, ?, ?)",
            [
                (p.row, p.column, p.value, p.code, json.dumps(dict(p.params), ensure_ascii=False))
                for p in problems
            ],
        )
        self.problems += len(problems)

    # -- reading ----------------------------------------------------------------------------

    def iter_groups(self, batch: int) -> Iterator[list[Group]]:
        """Groups in file order of their first row, `batch` at a time."""
        cursor = self._db.execute("SELECT grp, row, data FROM rows ORDER BY grp, row")
        out: list[Group] = []
        current: int | None = None
        rows: list[int] = []
        records: list[Record] = []
        for group, row, data in cursor:
            if group != current:
                if current is not None:
                    out.append(Group(tuple(rows), tuple(records)))
                    if len(out) >= batch:
                        yield out
                        out = []
                current, rows, records = group, [], []
            rows.append(row)
            records.append(json.loads(data))
        if current is not None:
            out.append(Group(tuple(rows), tuple(records)))
        if out:
            yield out

    def iter_problems(self, batch: int) -> Iterator[list[Problem]]:
        cursor = self._db.execute(
            "SELECT row, col, value, code, params FROM problems ORDER BY row, seq"
        )
        while chunk := cursor.fetchmany(batch):
            yield [
                Problem(row, col, value, code, _params(params))
                for row, col, value, code, params in chunk
            ]


_ABANDONED_S = 3600.0  # a pass still unsealed after this long was stopped by a crash


def _remove_abandoned(path: Path) -> None:
    for part in path.parent.glob(f"{path.name}.*.part"):
        with contextlib.suppress(OSError):
            if time.time() - part.stat().st_mtime > _ABANDONED_S:
                part.unlink()


def _params(text: str) -> Mapping[str, Any]:
    value: dict[str, Any] = json.loads(text) if text else {}
    return value

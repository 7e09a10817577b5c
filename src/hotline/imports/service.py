"""Imports as the API and the CLI handle them: upload a file, see its columns and the suggested
mapping, change how it is read and mapped, read the problem report, keep mappings per tenant.
Runs (dry run, commit) are the runner's (runner.py). Never commits: the edge does."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from hotline.clock import Clock
from hotline.errors import InvalidInput
from hotline.ids import new_id
from hotline.imports.errors import (
    ImportNotFound,
    ImportStateError,
    MappingNotFound,
    UnreadableFile,
)
from hotline.imports.files import ImportFiles
from hotline.imports.headers import Column
from hotline.imports.mapping import check_mapping, saved_form, suggest_mapping, unmapped_columns
from hotline.imports.model import FieldSpec, ImportStatus, OnErrors, Problem, Rule, transition
from hotline.imports.ports import ImportRepository
from hotline.imports.readers import open_table
from hotline.imports.reasons import reason
from hotline.imports.schemas import ImportOptionsIn, MappingIn
from hotline.imports.target import Target, TargetRegistry

__all__ = ["Actor", "ImportService", "describe_file", "problem_view", "problems_csv_header"]

# A file read error the user can fix by choosing another encoding, sheet or header: the
# import is kept with the error shown; other read errors refuse the upload.
_FIXABLE = {"import.file.encoding", "import.file.sheet"}


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: str | None
    username: str


def describe_file(
    path: Path, *, encoding: str | None, sheet: str | None, header_rows: int | None
) -> dict[str, Any]:
    """What a file looks like: format, encoding, sheets, where the header is, its columns and
    the first data rows. Blocking: run it in a thread."""
    table = open_table(path, encoding=encoding, sheet=sheet, header_rows=header_rows)
    try:
        reader = table.reader
        return {
            "format": reader.format,
            "detected_encoding": getattr(reader, "detected_encoding", None),
            "encoding_used": reader.encoding,
            "delimiter": getattr(reader, "delimiter", None),
            "sheets": reader.sheets,
            "sheet_used": reader.sheet,
            "header_row_numbers": list(table.layout.header_rows),
            "columns": [c.describe() for c in table.layout.columns],
            "sample": [{"row": n, "cells": cells} for n, cells in table.sample(5)],
        }
    finally:
        table.close()


def columns_of(row: dict[str, Any]) -> list[Column]:
    out = []
    for c in row.get("columns") or []:
        label = str(c["label"])
        out.append(Column(int(c["index"]), tuple(label.split(" / ")) if label else ()))
    return out


def mapping_of(row: dict[str, Any]) -> dict[int, str]:
    return {int(k): str(v) for k, v in (row.get("mapping") or {}).items()}


def problem_view(
    problem: Problem, language: str, extra: dict[str, tuple[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "code": problem.code,
        "reason": reason(problem.code, problem.params, language, extra),
        "reason_zh": reason(problem.code, problem.params, "zh-CN", extra),
        "reason_en": reason(problem.code, problem.params, "en", extra),
    }


def problems_csv_header(language: str) -> list[str]:
    if language.startswith("zh"):
        return ["行", "列", "值", "原因", "reason", "代码"]
    return ["row", "column", "value", "reason", "原因", "code"]


class ImportService:
    def __init__(
        self,
        repo: ImportRepository,
        *,
        tenant_id: str,
        registry: TargetRegistry,
        build_target: Callable[[str], Awaitable[Target]],
        files: ImportFiles,
        clock: Clock,
        actor: Actor,
    ) -> None:
        self.repo = repo
        self.tenant_id = tenant_id
        self.registry = registry
        self.build_target = build_target
        self.files = files
        self.clock = clock
        self.actor = actor

    # -- reading ---------------------------------------------------------------------------

    async def get(self, import_id: str) -> dict[str, Any]:
        row = await self.repo.get(self.tenant_id, import_id)
        if row is None:
            raise ImportNotFound(f"no import {import_id!r}", details={"id": import_id})
        return row

    async def view(self, import_id: str) -> dict[str, Any]:
        return self.present(await self.get(import_id))

    def present(self, row: dict[str, Any]) -> dict[str, Any]:
        columns = columns_of(row)
        mapping = mapping_of(row)
        return {
            **{k: v for k, v in row.items() if k not in {"file_key", "mapping"}},
            "mapping": {str(k): v for k, v in mapping.items()},
            "unmapped": [c.describe() for c in unmapped_columns(columns, mapping) if c.label],
        }

    async def page(
        self, *, target: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        rows, total = await self.repo.page(
            self.tenant_id, target=target, limit=limit, offset=offset
        )
        return [self.present(r) for r in rows], total

    async def fields(self, target: str) -> Sequence[FieldSpec]:
        return (await self.build_target(target)).fields()

    async def targets(self) -> list[dict[str, Any]]:
        out = []
        for entry in self.registry.describe():
            fields = await self.fields(entry["name"])
            out.append({**entry, "fields": [f.describe() for f in fields]})
        return out

    # -- upload and options ------------------------------------------------------------------

    async def _describe(self, row: dict[str, Any]) -> dict[str, Any]:
        """Read the file's layout again for the row's options; a fixable error is kept on the
        row (the user picks another encoding or sheet), any other refuses the file."""
        path = self.files.path(str(row["file_key"]))
        try:
            info = await asyncio.to_thread(
                describe_file,
                path,
                encoding=row.get("encoding"),
                sheet=row.get("sheet"),
                header_rows=row.get("header_rows"),
            )
        except UnreadableFile as error:
            if error.code not in _FIXABLE:
                raise
            return {
                "columns": [],
                "sample": [],
                "file_error": {"code": error.code, "message": error.message},
            }
        return {**info, "file_error": None}

    async def _suggest(
        self, target: str, columns: Sequence[Column], previous: dict[str, str] | None = None
    ) -> dict[int, str]:
        saved: dict[str, str] = {}
        for mapping in reversed(await self.repo.mappings(self.tenant_id, target)):
            saved.update(mapping["columns"])  # the newest saved mapping wins
        saved.update(previous or {})
        return suggest_mapping(columns, await self.fields(target), saved)

    async def create(self, target: str, file_name: str, source: IO[bytes]) -> dict[str, Any]:
        self.registry.check(target)
        now = self.clock.now()
        import_id = new_id(now)
        stored = await asyncio.to_thread(
            self.files.store, self.tenant_id, import_id, file_name, source
        )
        row: dict[str, Any] = {
            "id": import_id,
            "tenant_id": self.tenant_id,
            "target": target,
            "status": str(ImportStatus.UPLOADED),
            "file_name": stored.name,
            "file_key": stored.key,
            "file_size": stored.size,
            "file_sha256": stored.sha256,
            "encoding": None,
            "sheet": None,
            "header_rows": None,
            "rule": str(Rule.MERGE),
            "on_errors": str(OnErrors.SKIP),
            "created_by": self.actor.username,
            "created_at": now,
            "updated_at": now,
        }
        try:
            info = await self._describe(row)
        except UnreadableFile:
            self.files.delete(self.tenant_id, import_id)
            raise
        row.update(info)
        row["mapping"] = await self._suggest(target, columns_of(row))
        await self.repo.add(row)
        return self.present(await self.get(import_id))

    async def replace_file(
        self, import_id: str, file_name: str, source: IO[bytes]
    ) -> dict[str, Any]:
        """A corrected file for the same import: read again, the mapping kept by header name."""
        row = await self.get(import_id)
        status = transition(ImportStatus(row["status"]), "edit")
        previous = saved_form(columns_of(row), mapping_of(row))
        stored = await asyncio.to_thread(
            self.files.store, self.tenant_id, import_id, file_name, source
        )
        row.update(
            file_name=stored.name,
            file_key=stored.key,
            file_size=stored.size,
            file_sha256=stored.sha256,
        )
        row.update(await self._describe(row))
        row["mapping"] = await self._suggest(row["target"], columns_of(row), previous)
        await self._save(row, status)
        return self.present(await self.get(import_id))

    async def configure(self, import_id: str, body: ImportOptionsIn) -> dict[str, Any]:
        row = await self.get(import_id)
        status = transition(ImportStatus(row["status"]), "edit")
        given = body.model_fields_set
        previous = saved_form(columns_of(row), mapping_of(row))
        reread = False
        for name in ("encoding", "sheet", "header_rows"):
            if name in given and getattr(body, name) != row.get(name):
                row[name] = getattr(body, name)
                reread = True
        if reread:
            row.update(await self._describe(row))
            row["mapping"] = await self._suggest(row["target"], columns_of(row), previous)
        columns = columns_of(row)
        fields = await self.fields(row["target"])
        if body.mapping_name:
            saved = await self.repo.mapping(self.tenant_id, row["target"], body.mapping_name)
            if saved is None:
                raise MappingNotFound(
                    f"no saved mapping {body.mapping_name!r}",
                    details={"field": "mapping_name", "value": body.mapping_name},
                )
            row["mapping"] = suggest_mapping(columns, fields, saved["columns"])
        if body.mapping is not None:
            mapping = {index: field for index, field in body.mapping.items() if field}
            check_mapping(mapping, columns, fields)
            row["mapping"] = mapping
        if body.rule is not None:
            row["rule"] = str(body.rule)
        if body.on_errors is not None:
            row["on_errors"] = str(body.on_errors)
        if body.save_mapping_as:
            await self.save_mapping(
                MappingIn(
                    target=row["target"],
                    name=body.save_mapping_as,
                    columns=saved_form(columns, mapping_of(row)),
                )
            )
        await self._save(row, status)
        return self.present(await self.get(import_id))

    async def _save(self, row: dict[str, Any], status: ImportStatus) -> None:
        keep = {
            "status",
            "file_name",
            "file_key",
            "file_size",
            "file_sha256",
            "encoding",
            "sheet",
            "header_rows",
            "format",
            "detected_encoding",
            "encoding_used",
            "delimiter",
            "sheets",
            "sheet_used",
            "header_row_numbers",
            "columns",
            "sample",
            "file_error",
            "mapping",
            "rule",
            "on_errors",
        }
        values = {k: v for k, v in row.items() if k in keep}
        values.update(
            status=str(status),
            mapping={str(k): v for k, v in mapping_of(row).items()},
            counts=None,
            progress=None,
            error_code=None,
            error_message=None,
            updated_at=self.clock.now(),
        )
        await self.repo.update(self.tenant_id, row["id"], values)
        await self.repo.clear_problems(self.tenant_id, row["id"])
        # A dry run's clean rows no longer match; the fingerprint would refuse them anyway.
        (self.files.work_dir(self.tenant_id, row["id"]) / ".staging.db").unlink(missing_ok=True)

    async def delete(self, import_id: str) -> None:
        row = await self.get(import_id)
        if row["status"] in {ImportStatus.CHECKING, ImportStatus.IMPORTING}:
            raise ImportStateError("import", str(row["status"]), "delete")
        await self.repo.delete(self.tenant_id, import_id)
        self.files.delete(self.tenant_id, import_id)

    # -- the report --------------------------------------------------------------------------

    async def problems(
        self, import_id: str, *, language: str, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        row = await self.get(import_id)
        extra = dict((await self.build_target(row["target"])).reasons())
        items, total = await self.repo.problems(
            self.tenant_id, import_id, limit=limit, offset=offset
        )
        return [problem_view(p, language, extra) for p in items], total

    async def problems_csv(self, import_id: str, *, language: str) -> AsyncIterator[bytes]:
        """The whole report as CSV (UTF-8 with BOM): row, column, value, the reason in both
        languages, its code."""
        row = await self.get(import_id)
        extra = dict((await self.build_target(row["target"])).reasons())
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(problems_csv_header(language))
        other = "en" if language.startswith("zh") else "zh-CN"
        yield "\ufeff".encode() + buffer.getvalue().encode()
        async for batch in self.repo.iter_problems(self.tenant_id, import_id, 5000):
            buffer.seek(0)
            buffer.truncate()
            for p in batch:
                writer.writerow(
                    [
                        p.row,
                        p.column,
                        p.value,
                        reason(p.code, p.params, language, extra),
                        reason(p.code, p.params, other, extra),
                        p.code,
                    ]
                )
            yield buffer.getvalue().encode()

    # -- saved mappings ------------------------------------------------------------------------

    async def mappings(self, target: str | None) -> list[dict[str, Any]]:
        return await self.repo.mappings(self.tenant_id, target)

    async def save_mapping(self, body: MappingIn) -> dict[str, Any]:
        self.registry.check(body.target)
        known = {f.name for f in await self.fields(body.target)}
        for header, field in body.columns.items():
            if field and field not in known:
                raise InvalidInput(
                    f"columns.{header}: no field {field!r}",
                    code="import.mapping.invalid",
                    details={"field": f"columns.{header}", "value": field},
                )
        now = self.clock.now()
        return await self.repo.save_mapping(
            {
                "id": new_id(now),
                "tenant_id": self.tenant_id,
                "target": body.target,
                "name": body.name,
                "columns": body.columns,
                "created_by": self.actor.username,
                "created_at": now,
                "updated_at": now,
            }
        )

    async def delete_mapping(self, mapping_id: str) -> None:
        if not await self.repo.delete_mapping(self.tenant_id, mapping_id):
            raise MappingNotFound(f"no saved mapping {mapping_id!r}", details={"id": mapping_id})

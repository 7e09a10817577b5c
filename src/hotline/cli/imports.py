"""`hotline import TARGET FILE` and `hotline export TARGET FILE`.

    hotline import customers 客户.xlsx --dry-run          # counts and the report, writes nothing
    hotline import customers 客户.xlsx --rule merge        # import the valid rows
    hotline import customers list.csv --encoding gbk --mapping 旧CRM --report problems.csv
    hotline export customers customers.xlsx

The import is the same as the page's (it shows in its history): the file is read, mapped by
header names (or a saved `--mapping`), cleaned, checked for duplicates and committed in one
transaction, with a progress bar (plain progress lines when the output is not a terminal).
Exit status: 0 done, 1 stopped by an error (nothing written), 2 a dry run found bad rows.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hotline.app import Services, build_services
from hotline.config import Settings
from hotline.errors import HotlineError
from hotline.imports.export import csv_chunks, write_xlsx
from hotline.imports.model import Counts, OnErrors, Rule
from hotline.imports.progress import Progress
from hotline.imports.schemas import ImportOptionsIn
from hotline.imports.service import Actor, ImportService, problems_csv_header
from hotline.store.auth_repo import SqlTenants
from hotline.store.import_targets import import_service
from hotline.store.uow import UnitOfWork

__all__ = ["export_cmd", "import_cmd"]

_SHOWN_PROBLEMS = 20
_ACTOR = Actor(None, "cli")


async def _tenant(services: Services, slug: str) -> str:
    async with services.uow(write=False) as uow:
        row = await SqlTenants(uow.conn).by_slug(slug)
    if row is None:
        raise HotlineError(f"no tenant {slug!r}", code="tenant.unknown")
    return str(row["id"])


def _service(services: Services, uow: UnitOfWork, tenant_id: str) -> ImportService:
    return import_service(
        uow.conn, tenant_id=tenant_id, runner=services.imports, clock=services.clock, actor=_ACTOR
    )


def _zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def _describe(row: dict[str, Any], fields: dict[str, Any], lang: str) -> None:
    encoding = row.get("encoding_used") or "-"
    typer.echo(
        f"{row['file_name']}: {row.get('format')}"
        + (f", {encoding}" if row.get("format") == "csv" else f", sheet {row.get('sheet_used')}")
        + f", header on row(s) {', '.join(map(str, row.get('header_row_numbers') or []))}"
    )
    mapping = row.get("mapping") or {}
    for column in row.get("columns") or []:
        field = mapping.get(str(column["index"]))
        label = column["label"] or "—"
        target = (
            fields[field].label(lang)
            if field in fields
            else ("(未映射)" if _zh(lang) else "(not mapped)")
        )
        typer.echo(f"  {column['letter']:>3}  {label}  →  {target}")


class _Bar:
    """A rich progress bar on a terminal; plain lines (one per 5 %) otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stdout.isatty()
        self._last: tuple[str | None, int] = (None, -1)
        self._rich: Any = None
        self._task: Any = None

    def __enter__(self) -> _Bar:
        if self.tty:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._rich = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>5.1f}%"),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
            )
            self._rich.__enter__()
            self._task = self._rich.add_task("", total=100, rate="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.__exit__(*exc)

    def show(self, snapshot: dict[str, Any]) -> None:
        phase = snapshot.get("phase")
        percent = snapshot.get("percent") or 0.0
        phase_percent = snapshot.get("phase_percent") or 0.0
        rate = f"{snapshot.get('rows_per_s', 0):,.0f} rows/s"
        if self._rich is not None:
            self._rich.update(self._task, completed=percent, description=str(phase), rate=rate)
            return
        step = int(phase_percent // 5)
        if phase is None or (phase, step) == self._last:
            return
        self._last = (phase, step)
        eta = snapshot.get("eta_s")
        print(
            f"progress {phase} {phase_percent:.1f}% overall {percent:.1f}% "
            f"{snapshot.get('done', 0)} rows {rate} eta {'-' if eta is None else f'{eta:.0f}s'}",
            flush=True,
        )


def _counts(counts: Counts, lang: str) -> None:
    names = (
        ("rows", "行数", "rows"),
        ("new", "新增", "new"),
        ("updated", "更新", "updated"),
        ("merged", "合并", "merged"),
        ("unchanged", "无变化", "unchanged"),
        ("skipped", "跳过", "skipped"),
        ("duplicates", "文件内重复", "duplicates in the file"),
        ("invalid", "无效行", "invalid rows"),
    )
    data = counts.as_dict()
    typer.echo("  ".join(f"{zh if _zh(lang) else en} {data[key]}" for key, zh, en in names))


async def _write_report(
    services: Services, tenant_id: str, import_id: str, path: Path, lang: str
) -> None:
    async with services.uow(write=False) as uow:
        with path.open("wb") as out:
            async for chunk in _service(services, uow, tenant_id).problems_csv(
                import_id, language=lang
            ):
                out.write(chunk)


async def _import(
    target: str,
    file: Path,
    *,
    tenant: str,
    dry_run: bool,
    options: ImportOptionsIn,
    report: Path | None,
    lang: str,
) -> int:
    services = build_services(Settings.load())
    await services.start()
    try:
        tenant_id = await _tenant(services, tenant)
        async with services.uow() as uow:
            service = _service(services, uow, tenant_id)
            with file.open("rb") as f:
                row = await service.create(target, file.name, f)
            if options.model_fields_set:
                row = await service.configure(row["id"], options)
            fields = {f.name: f for f in await service.fields(target)}
            await uow.commit()
        _describe(row, fields, lang)
        if row.get("file_error"):
            typer.echo(f"error: {row['file_error']['message']}", err=True)
            return 1
        kind = "check" if dry_run else "commit"
        runner = services.imports
        await runner.begin(tenant_id, row["id"], kind, background=False)
        handle = runner.track(row["id"], kind)
        task = asyncio.create_task(runner.run(tenant_id, row["id"], kind, "cli", active=handle))
        with _Bar() as bar:
            while not task.done():
                bar.show(handle.progress.snapshot())
                await asyncio.wait({task}, timeout=0.1)
            bar.show(_final(handle.progress))
        try:
            counts = task.result()
        except HotlineError as error:
            typer.echo(f"error: {error.message}", err=True)
            await _show_problems(services, tenant_id, row["id"], lang, report)
            return 1
        _counts(counts, lang)
        await _show_problems(services, tenant_id, row["id"], lang, report)
        typer.echo(f"import {row['id']} " + ("checked (nothing written)" if dry_run else "done"))
        return 2 if dry_run and counts.invalid else 0
    finally:
        await services.stop()


def _final(progress: Progress) -> dict[str, Any]:
    progress.finish()
    return progress.snapshot()


async def _show_problems(
    services: Services, tenant_id: str, import_id: str, lang: str, report: Path | None
) -> None:
    async with services.uow(write=False) as uow:
        items, total = await _service(services, uow, tenant_id).problems(
            import_id, language=lang, limit=_SHOWN_PROBLEMS, offset=0
        )
    if not total:
        return
    header = problems_csv_header(lang)
    typer.echo(f"{header[0]:>7}  {header[1]}  {header[2]}  {header[3]}")
    for p in items:
        typer.echo(f"{p['row']:>7}  {p['column']}  {p['value']!r}  {p['reason']}")
    if report is not None:
        await _write_report(services, tenant_id, import_id, report, lang)
        typer.echo(f"{total} problems; the full report: {report}")
    elif total > len(items):
        typer.echo(f"… {total} problems in all; --report FILE.csv writes every one")


def import_cmd(
    target: Annotated[str, typer.Argument(help="What to import: customers or call_lists")],
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file", exists=True, dir_okay=False)],
    mapping: Annotated[
        str | None, typer.Option(help="a saved mapping's name (default: by header names)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check only: write nothing")] = False,
    rule: Annotated[
        Rule, typer.Option(help="duplicates (in the file or stored): skip, update or merge")
    ] = Rule.MERGE,
    all_or_nothing: Annotated[
        bool,
        typer.Option("--all-or-nothing", help="import nothing when any row is invalid"),
    ] = False,
    encoding: Annotated[str | None, typer.Option(help="CSV encoding (default: detected)")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: the active one)")] = None,
    header_rows: Annotated[
        int | None, typer.Option(min=1, max=5, help="rows of the header (default: detected)")
    ] = None,
    save_mapping: Annotated[
        str | None, typer.Option(help="save this file's mapping under a name")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="write every problem to this CSV")] = None,
    tenant: Annotated[str, typer.Option(help="tenant slug")] = "demo",
    lang: Annotated[str, typer.Option(help="zh-CN or en")] = "zh-CN",
) -> None:
    """Import a spreadsheet: map by header names, clean, dedupe, commit in one transaction."""
    given: dict[str, Any] = {
        "rule": rule,
        "on_errors": OnErrors.ABORT if all_or_nothing else OnErrors.SKIP,
    }
    for name, value in (
        ("encoding", encoding),
        ("sheet", sheet),
        ("header_rows", header_rows),
        ("mapping_name", mapping),
        ("save_mapping_as", save_mapping),
    ):
        if value is not None:
            given[name] = value
    try:
        code = asyncio.run(
            _import(
                target,
                file,
                tenant=tenant,
                dry_run=dry_run,
                options=ImportOptionsIn(**given),
                report=report,
                lang=lang,
            )
        )
    except HotlineError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    raise typer.Exit(code)


async def _export(target: str, file: Path, tenant: str, lang: str) -> int:
    services = build_services(Settings.load())
    await services.start()
    try:
        tenant_id = await _tenant(services, tenant)
        batch = services.settings.imports.batch_size
        async with services.uow(write=False) as uow:
            built = await _service(services, uow, tenant_id).build_target(target)
            if file.suffix.lower() == ".xlsx":
                return await write_xlsx(file, built.fields(), built.export(batch), lang, target)
            count = -1  # the header
            with file.open("wb") as out:
                async for chunk in csv_chunks(built.fields(), built.export(batch), lang):
                    out.write(chunk)
                    count += chunk.count(b"\n")
            return count
    finally:
        await services.stop()


def export_cmd(
    target: Annotated[str, typer.Argument(help="What to export: customers")],
    file: Annotated[Path, typer.Argument(help="the file to write: .csv or .xlsx")],
    tenant: Annotated[str, typer.Option(help="tenant slug")] = "demo",
    lang: Annotated[str, typer.Option(help="header language: zh-CN or en")] = "zh-CN",
) -> None:
    """Export records to CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
    if file.suffix.lower() not in {".csv", ".xlsx"}:
        typer.echo("error: the file must end in .csv or .xlsx", err=True)
        raise typer.Exit(1)
    try:
        count = asyncio.run(_export(target, file, tenant, lang))
    except HotlineError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"exported {count} records to {file}")

"""Imports and exports over HTTP: upload a spreadsheet, map it, dry-run it, read the report
(JSON or CSV), commit it with progress, cancel; saved mappings; streamed exports."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import Paging, page, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.errors import InvalidInput
from hotline.imports.export import csv_chunks, write_xlsx
from hotline.imports.schemas import ImportOptionsIn, MappingIn
from hotline.imports.service import Actor, ImportService
from hotline.store.import_targets import import_service
from hotline.store.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["imports"])

Importer = Annotated[Principal, Depends(require(Permission.DATA_IMPORT))]


async def _read_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    # Reads never take SQLite's writer: the page polls an import while its commit holds it.
    async with services_of(request).uow(write=False) as uow:
        yield uow


ReadUow = Annotated[UnitOfWork, Depends(_read_uow)]
Exporter = Annotated[Principal, Depends(require(Permission.DATA_EXPORT))]
_CHUNK = 1 << 16


def imports_service(request: Request, uow: UnitOfWork, principal: Principal) -> ImportService:
    services = services_of(request)
    return import_service(
        uow.conn,
        tenant_id=principal.tenant_id,
        runner=services.imports,
        clock=services.clock,
        actor=Actor(principal.user_id, principal.username),
    )


def _view(request: Request, row: dict[str, Any]) -> dict[str, Any]:
    """The import with its live progress when a run of this process is going."""
    live = services_of(request).imports.progress(str(row["id"]))
    out = present(row)
    if live is not None:
        out["progress"] = live
    return out


@router.get("/import-targets", summary="What can be imported: targets and their fields")
async def targets(request: Request, uow: ReadUow, principal: Importer) -> dict[str, Any]:
    items = await imports_service(request, uow, principal).targets()
    return {"items": items, "total": len(items)}


@router.get("/imports", summary="Imports, newest first")
async def list_imports(
    request: Request,
    uow: ReadUow,
    principal: Importer,
    paging: Annotated[Paging, Depends()],
    target: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    service = imports_service(request, uow, principal)
    rows, total = await service.page(target=target, limit=paging.limit, offset=paging.offset)
    result = page(rows, total, paging)
    result["items"] = [_view(request, r) for r in rows]
    return result


@router.post("/imports", status_code=201, summary="Upload a file to import (CSV or XLSX)")
async def create_import(
    request: Request,
    uow: Uow,
    principal: Importer,
    file: Annotated[UploadFile, File(description="the spreadsheet")],
    target: Annotated[str, Form(max_length=32)] = "customers",
) -> dict[str, Any]:
    service = imports_service(request, uow, principal)
    row = await service.create(target, file.filename or "upload", file.file)
    await uow.commit()
    return _view(request, row)


@router.get("/imports/{import_id}", summary="An import: its file, columns, mapping, counts")
async def get_import(
    import_id: str, request: Request, uow: ReadUow, principal: Importer
) -> dict[str, Any]:
    return _view(request, await imports_service(request, uow, principal).view(import_id))


@router.put("/imports/{import_id}", summary="Change how the file is read, mapped and written")
async def configure_import(
    import_id: str, body: ImportOptionsIn, request: Request, uow: Uow, principal: Importer
) -> dict[str, Any]:
    row = await imports_service(request, uow, principal).configure(import_id, body)
    await uow.commit()
    return _view(request, row)


@router.put("/imports/{import_id}/file", summary="Replace the file with a corrected one")
async def replace_file(
    import_id: str,
    request: Request,
    uow: Uow,
    principal: Importer,
    file: Annotated[UploadFile | None, File(description="the corrected spreadsheet")] = None,
) -> dict[str, Any]:
    service = imports_service(request, uow, principal)
    await service.get(import_id)  # another tenant's import is not found, whatever the body
    if file is None:
        raise InvalidInput("file: a file is required", details={"field": "file"})
    row = await service.replace_file(import_id, file.filename or "upload", file.file)
    await uow.commit()
    return _view(request, row)


@router.delete("/imports/{import_id}", status_code=204, summary="Delete an import and its file")
async def delete_import(
    import_id: str, request: Request, uow: Uow, principal: Importer
) -> Response:
    await imports_service(request, uow, principal).delete(import_id)
    await uow.commit()
    return Response(status_code=204)


async def _start(
    import_id: str, kind: Literal["check", "commit"], request: Request, principal: Principal
) -> dict[str, Any]:
    runner = services_of(request).imports
    row = await runner.begin(principal.tenant_id, import_id, kind, principal.username)
    return _view(request, row)


@router.post("/imports/{import_id}/check", status_code=202, summary="Start a dry run")
async def check_import(import_id: str, request: Request, principal: Importer) -> dict[str, Any]:
    return await _start(import_id, "check", request, principal)


@router.post("/imports/{import_id}/commit", status_code=202, summary="Start the import")
async def commit_import(import_id: str, request: Request, principal: Importer) -> dict[str, Any]:
    return await _start(import_id, "commit", request, principal)


@router.post("/imports/{import_id}/cancel", status_code=202, summary="Cancel the running run")
async def cancel_import(
    import_id: str, request: Request, uow: ReadUow, principal: Importer
) -> dict[str, Any]:
    await services_of(request).imports.cancel_run(principal.tenant_id, import_id)
    return _view(request, await imports_service(request, uow, principal).view(import_id))


def _language(request: Request, principal: Principal, lang: str | None) -> str:
    chosen = lang or principal.language or services_of(request).settings.default_language
    return "zh-CN" if chosen.lower().startswith("zh") else "en"


@router.get("/imports/{import_id}/problems", summary="The report: a row's problems, in order")
async def problems(
    import_id: str,
    request: Request,
    uow: ReadUow,
    principal: Importer,
    paging: Annotated[Paging, Depends()],
    lang: Annotated[str | None, Query(max_length=8, description="zh-CN or en")] = None,
) -> dict[str, Any]:
    items, total = await imports_service(request, uow, principal).problems(
        import_id,
        language=_language(request, principal, lang),
        limit=paging.limit,
        offset=paging.offset,
    )
    return {"items": items, "total": total, "limit": paging.limit, "offset": paging.offset}


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/imports/{import_id}/problems.csv", summary="The report as CSV (UTF-8 with BOM)")
async def problems_csv(
    import_id: str,
    request: Request,
    principal: Importer,
    lang: Annotated[str | None, Query(max_length=8, description="zh-CN or en")] = None,
) -> StreamingResponse:
    services = services_of(request)
    language = _language(request, principal, lang)
    # Check the import exists before the response starts; the body streams on its own
    # connection (the request's unit of work ends with the handler).
    async with services.uow(write=False) as uow:
        await imports_service(request, uow, principal).get(import_id)

    async def body() -> AsyncIterator[bytes]:
        async with services.uow(write=False) as uow:
            service = imports_service(request, uow, principal)
            async for chunk in service.problems_csv(import_id, language=language):
                yield chunk

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers=_download(f"import-{import_id}-problems.csv"),
    )


@router.get("/import-mappings", summary="Saved mappings of header names to fields")
async def list_mappings(
    request: Request,
    uow: ReadUow,
    principal: Importer,
    target: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    items = await imports_service(request, uow, principal).mappings(target)
    return {"items": [present(i) for i in items], "total": len(items)}


@router.post("/import-mappings", status_code=201, summary="Save a mapping (by name; replaces)")
async def save_mapping(
    body: MappingIn, request: Request, uow: Uow, principal: Importer
) -> dict[str, Any]:
    row = await imports_service(request, uow, principal).save_mapping(body)
    await uow.commit()
    return present(row)


@router.delete("/import-mappings/{mapping_id}", status_code=204, summary="Delete a saved mapping")
async def delete_mapping(
    mapping_id: str, request: Request, uow: Uow, principal: Importer
) -> Response:
    await imports_service(request, uow, principal).delete_mapping(mapping_id)
    await uow.commit()
    return Response(status_code=204)


@router.get("/exports", summary="Export records to CSV (UTF-8 with BOM) or XLSX, streamed")
async def export(
    request: Request,
    principal: Exporter,
    target: Annotated[str, Query(max_length=32)] = "customers",
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
    lang: Annotated[str | None, Query(max_length=8, description="header language")] = None,
) -> Response:
    services = services_of(request)
    services.imports.registry.check(target)
    language = _language(request, principal, lang)
    stamp = dt.datetime.fromtimestamp(services.clock.now(), dt.UTC).strftime("%Y%m%d-%H%M")
    name = f"{target}-{stamp}.{format}"
    batch = services.settings.imports.batch_size
    if format == "csv":

        async def body() -> AsyncIterator[bytes]:
            async with services.uow(write=False) as uow:
                built = await imports_service(request, uow, principal).build_target(target)
                async for chunk in csv_chunks(built.fields(), built.export(batch), language):
                    yield chunk

        return StreamingResponse(
            body(), media_type="text/csv; charset=utf-8", headers=_download(name)
        )
    # XLSX: written to a scratch file row by row (flat memory), then streamed from it.
    folder = Path(tempfile.mkdtemp(prefix="hotline-export-"))
    path = folder / name
    async with services.uow(write=False) as uow:
        built = await imports_service(request, uow, principal).build_target(target)
        sheet = "客户" if language == "zh-CN" and target == "customers" else target
        await write_xlsx(path, built.fields(), built.export(batch), language, sheet)

    async def stream() -> AsyncIterator[bytes]:
        try:
            with path.open("rb") as f:
                while chunk := await asyncio.to_thread(f.read, _CHUNK):
                    yield chunk
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    return StreamingResponse(
        stream(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_download(name),
    )

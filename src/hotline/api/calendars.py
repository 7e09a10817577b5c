"""Holiday-calendar imports (shipped Chinese holidays, any `.ics`) and the job host's status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hotline.api.deps import Uow, require, services_of
from hotline.api.directory import directory
from hotline.api.present import Paging, page, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.calendars.service import import_ics, import_shipped
from hotline.calendars.shipped import shipped_years
from hotline.jobs import Jobs, JobState

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["calendars", "jobs"])

Reader = Annotated[Principal, Depends(require(Permission.CONFIG_READ))]
Writer = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]


class HolidayImportIn(BaseModel):
    """Either a shipped year (`region` + `year`) or the text of an `.ics` file (`ics`)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=64)
    region: str = Field("CN", pattern=r"^[A-Z]{2}$")
    year: int | None = Field(None, ge=2000, le=2100)
    ics: str | None = Field(None, max_length=2_000_000)

    @model_validator(mode="after")
    def _one_source(self) -> HolidayImportIn:
        if (self.year is None) == (self.ics is None):
            raise ValueError("give either year (a shipped calendar) or ics (a file's text)")
        return self


@router.get("/holiday-calendars/shipped", summary="Years of holidays shipped with Hotline")
async def shipped(principal: Reader) -> dict[str, Any]:
    return {"region": "CN", "years": shipped_years("CN")}


@router.post("/holiday-calendars/import", summary="Import a holiday calendar (year or .ics)")
async def import_holidays(
    body: HolidayImportIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    service = await directory(request, uow, principal)
    if body.year is not None:
        row = await import_shipped(service, year=body.year, region=body.region, name=body.name)
    else:
        row = await import_ics(service, text=body.ics or "", name=body.name or "")
    await uow.commit()
    return present(row)


@router.get("/jobs", summary="Jobs of the tenant and the system: next run, last run, last error")
async def list_jobs(
    request: Request,
    uow: Uow,
    principal: Reader,
    paging: Annotated[Paging, Depends()],
    kind: Annotated[str | None, Query(max_length=64)] = None,
    state: JobState | None = None,
) -> dict[str, Any]:
    host = services_of(request).jobs
    views, total = await Jobs(uow.conn).list(
        principal.tenant_id, kind=kind, state=state, limit=paging.limit, offset=paging.offset
    )
    return page([host.live(v).as_dict() for v in views], total, paging)


@router.get("/jobs/{job_id}", summary="One job's status")
async def get_job(job_id: str, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    view = await Jobs(uow.conn).get(job_id, tenant_id=principal.tenant_id)
    return present(services_of(request).jobs.live(view).as_dict())


@router.post("/jobs/{job_id}/cancel", summary="Cancel a job (a running one at its checkpoint)")
async def cancel_job(job_id: str, request: Request, uow: Uow, principal: Writer) -> dict[str, Any]:
    view = await services_of(request).jobs.cancel(uow.conn, job_id, tenant_id=principal.tenant_id)
    await uow.commit()
    return present(view.as_dict())


@router.post("/jobs/{job_id}/run", summary="Run a job now (also a failed or finished one)")
async def run_job(job_id: str, request: Request, uow: Uow, principal: Writer) -> dict[str, Any]:
    view = await services_of(request).jobs.run_now(uow.conn, job_id, tenant_id=principal.tenant_id)
    await uow.commit()
    return present(view.as_dict())

"""Reports over HTTP (`/api/v1/reports/…`): figures of a day, week (Monday–Sunday), month or
range in the tenant's time zone by center, queue, skill group, team, agent, channel, DID or VIP
level, with the previous period and targets; the hourly profile; top reasons; the agent
ranking; the contacts behind a figure; CSV and XLSX exports; targets. The rules live in
`hotline.analytics.reports`; handlers only translate HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from hotline.analytics.reports import FIGURES
from hotline.analytics.reports.periods import Period, period_of
from hotline.analytics.reports.service import ReportService, Viewer
from hotline.analytics.reports.targets import Targets
from hotline.api.deps import Uow, require, services_of
from hotline.api.present import present
from hotline.api.spreadsheet import table_response
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.store.auth_repo import SqlTenants
from hotline.store.reports_repo import (
    SqlReportContacts,
    SqlReportDirectory,
    SqlReportFacts,
    save_targets,
)
from hotline.store.uow import UnitOfWork

__all__ = ["FIGURE_LABELS", "router"]

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

Reader = Annotated[Principal, Depends(require(Permission.REPORTS_READ))]
Admin = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
By = Literal["center", "queue", "skill", "team", "agent", "channel", "did", "vip"]
PeriodName = Literal["day", "week", "month", "range"]

FIGURE_LABELS = {
    "contacts": "Contacts", "offered": "Offered", "answered": "Answered",
    "abandoned": "Abandoned", "short_abandoned": "Short abandons", "answer_rate": "Answer rate",
    "abandon_rate": "Abandon rate", "service_level": "Service level", "asa_s": "ASA (s)",
    "longest_wait_s": "Longest wait (s)", "rejected": "Rejected",
    "callbacks_requested": "Callbacks requested", "callbacks_made": "Callbacks made",
    "callbacks_failed": "Callbacks failed", "voicemails": "Voicemails", "handled": "Handled",
    "aht_s": "AHT (s)", "talk_s": "Average talk (s)", "hold_s": "Average hold (s)",
    "holds": "Holds", "acw_s": "ACW (s)", "acw_overruns": "ACW overruns",
    "acw_overrun_s": "ACW overrun (s)", "transfers": "Transfers",
    "transfer_rate": "Transfer rate", "consults": "Consultations", "fcr": "FCR",
    "fcr_contacts": "FCR contacts", "csat": "CSAT", "csat_average": "CSAT average",
    "csat_answers": "Survey answers", "conversion_rate": "Conversion rate",
    "dispositioned": "Dispositioned", "occupancy": "Occupancy", "utilization": "Utilization",
    "login_s": "Logged in (s)", "available_s": "Available (s)", "not_ready_s": "Not ready (s)",
}  # fmt: skip


DIMENSION_LABELS = {
    "center": "Center", "queue": "Queue", "skill": "Skill group", "team": "Team",
    "agent": "Agent", "channel": "Channel", "did": "Number", "vip": "VIP level",
}  # fmt: skip


class TargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue_id: str = Field("", max_length=64, description='a queue, or "" for the tenant')
    answer_rate: float | None = Field(None, ge=0, le=1)
    asa_s: float | None = Field(None, gt=0, le=3600)
    fcr: float | None = Field(None, ge=0, le=1)
    csat: float | None = Field(None, ge=0, le=1)
    service_level: float | None = Field(None, ge=0, le=1)
    vip_service_level: float | None = Field(None, ge=0, le=1)


async def _zone(uow: UnitOfWork, tenant_id: str) -> ZoneInfo:
    tenant = await SqlTenants(uow.conn).get(tenant_id)
    return ZoneInfo(str(tenant["timezone"]) if tenant else "Asia/Shanghai")


def _service(request: Request, uow: UnitOfWork, principal: Principal) -> ReportService:
    services = services_of(request)
    viewer = Viewer(
        tenant_id=principal.tenant_id,
        user_id=principal.user_id,
        roles=frozenset(principal.roles),
        agent_id=principal.agent_id,
    )
    return ReportService(
        SqlReportFacts(uow.conn),
        SqlReportDirectory(uow.conn),
        SqlReportContacts(uow.conn),
        viewer,
        now=services.clock.now(),
    )


async def _period(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    period: str,
    day: str | None,
    until: str | None,
) -> Period:
    zone = await _zone(uow, principal.tenant_id)
    today = datetime.fromtimestamp(services_of(request).clock.now(), zone).date().isoformat()
    return period_of(period, day or today, zone, until=until)


PeriodQ = Annotated[PeriodName, Query(description="day, week (Monday–Sunday), month or range")]
DateQ = Annotated[str | None, Query(max_length=10, description="a local day YYYY-MM-DD (today)")]
UntilQ = Annotated[str | None, Query(max_length=10, description="a range's last day")]
ByQ = Annotated[By | None, Query(description="what the rows are (agents: themselves)")]
KeyQ = Annotated[str | None, Query(max_length=128, description="one queue, agent, team …")]


@router.get(
    "/summary", summary="Figures of a period by a dimension, with targets and the period before"
)
async def summary(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
    by: ByQ = None,
    key: KeyQ = None,
    compare: bool = True,
) -> dict[str, Any]:
    chosen = await _period(request, uow, principal, period, date, until)
    service = _service(request, uow, principal)
    return await service.summary(chosen, by or service.default_by(), key, compare=compare)


@router.get("/hourly", summary="The hourly profile of a period")
async def hourly(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
    by: ByQ = None,
    key: KeyQ = None,
) -> dict[str, Any]:
    chosen = await _period(request, uow, principal, period, date, until)
    service = _service(request, uow, principal)
    return await service.hourly(chosen, by or service.default_by(), key)


@router.get("/reasons", summary="Top contact reasons (dispositions) or not-ready reasons")
async def reasons(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
    by: ByQ = None,
    key: KeyQ = None,
    kind: Literal["disposition", "not_ready"] = "disposition",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    chosen = await _period(request, uow, principal, period, date, until)
    service = _service(request, uow, principal)
    return await service.reasons(chosen, by or service.default_by(), key, kind=kind, limit=limit)


@router.get("/ranking", summary="Agents ranked by a figure")
async def ranking(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
    order: Annotated[str, Query(max_length=32, description="a figure's code")] = "handled",
) -> dict[str, Any]:
    chosen = await _period(request, uow, principal, period, date, until)
    return await _service(request, uow, principal).ranking(chosen, order)


@router.get("/contacts", summary="The contacts behind a figure (drill-down)")
async def contacts(
    request: Request,
    uow: Uow,
    principal: Reader,
    figure: Annotated[str, Query(max_length=32)],
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
    by: ByQ = None,
    key: KeyQ = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    chosen = await _period(request, uow, principal, period, date, until)
    service = _service(request, uow, principal)
    found = await service.contacts(
        chosen, by or service.default_by(), key, figure, limit=limit, offset=offset
    )
    found["items"] = [present(dict(row)) for row in found["items"]]
    return found


@router.get("/export", summary="A period's figures as CSV or XLSX")
async def export(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
    by: ByQ = None,
    key: KeyQ = None,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    chosen = await _period(request, uow, principal, period, date, until)
    service = _service(request, uow, principal)
    rows_by = by or service.default_by()
    report = await service.summary(chosen, rows_by, key, compare=False)
    catalogs = getattr(request.app.state, "catalogs", None)

    def label(text: str) -> str:
        return str(catalogs.gettext(principal.language, text)) if catalogs is not None else text

    header = [label(DIMENSION_LABELS[rows_by]), *(label(FIGURE_LABELS[f]) for f in FIGURES)]
    lines: list[list[Any]] = [[label("Period"), chosen.label], header]
    for row in report["rows"]:
        lines.append([row["key"], *(row["figures"][f] for f in FIGURES)])
    return table_response(lines, f"report-{rows_by}-{chosen.label}", format)


@router.get("/targets", summary="Targets of the tenant and of each queue")
async def get_targets(uow: Uow, principal: Reader) -> dict[str, Any]:
    overrides = await SqlReportDirectory(uow.conn).targets(principal.tenant_id)
    tenant = Targets().with_overrides(overrides.get("", {}))
    return {
        "tenant": tenant.as_dict(),
        "queues": {
            q: tenant.with_overrides(o).as_dict() for q, o in sorted(overrides.items()) if q
        },
    }


@router.put("/targets", summary="Set the targets of the tenant or of one queue")
async def put_targets(body: TargetsIn, uow: Uow, principal: Admin) -> dict[str, Any]:
    values = body.model_dump(exclude={"queue_id"}, exclude_none=True)
    Targets().with_overrides(values)  # checked by the domain's own rule too
    await save_targets(uow.conn, principal.tenant_id, body.queue_id, values)
    await uow.commit()
    return {"queue_id": body.queue_id, "targets": values}

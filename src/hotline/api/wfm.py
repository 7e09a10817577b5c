"""Workforce management: history import, plans (forecast + staffing), schedules, requests,
adherence, exports. Handlers only translate HTTP; `WorkforceService` does the work."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import present
from hotline.api.spreadsheet import table_response
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.store.uow import UnitOfWork
from hotline.store.wfm_repo import SqlWfmStore
from hotline.workforce.errors import HistoryFileError
from hotline.workforce.history import read_history_csv
from hotline.workforce.schemas import (
    ContractIn,
    Decision,
    PlanIn,
    RequestIn,
    ScheduleIn,
    TemplateIn,
)
from hotline.workforce.service import WorkforceService

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/wfm", tags=["workforce"])

Reader = Annotated[Principal, Depends(require(Permission.WFM_READ))]
Writer = Annotated[Principal, Depends(require(Permission.WFM_WRITE))]
Self = Annotated[Principal, Depends(require(Permission.SELF))]
MAX_UPLOAD = 64 * 1024 * 1024


def _service(request: Request, uow: UnitOfWork, principal: Principal) -> WorkforceService:
    services = services_of(request)
    return WorkforceService(
        SqlWfmStore(uow.conn),
        services.settings.wfm,
        actor=principal,
        clock=services.clock,
        emit=uow.emit,
    )


def _deep(value: Any) -> Any:
    """`present` at every depth: a schedule's shifts and their activities carry times too."""
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in present(value).items()}
    if isinstance(value, list):
        return [_deep(v) for v in value]
    return value


def _one(row: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = _deep(row)
    return shown


def _items(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": [_deep(r) for r in rows], "total": len(rows)}


@router.post("/history", summary="Import interval history from a CSV file")
async def import_history(
    request: Request,
    uow: Uow,
    principal: Writer,
    file: Annotated[UploadFile, File()],
    interval_s: Annotated[int, Form(ge=300, le=3600)] = 900,
    queue: Annotated[str, Form(min_length=1, max_length=64)] = "default",
) -> dict[str, Any]:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise HistoryFileError("the file is larger than 64 MB", row=0, column="")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HistoryFileError("the file is not UTF-8 text", row=0, column="") from None
    service = _service(request, uow, principal)
    zone = await service.store.tenant_zone(principal.tenant_id)
    rows = read_history_csv(
        io.StringIO(text), time_zone=zone, interval_s=interval_s, default_queue=queue
    )
    summary = await service.import_history(rows, interval_s)
    await uow.commit()
    return summary


@router.get("/queues", summary="Queues with history or configuration to plan for")
async def list_queues(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    names = await _service(request, uow, principal).queues()
    return {"items": [{"name": n} for n in names], "total": len(names)}


@router.get("/templates", summary="List shift templates")
async def list_templates(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    return _items(await _service(request, uow, principal).templates())


@router.post("/templates", status_code=201, summary="Create a shift template")
async def create_template(
    body: TemplateIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).save_template(body)
    await uow.commit()
    return present(row)


@router.put("/templates/{template_id}", summary="Change a shift template")
async def put_template(
    template_id: str, body: TemplateIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).save_template(body, template_id)
    await uow.commit()
    return present(row)


@router.delete("/templates/{template_id}", status_code=204, summary="Delete a shift template")
async def delete_template(
    template_id: str, request: Request, uow: Uow, principal: Writer
) -> Response:
    await _service(request, uow, principal).delete_template(template_id)
    await uow.commit()
    return Response(status_code=204)


@router.get("/agents", summary="Agents with their contracts")
async def list_agents(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    return _items(await _service(request, uow, principal).agents())


@router.put("/contracts/{agent_id}", summary="Set an agent's contract and availability")
async def put_contract(
    agent_id: str, body: ContractIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).put_contract(agent_id, body)
    await uow.commit()
    return present(row)


@router.post("/plans", status_code=201, summary="Forecast a queue's week and staff it")
async def create_plan(
    body: PlanIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).create_plan(body)
    await uow.commit()
    return present(row)


@router.get("/plans", summary="List plans")
async def list_plans(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    return _items(await _service(request, uow, principal).plans())


@router.get("/plans/{plan_id}", summary="A plan: forecast with ranges, backtest, staffing")
async def get_plan(plan_id: str, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    return present(await _service(request, uow, principal).plan(plan_id))


@router.post("/schedules", status_code=201, summary="Generate a schedule for a plan")
async def create_schedule(
    body: ScheduleIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).create_schedule(body)
    await uow.commit()
    return _one(row)


@router.get("/schedules", summary="List schedules")
async def list_schedules(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    return _items(await _service(request, uow, principal).schedules())


@router.get("/schedules/{schedule_id}", summary="A schedule with every shift and its coverage")
async def get_schedule(
    schedule_id: str, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    return _one(await _service(request, uow, principal).schedule(schedule_id))


@router.post("/schedules/{schedule_id}/publish", summary="Publish a schedule to its agents")
async def publish_schedule(
    schedule_id: str, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).publish(schedule_id)
    await uow.commit()
    return _one(row)


@router.post("/schedules/{schedule_id}/what-if", summary="Simulate the schedule's week")
async def what_if_schedule(
    schedule_id: str, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    outcome = await _service(request, uow, principal).run_what_if(schedule_id)
    await uow.commit()
    return outcome


@router.get("/schedules/{schedule_id}/export", summary="The schedule as CSV or XLSX")
async def export_schedule(
    schedule_id: str,
    request: Request,
    uow: Uow,
    principal: Reader,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:
    service = _service(request, uow, principal)
    row = await service.schedule(schedule_id)
    zone = ZoneInfo(await service.store.tenant_zone(principal.tenant_id))
    lines: list[list[Any]] = [["agent", "date", "start", "end", "activities"]]
    for s in row["shifts"]:
        start = datetime.fromtimestamp(s["start_at"], zone)
        parts = [
            f"{a['activity']} {_hm(a['start_at'], zone)}-{_hm(a['end_at'], zone)}"
            for a in s["activities"]
        ]
        lines.append(
            [
                s["agent_name"],
                start.date().isoformat(),
                _hm(s["start_at"], zone),
                _hm(s["end_at"], zone),
                "; ".join(parts),
            ]
        )
    return _table(lines, f"schedule-{row['week_start']}", format)


@router.get("/plans/{plan_id}/export", summary="A plan's forecast and staffing as CSV or XLSX")
async def export_plan(
    plan_id: str,
    request: Request,
    uow: Uow,
    principal: Reader,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:
    plan = await _service(request, uow, principal).plan(plan_id)
    forecast, staffing = plan["forecast"], plan["staffing"]
    per_day = 86_400 // int(plan["interval_s"])
    lines: list[list[Any]] = [
        ["date", "start", "contacts", "low", "high", "aht_s", "agents", "people", "lines"]
    ]
    for i, calls in enumerate(forecast["calls"]):
        day, slot = divmod(i, per_day)
        minute = slot * int(plan["interval_s"]) // 60
        lines.append(
            [
                forecast["days"][day],
                f"{minute // 60:02d}:{minute % 60:02d}",
                calls,
                forecast["lower"][i],
                forecast["upper"][i],
                forecast["aht_s"][i],
                staffing["agents"][i],
                staffing["scheduled"][i],
                staffing["lines"][i],
            ]
        )
    return _table(lines, f"plan-{plan['queue_id']}-{plan['week_start']}", format)


_table = table_response


def _hm(epoch: float, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(epoch, zone).strftime("%H:%M")


@router.get("/my-schedule", summary="My own published shifts in a week")
async def my_schedule(
    request: Request,
    uow: Uow,
    principal: Self,
    week_start: Annotated[date, Query()],
) -> dict[str, Any]:
    return _items(await _service(request, uow, principal).my_week(week_start))


@router.post("/requests", status_code=201, summary="Ask for time off or a shift swap")
async def create_request(
    body: RequestIn, request: Request, uow: Uow, principal: Self
) -> dict[str, Any]:
    row = await _service(request, uow, principal).create_request(body)
    await uow.commit()
    return present(row)


@router.get("/requests/mine", summary="My time-off and swap requests")
async def my_requests(request: Request, uow: Uow, principal: Self) -> dict[str, Any]:
    return _items(await _service(request, uow, principal).requests(mine=True, status=None))


@router.get("/requests", summary="Every agent's requests (for approval)")
async def list_requests(
    request: Request,
    uow: Uow,
    principal: Reader,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None,
) -> dict[str, Any]:
    return _items(await _service(request, uow, principal).requests(mine=False, status=status))


@router.post("/requests/{request_id}/decision", summary="Approve or reject a request")
async def decide_request(
    request_id: str, body: Decision, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).decide(request_id, body.approve)
    await uow.commit()
    return present(row)


@router.get("/adherence", summary="Adherence and conformance per agent for a day")
async def adherence_report(
    request: Request, uow: Uow, principal: Reader, day: Annotated[date, Query()]
) -> dict[str, Any]:
    return _items(await _service(request, uow, principal).adherence_report(day))


@router.get("/adherence/live", summary="Who is out of adherence now, and for how long")
async def adherence_live(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    return _items(await _service(request, uow, principal).adherence_live())

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

from hotline.analytics.reports.counting import COUNTING_ENTITY, Counting
from hotline.analytics.reports.errors import (
    ReportForbidden,
    SubscriptionNotFound,
    TargetsNotFound,
)
from hotline.analytics.reports.periods import Period, period_of
from hotline.analytics.reports.service import ReportService, Viewer
from hotline.analytics.reports.targets import Targets
from hotline.api.deps import Uow, require, services_of
from hotline.api.hints import hint_service
from hotline.api.present import present
from hotline.api.spreadsheet import table_response
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.directory.events import ConfigChanged
from hotline.ids import new_id
from hotline.jobs import Jobs
from hotline.quality.qa_figures import Average, qa_averages
from hotline.reporting import (
    DELIVER_KIND,
    delivery_cron,
    delivery_payload,
    may_manage,
    summary_lines,
)
from hotline.reporting.campaigns import campaign_lines, campaign_report
from hotline.reporting.pdf import print_pdf
from hotline.reporting.tables import Translate
from hotline.store.auth_repo import SqlTenants
from hotline.store.dialer_repo import SqlDialerStore
from hotline.store.evaluations_repo import SqlEvaluations
from hotline.store.quality_repo import SqlQuality
from hotline.store.reports_repo import (
    SqlReportContacts,
    SqlReportDirectory,
    SqlReportFacts,
    delete_targets,
    load_counting,
    save_counting,
    save_targets,
)
from hotline.store.uow import UnitOfWork
from hotline.web.report_print import print_page

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

Reader = Annotated[Principal, Depends(require(Permission.REPORTS_READ))]
Admin = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
Subscriber = Annotated[Principal, Depends(require(Permission.DATA_EXPORT))]
By = Literal["center", "queue", "skill", "team", "agent", "channel", "did", "vip"]
PeriodName = Literal["day", "week", "month", "range"]


class TargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue_id: str = Field("", max_length=64, description='a queue, or "" for the tenant')
    answer_rate: float | None = Field(None, ge=0, le=1)
    asa_s: float | None = Field(None, gt=0, le=3600)
    fcr: float | None = Field(None, ge=0, le=1)
    csat: float | None = Field(None, ge=0, le=1)
    service_level: float | None = Field(None, ge=0, le=1)
    vip_service_level: float | None = Field(None, ge=0, le=1)


def _translator(request: Request) -> Translate:
    catalogs = getattr(request.app.state, "catalogs", None)

    def translate(language: str, text: str) -> str:
        return str(catalogs.gettext(language, text)) if catalogs is not None else text

    return translate


def _viewer(principal: Principal) -> Viewer:
    return Viewer(
        tenant_id=principal.tenant_id,
        user_id=principal.user_id,
        roles=frozenset(principal.roles),
        agent_id=principal.agent_id,
    )


async def _zone(uow: UnitOfWork, tenant_id: str) -> ZoneInfo:
    tenant = await SqlTenants(uow.conn).get(tenant_id)
    return ZoneInfo(str(tenant["timezone"]) if tenant else "Asia/Shanghai")


def _service(request: Request, uow: UnitOfWork, principal: Principal) -> ReportService:
    return ReportService(
        SqlReportFacts(uow.conn),
        SqlReportDirectory(uow.conn),
        SqlReportContacts(uow.conn),
        _viewer(principal),
        now=services_of(request).clock.now(),
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


@router.get(
    "/page",
    summary="Everything the report page shows: rows, headline figures, hourly profile, top-10 "
    "reasons, agent ranking and the VIP line",
)
async def page(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
    by: ByQ = None,
    key: KeyQ = None,
    order: Annotated[str, Query(max_length=32, description="the ranking's figure")] = "handled",
) -> dict[str, Any]:
    chosen = await _period(request, uow, principal, period, date, until)
    service = _service(request, uow, principal)
    return await service.page(chosen, by or service.default_by(), key, order=order)


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
    mark: Annotated[
        Literal["resolved", "not_resolved", "unmarked"] | None,
        Query(description='only contacts with this "resolved?" answer of their agent'),
    ] = None,
) -> dict[str, Any]:
    chosen = await _period(request, uow, principal, period, date, until)
    service = _service(request, uow, principal)
    found = await service.contacts(
        chosen, by or service.default_by(), key, figure, limit=limit, offset=offset, mark=mark
    )
    found["items"] = [present(dict(row)) for row in found["items"]]
    return found


@router.get(
    "/export",
    summary="A period's figures as CSV or XLSX, or the report page printed as PDF with its charts",
    responses={503: {"description": "PDF: Chromium is not installed (reports.pdf.unavailable)"}},
)
async def export(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
    by: ByQ = None,
    key: KeyQ = None,
    format: Literal["csv", "xlsx", "pdf"] = "csv",
    lang: Annotated[
        Literal["zh-CN", "en"] | None, Query(description="the headers' language (the user's)")
    ] = None,
) -> Response:
    language = lang or principal.language
    chosen = await _period(request, uow, principal, period, date, until)
    service = _service(request, uow, principal)
    rows_by = by or service.default_by()
    if format == "pdf":
        bundle = await service.page(chosen, rows_by, key)
        if service.overseer():  # the campaigns section, as on the screen
            store = SqlDialerStore(uow.conn, principal.tenant_id)
            bundle = {**bundle, "campaigns": await campaign_report(store, chosen.start, chosen.end)}
        await uow.rollback()  # nothing to write; no transaction held while Chromium prints
        settings = services_of(request).settings.reports
        html = print_page(request.app, language, bundle)
        pdf = await print_pdf(html, settings.chromium, timeout_s=settings.pdf_timeout_s)
        name = f"report-{rows_by}-{chosen.label}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    report = await service.summary(chosen, rows_by, key, compare=False)
    lines = summary_lines(report, language, _translator(request))
    return table_response(lines, f"report-{rows_by}-{chosen.label}", format)


@router.get(
    "/hints", summary="Per hint during service: contacts offered, accepted, declined in a period"
)
async def hints(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
) -> dict[str, Any]:
    """The report screen's hints (ADR 0164): each contact counted once, by the agent's last
    answer. The center's, so for those who see more than their own figures."""
    if not _service(request, uow, principal).overseer():
        raise ReportForbidden("hints", None)
    chosen = await _period(request, uow, principal, period, date, until)
    items = await hint_service(request, uow, principal).report(chosen.start, chosen.end)
    return {"period": {"first": chosen.first.isoformat(), "last": chosen.last.isoformat()},
            "items": items, "total": len(items)}  # fmt: skip


@router.get(
    "/quality", summary="Survey response rates and forced reviews (completion, root causes)"
)
async def quality(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
) -> dict[str, Any]:
    """The report screen's surveys and reviews (docs/quality.md): offers and answers per survey
    and channel, reviews opened in the period, closed, escalated, and the closed ones' root
    causes and actions. The center's, so for those who see more than their own figures."""
    if not _service(request, uow, principal).overseer():
        raise ReportForbidden("quality", None)
    chosen = await _period(request, uow, principal, period, date, until)
    repo = SqlQuality(uow.conn)
    return {
        "period": {"first": chosen.first.isoformat(), "last": chosen.last.isoformat()},
        "responses": await repo.response_rates(principal.tenant_id, chosen.start, chosen.end),
        "reviews": await repo.review_figures(principal.tenant_id, chosen.start, chosen.end),
        "qa": await _qa_figures(SqlEvaluations(uow.conn), principal.tenant_id, chosen),
    }


async def _qa_figures(repo: SqlEvaluations, tenant_id: str, chosen: Any) -> dict[str, Any]:
    """QA averages of the evaluations submitted in the period (hotline.quality.qa_figures)."""
    scored = await repo.scored_between(tenant_id, chosen.start, chosen.end)
    got = qa_averages(scored, await repo.teams_of(tenant_id, sorted({e.agent_id for e in scored})))
    names = await repo.user_names(tenant_id, [a.key for a in got.by_evaluator])

    def rows(found: list[Average], named: dict[str, str] | None = None) -> list[dict[str, Any]]:
        return [
            {"key": a.key, "name": (named or {}).get(a.key, a.key), "evaluations": a.evaluations,
             "average": a.average, "critical_failed": a.critical_failed}
            for a in found
        ]  # fmt: skip

    return {
        "evaluations": got.evaluations, "average": got.average,
        "by_agent": rows(got.by_agent), "by_team": rows(got.by_team),
        "by_question": rows(got.by_question), "by_evaluator": rows(got.by_evaluator, names),
    }  # fmt: skip


@router.get(
    "/campaigns",
    summary="Per outbound campaign: dials, connects, right-party contacts, conversions, abandon "
    "rates, AMD outcomes, talk occupancy and list penetration in a period; CSV or XLSX too",
)
async def campaigns(
    request: Request,
    uow: Uow,
    principal: Reader,
    period: PeriodQ = "day",
    date: DateQ = None,
    until: UntilQ = None,
    format: Literal["json", "csv", "xlsx"] = "json",
    lang: Annotated[
        Literal["zh-CN", "en"] | None, Query(description="the headers' language (the user's)")
    ] = None,
) -> Any:
    """The report screen's campaigns (docs/dialer.md): the figures of `hotline.dialer.figures`
    over the period's dial log. The center's, so for those who see more than their own."""
    if not _service(request, uow, principal).overseer():
        raise ReportForbidden("campaigns", None)
    chosen = await _period(request, uow, principal, period, date, until)
    store = SqlDialerStore(uow.conn, principal.tenant_id)
    items = await campaign_report(store, chosen.start, chosen.end)
    report = {"period": chosen.as_dict(), "items": items, "total": len(items)}
    if format == "json":
        return report
    lines = campaign_lines(report, lang or principal.language, _translator(request))
    return table_response(lines, f"report-campaigns-{chosen.label}", format)


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


@router.delete(
    "/targets/{queue_id}", summary="Drop a queue's own targets (the tenant's apply again)"
)
async def remove_targets(queue_id: str, uow: Uow, principal: Admin) -> dict[str, Any]:
    if not queue_id or not await delete_targets(uow.conn, principal.tenant_id, queue_id):
        raise TargetsNotFound(queue_id)
    await uow.commit()
    return {"queue_id": queue_id, "removed": True}


class CountingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    short_abandon_s: float = Field(5.0, ge=0, le=60, description="abandons this quick are apart")
    fcr_window_days: int = Field(7, ge=1, le=30, description="a repeat contact within this")
    vip_sl_threshold_s: float = Field(15.0, ge=1, le=600, description="VIP service level at")
    csat_satisfied_from: int = Field(4, ge=1, le=5, description="lowest satisfied rating, 1–5")


@router.get("/counting", summary="How the tenant's figures count (ADR 0173)")
async def get_counting(uow: Uow, principal: Reader) -> dict[str, Any]:
    counting = await load_counting(uow.conn, principal.tenant_id)
    return {"counting": counting.as_dict(), "defaults": Counting().as_dict()}


@router.put(
    "/counting",
    summary="Set how the tenant's figures count; its facts are rolled up again from the log",
)
async def put_counting(
    body: CountingIn, request: Request, uow: Uow, principal: Admin
) -> dict[str, Any]:
    counting = Counting.of(body.model_dump())  # checked by the domain's own rule too
    changed = counting != await load_counting(uow.conn, principal.tenant_id)
    await save_counting(uow.conn, principal.tenant_id, counting)
    if changed:  # running wallboards (on every node) count with the new rules at once
        uow.emit(
            ConfigChanged(
                tenant_id=principal.tenant_id, at=services_of(request).clock.now(),
                entity=COUNTING_ENTITY, entity_id=principal.tenant_id, action="update",
            )
        )  # fmt: skip
    await uow.commit()
    if changed:
        services_of(request).report_rollup.rebuild_soon(principal.tenant_id)
    return {"counting": counting.as_dict(), "rebuilding": changed}


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Literal["day", "week", "month"]
    by: By = "queue"
    at: str = Field("08:00", pattern=r"^\d{1,2}:\d{2}$", description="local time HH:MM")
    to: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]] = Field(
        min_length=1, max_length=20
    )
    language: Literal["zh-CN", "en"] = "zh-CN"


def _subscription(job: Any) -> dict[str, Any]:
    payload = dict(job.payload)
    return {
        "id": job.id, "period": payload.get("period"), "by": payload.get("by"),
        "to": payload.get("to"), "language": payload.get("language"), "cron": job.cron,
        "time_zone": job.timezone, "next_at": job.due_at, "last_run_at": job.last_run_at,
        "state": str(job.state),
    }  # fmt: skip


@router.get("/subscriptions", summary="Reports delivered by e-mail on a schedule")
async def list_subscriptions(uow: Uow, principal: Subscriber) -> dict[str, Any]:
    found, _ = await Jobs(uow.conn).list(principal.tenant_id, kind=DELIVER_KIND, limit=500)
    viewer = _viewer(principal)
    live = [
        _subscription(j)
        for j in found
        if str(j.state) != "cancelled" and may_manage(j.payload, viewer)  # stopped: gone
    ]
    return {"items": live, "total": len(live)}


@router.post(
    "/subscriptions", status_code=201, summary="Send a report by e-mail every day, week or month"
)
async def subscribe(
    body: SubscriptionIn, request: Request, uow: Uow, principal: Subscriber
) -> dict[str, Any]:
    service = _service(request, uow, principal)
    await service.check_scope(body.by)  # a subscriber gets only what it may see
    zone = await _zone(uow, principal.tenant_id)
    key = f"report:{new_id(services_of(request).clock.now())}"
    payload = delivery_payload(
        period=body.period, by=body.by, to=[str(a) for a in body.to], language=body.language,
        viewer=_viewer(principal),
    )  # fmt: skip
    job_id = await services_of(request).jobs.schedule_recurring(
        uow.conn, DELIVER_KIND, cron=delivery_cron(body.period, body.at), timezone=zone.key,
        key=key, tenant_id=principal.tenant_id, payload=payload,
    )  # fmt: skip
    await uow.commit()
    job = await Jobs(uow.conn).get(job_id, tenant_id=principal.tenant_id)
    return _subscription(job)


@router.delete("/subscriptions/{subscription_id}", summary="Stop a scheduled report")
async def unsubscribe(
    subscription_id: str, request: Request, uow: Uow, principal: Subscriber
) -> dict[str, str]:
    # own=True: the center's jobs, not the system's; among them a supervisor or admin stops
    # any subscription, anyone else only her own (others' are not found, as in the list)
    job = await Jobs(uow.conn).get(subscription_id, tenant_id=principal.tenant_id, own=True)
    if job.kind != DELIVER_KIND or not may_manage(job.payload, _viewer(principal)):
        raise SubscriptionNotFound(subscription_id)
    await services_of(request).jobs.cancel(uow.conn, subscription_id, tenant_id=principal.tenant_id)
    await uow.commit()
    return {"id": subscription_id, "status": "cancelled"}

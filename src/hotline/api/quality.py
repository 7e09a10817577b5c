"""Quality over HTTP (docs/quality.md): survey definitions, sending a link survey for a
contact, the forced reviews (listed by who may see them, closed with a root cause and an
action) and the figures. Handlers only translate HTTP; `hotline.quality` decides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.api.present import present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.errors import PermissionDenied
from hotline.jobs import Jobs, JobView
from hotline.quality.errors import QaTaskRefused, QualityInvalid, SurveyNotFound
from hotline.quality.links import LinkSurveys
from hotline.quality.mail import MailSurveySender
from hotline.quality.qa_tasks import REASON_MAX, QaTaskService, TaskChange
from hotline.quality.reviews import Review
from hotline.quality.sampling import SamplingRules, parse_rules
from hotline.quality.sampling_job import SAMPLING_CRON, SAMPLING_KIND, SamplingService
from hotline.quality.service import ReviewService, Viewer
from hotline.quality.surveys import DEFAULT_SURVEY, SurveyDefinition
from hotline.store.auth_repo import SqlAudit
from hotline.store.quality_repo import SqlQuality
from hotline.store.sampling_repo import SqlSampling
from hotline.store.uow import UnitOfWork

__all__ = ["link_surveys", "router", "viewer_of"]

router = APIRouter(prefix="/api/v1/quality", tags=["quality"])

Reader = Annotated[Principal, Depends(require(Permission.INTERACTIONS_READ))]
Supervisor = Annotated[Principal, Depends(require(Permission.SUPERVISE))]
Sender = Annotated[Principal, Depends(require(Permission.INTERACTIONS_WRAP_UP))]
ConfigReader = Annotated[Principal, Depends(require(Permission.CONFIG_READ))]
Configurer = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
Reports = Annotated[Principal, Depends(require(Permission.REPORTS_READ))]


def viewer_of(principal: Principal) -> Viewer:
    roles = set(principal.roles)
    return Viewer(
        principal.user_id,
        everything=bool({"admin", "qa"} & roles),
        supervisor="supervisor" in roles,
        agent_id=principal.agent_id,
    )


def _reviews(request: Request, uow: UnitOfWork, principal: Principal) -> ReviewService:
    clock = services_of(request).clock
    return ReviewService(SqlQuality(uow.conn), principal.tenant_id, uow.emit, clock.now)


def link_surveys(request: Request, uow: UnitOfWork) -> LinkSurveys:
    services = services_of(request)
    settings = services.settings.quality
    return LinkSurveys(
        SqlQuality(uow.conn), uow.emit, services.clock.now,
        public_url=settings.public_url, link_hours=settings.link_hours,
    )  # fmt: skip


def _review_out(review: Review) -> dict[str, Any]:
    return present({
        "id": review.id, "interaction_id": review.interaction_id, "agent_id": review.agent_id,
        "work_id": review.work_id, "supervisor_id": review.supervisor_id,
        "survey": review.survey, "question": review.question, "rating": review.rating,
        "scale": review.scale, "state": review.state.value, "opened_at": review.opened_at,
        "due_at": review.due_at, "cause": review.cause.value if review.cause else None,
        "action": review.action.value if review.action else None, "note": review.note,
        "closed_at": review.closed_at, "closed_by": review.closed_by,
        "escalated_at": review.escalated_at,
    })  # fmt: skip


# -- surveys ----------------------------------------------------------------------------


@router.get("/surveys", summary="The center's survey definitions (the default one included)")
async def surveys(uow: Uow, principal: ConfigReader) -> list[dict[str, Any]]:
    found = await SqlQuality(uow.conn).definitions(principal.tenant_id)
    if not any(s.name == DEFAULT_SURVEY.name for s in found):
        found.insert(0, DEFAULT_SURVEY)
    return [s.model_dump(mode="json") for s in found]


@router.get("/surveys/{name}", summary="One survey definition")
async def survey(name: str, uow: Uow, principal: ConfigReader) -> dict[str, Any]:
    found = await SqlQuality(uow.conn).definition(principal.tenant_id, name)
    if found is None and name == DEFAULT_SURVEY.name:
        found = DEFAULT_SURVEY
    if found is None:
        raise SurveyNotFound(name)
    return found.model_dump(mode="json")


@router.put("/surveys", summary="Create or change a survey definition (by its name)")
async def save_survey(
    body: SurveyDefinition, request: Request, uow: Uow, principal: Configurer
) -> dict[str, Any]:
    await SqlQuality(uow.conn).save_definition(
        principal.tenant_id, body, services_of(request).clock.now()
    )
    await uow.commit()
    return body.model_dump(mode="json")


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interaction_id: Annotated[str, StringConstraints(min_length=1, max_length=26)]
    address: Annotated[str, StringConstraints(min_length=3, max_length=320)]
    language: Annotated[str, StringConstraints(pattern=r"^(zh-CN|en)$")] = "zh-CN"
    survey: Annotated[str, StringConstraints(min_length=1, max_length=64)] = DEFAULT_SURVEY.name
    work_id: Annotated[str, StringConstraints(min_length=1, max_length=26)] | None = None


@router.post("/survey-links", status_code=201, summary="E-mail the customer a survey link")
async def send_link(body: LinkIn, request: Request, uow: Uow, principal: Sender) -> dict[str, Any]:
    services = services_of(request)
    sender = MailSurveySender(uow.conn, services.clock.now, services.jobs.wake)
    sent = await link_surveys(request, uow).send(
        principal.tenant_id, sender, interaction_id=body.interaction_id, address=body.address,
        language=body.language, survey=body.survey, work_id=body.work_id,
    )  # fmt: skip
    await uow.commit()
    return {
        "link_id": sent.link_id, "agent_id": sent.agent_id, "work_id": sent.work_id,
        "expires_at": sent.expires_at,
    }  # fmt: skip


# -- reviews ----------------------------------------------------------------------------


@router.get("/reviews", summary="Forced reviews I may see (open and escalated first)")
async def reviews(
    request: Request,
    uow: Uow,
    principal: Reader,
    state: Annotated[list[str] | None, Query(max_length=3)] = None,
) -> list[dict[str, Any]]:
    found = await _reviews(request, uow, principal).visible(
        viewer_of(principal), tuple(state or ())
    )
    order = {"escalated": 0, "open": 1, "closed": 2}
    found.sort(key=lambda r: (order[r.state.value], r.due_at))
    return [_review_out(r) for r in found]


@router.get("/reviews/{review_id}", summary="One review with its contact's answers")
async def review(review_id: str, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    found = await _reviews(request, uow, principal).get(viewer_of(principal), review_id)
    repo = SqlQuality(uow.conn)
    answers = await repo.answers(principal.tenant_id, found.interaction_id)
    # What the reviewer works from: the contact's recordings (played through the audited
    # /recordings/{id}) and its timeline (/interactions/{id}, the contact page).
    heard = await repo.recordings(principal.tenant_id, found.interaction_id)
    return {
        **_review_out(found),
        "answers": [present(a) for a in answers],
        "recordings": [{**present(r), "url": f"/api/v1/recordings/{r['id']}"} for r in heard],
        "timeline_url": f"/api/v1/interactions/{found.interaction_id}",
        "contact_page": f"/interactions/{found.interaction_id}",
    }


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cause: Annotated[str, StringConstraints(max_length=32)] | None = None
    action: Annotated[str, StringConstraints(max_length=32)] | None = None
    note: Annotated[str, Field(max_length=2000)] = ""


@router.post("/reviews/{review_id}/close", summary="Close a review: root cause and action")
async def close_review(
    review_id: str, body: CloseIn, request: Request, uow: Uow, principal: Supervisor
) -> dict[str, Any]:
    closed = await _reviews(request, uow, principal).close(
        viewer_of(principal), review_id, body.cause, body.action, body.note
    )
    await uow.commit()
    return _review_out(closed)


# -- figures ----------------------------------------------------------------------------


@router.get("/figures", summary="Response rates and review completion in a window")
async def figures(
    uow: Uow,
    principal: Reports,
    since: Annotated[float, Query(ge=0)],
    until: Annotated[float, Query(ge=0)],
) -> dict[str, Any]:
    if not {"admin", "qa", "supervisor"} & set(principal.roles):
        raise PermissionDenied("You may not do this.")  # the center's figures, not one's own
    repo = SqlQuality(uow.conn)
    return {
        "responses": await repo.response_rates(principal.tenant_id, since, until),
        "reviews": await repo.review_figures(principal.tenant_id, since, until),
    }


# -- QA sampling (ADR 0214–0216) --------------------------------------------------------


def _qa_or_admin(principal: Principal) -> None:
    if not {"admin", "qa"} & set(principal.roles):
        raise PermissionDenied(
            "Only admins and QA users may do this.", code="quality.sampling.forbidden"
        )


@router.get("/sampling-rules", summary="The center's QA sampling rules, in the order applied")
async def sampling_rules(uow: Uow, principal: Reader) -> dict[str, Any]:
    _qa_or_admin(principal)
    found = await SqlSampling(uow.conn).rules(principal.tenant_id)
    return (found or SamplingRules()).model_dump(mode="json")


@router.put("/sampling-rules", summary="Set the center's QA sampling rules (weekly job)")
async def save_sampling_rules(
    body: dict[str, Any], request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    _qa_or_admin(principal)
    rules = parse_rules(body)
    services = services_of(request)
    repo = SqlSampling(uow.conn)
    await repo.save_rules(principal.tenant_id, rules, principal.user_id, services.clock.now())
    await services.jobs.schedule_recurring(
        uow.conn, SAMPLING_KIND, cron=SAMPLING_CRON,
        timezone=await repo.timezone(principal.tenant_id), key=SAMPLING_KIND,
        tenant_id=principal.tenant_id,
    )  # fmt: skip
    await uow.commit()
    return rules.model_dump(mode="json")


class SampleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    week: Annotated[str, StringConstraints(max_length=8)] | None = None


@router.post("/sampling-runs", summary="Sample a week now (default: the last whole week)")
async def run_sampling(
    body: SampleIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    _qa_or_admin(principal)
    service = SamplingService(
        SqlSampling(uow.conn), principal.tenant_id, uow.emit, services_of(request).clock.now
    )
    try:
        done = await service.run(body.week)
    except ValueError:
        raise QualityInvalid("quality.sampling.week_invalid", "week") from None
    await uow.commit()
    return {
        "week": done.week, "candidates": done.candidates, "created": done.created,
        "by_rule": done.by_rule,
    }  # fmt: skip


@router.get("/qa-tasks", summary="QA evaluation tasks (QA users: theirs with mine=true)")
async def qa_tasks(
    uow: Uow,
    principal: Reader,
    week: Annotated[str | None, Query(max_length=8)] = None,
    state: Annotated[list[str] | None, Query(max_length=3)] = None,
    mine: bool = False,
) -> list[dict[str, Any]]:
    _qa_or_admin(principal)
    found = await SqlSampling(uow.conn).tasks(
        principal.tenant_id, week=week, states=tuple(state or ()),
        assignee_id=principal.user_id if mine else None,
    )  # fmt: skip
    return [present(t) for t in found]


# -- the sampling job and the tasks' reassigning and cancelling (ADR 0193) ---------------


def _job_out(job: JobView | None) -> dict[str, Any]:
    """When the weekly job last ran and runs next, and how many tasks its last run made."""
    if job is None:
        return {"scheduled": False}
    return present({
        "scheduled": True, "state": job.state.value, "next_run_at": job.due_at,
        "last_run_at": job.last_run_at, "last_finished_at": job.last_finished_at,
        "runs": job.runs, "tasks_made": job.progress.done if job.runs else None,
        "last_error": job.last_error, "timezone": job.timezone,
    })  # fmt: skip


@router.get("/sampling-job", summary="The weekly sampling job: last run, next run, tasks made")
async def sampling_job(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    _qa_or_admin(principal)
    job = await Jobs(uow.conn).find(principal.tenant_id, SAMPLING_KIND)
    return _job_out(None if job is None else services_of(request).jobs.live(job))


@router.post("/sampling-job/run", summary="Run the sampling job now (the last whole week)")
async def run_sampling_job(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    _qa_or_admin(principal)
    job = await Jobs(uow.conn).find(principal.tenant_id, SAMPLING_KIND)
    if job is None:
        raise QaTaskRefused("quality.sampling.not_scheduled")
    host = services_of(request).jobs
    job = await host.run_now(uow.conn, job.id, tenant_id=principal.tenant_id)
    await uow.commit()
    host.wake()  # after the commit: the host's own connection sees the job due
    return _job_out(job)


def _tasks(request: Request, uow: UnitOfWork, principal: Principal) -> QaTaskService:
    clock = services_of(request).clock
    return QaTaskService(SqlSampling(uow.conn), principal.tenant_id, uow.emit, clock.now)


async def _audit_task(
    request: Request, uow: UnitOfWork, principal: Principal, action: str, task_id: str,
    change: TaskChange,
) -> None:  # fmt: skip
    await SqlAudit(uow.conn).add({
        "tenant_id": principal.tenant_id, "at": services_of(request).clock.now(),
        "actor_id": principal.user_id, "actor_name": principal.username, "action": action,
        "entity": "qa_task", "entity_id": task_id, "before": change.before,
        "after": change.after, "ip": client_ip(request),
    })  # fmt: skip


async def _task_out(uow: UnitOfWork, principal: Principal, task_id: str) -> dict[str, Any]:
    found = await SqlSampling(uow.conn).tasks(principal.tenant_id, task_id=task_id)
    return present(found[0])


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: Annotated[str, StringConstraints(min_length=1, max_length=26)]


@router.post("/qa-tasks/{task_id}/reassign", summary="Give an open task to another QA user")
async def reassign_task(
    task_id: str, body: ReassignIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    _qa_or_admin(principal)
    change = await _tasks(request, uow, principal).reassign(
        task_id, body.assignee_id, principal.user_id
    )
    await _audit_task(request, uow, principal, "reassign", task_id, change)
    await uow.commit()
    return await _task_out(uow, principal, task_id)


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(max_length=REASON_MAX * 2)] = ""  # the service says too long


@router.post("/qa-tasks/{task_id}/cancel", summary="Cancel an open task, with a reason")
async def cancel_task(
    task_id: str, body: CancelIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    _qa_or_admin(principal)
    change = await _tasks(request, uow, principal).cancel(task_id, body.reason, principal.user_id)
    await _audit_task(request, uow, principal, "cancel", task_id, change)
    await uow.commit()
    return await _task_out(uow, principal, task_id)

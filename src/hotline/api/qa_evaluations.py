"""QA scorecards, evaluations, disputes and calibrations over HTTP (docs/quality.md, ADR
0217–0219). Handlers only translate HTTP; `hotline.quality.evaluating` decides who may do what."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.quality.calibration import Spread
from hotline.quality.evaluating import CalibrationView, EvaluationService, Who
from hotline.quality.evaluations import Comment, Evaluation
from hotline.quality.scorecards import Scorecard
from hotline.store.auth_repo import SqlUsers
from hotline.store.evaluations_repo import SqlEvaluations
from hotline.store.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/quality", tags=["quality"])

Reader = Annotated[Principal, Depends(require(Permission.INTERACTIONS_READ))]
ConfigReader = Annotated[Principal, Depends(require(Permission.CONFIG_READ))]
Configurer = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
Name = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=26)]


def _service(request: Request, uow: UnitOfWork, principal: Principal) -> EvaluationService:
    clock = services_of(request).clock
    return EvaluationService(SqlEvaluations(uow.conn), principal.tenant_id, uow.emit, clock.now)


def _who(principal: Principal) -> Who:
    return Who(principal.user_id, principal.roles, principal.agent_id, principal.language)


def _scorecard_out(row: dict[str, Any]) -> dict[str, Any]:
    form: Scorecard = row["form"]
    return present({
        "id": row["id"], "name": row["name"], "version": row["version"], "state": row["state"],
        "created_at": row["created_at"], "published_at": row["published_at"],
        "form": form.model_dump(mode="json"),
    })  # fmt: skip


def _evaluation_out(e: Evaluation) -> dict[str, Any]:
    return present({
        "id": e.id, "task_id": e.task_id, "calibration_id": e.calibration_id,
        "interaction_id": e.interaction_id, "work_id": e.work_id, "agent_id": e.agent_id,
        "evaluator_id": e.evaluator_id, "scorecard": e.scorecard, "version": e.version,
        "state": e.state.value, "answers": e.answers, "score": e.score,
        "critical_failed": list(e.critical_failed), "points": e.points,
        "created_at": e.created_at, "submitted_at": e.submitted_at,
        "acknowledged_at": e.acknowledged_at, "dispute_reason": e.dispute_reason,
        "disputed_at": e.disputed_at, "second_evaluator_id": e.second_evaluator_id,
        "resolver_id": e.resolver_id,
        "resolution": e.resolution.value if e.resolution else None,
        "resolution_note": e.resolution_note, "original_score": e.original_score,
        "resolved_at": e.resolved_at,
    })  # fmt: skip


def _comment_out(c: Comment) -> dict[str, Any]:
    return present({"id": c.id, "at_s": c.at_s, "text": c.text, "by": c.by,
                    "created_at": c.created_at})  # fmt: skip


def _spread_out(s: Spread) -> dict[str, Any]:
    return {"key": s.key, "answered": s.answered, "min": s.low, "max": s.high,
            "stddev": s.stddev}  # fmt: skip


def _calibration_out(view: CalibrationView) -> dict[str, Any]:
    pending = view.spread is None
    return {
        **present(dict(view.calibration)),
        "evaluations": [
            # until every evaluator has submitted, nobody sees another's answers
            {"id": e.id, "evaluator_id": e.evaluator_id, "state": e.state.value}
            if pending else _evaluation_out(e)
            for e in view.evaluations
        ],
        "complete": not pending,
        "spread": None if view.spread is None else [_spread_out(s) for s in view.spread],
    }  # fmt: skip


# -- scorecards ---------------------------------------------------------------------------


@router.get("/scorecards", summary="Every version of the center's scorecards")
async def scorecards(uow: Uow, principal: ConfigReader) -> list[dict[str, Any]]:
    return [_scorecard_out(r) for r in await SqlEvaluations(uow.conn).scorecards(
        principal.tenant_id)]  # fmt: skip


@router.post("/scorecards", status_code=201, summary="A new draft version of a scorecard")
async def new_scorecard(
    body: Scorecard, request: Request, uow: Uow, principal: Configurer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).new_version(_who(principal), body)
    await uow.commit()
    return _scorecard_out(row)


@router.get("/scorecards/{scorecard_id}", summary="One version of a scorecard")
async def scorecard(
    scorecard_id: Id, request: Request, uow: Uow, principal: ConfigReader
) -> dict[str, Any]:
    return _scorecard_out(await _service(request, uow, principal).by_id(scorecard_id))


@router.put("/scorecards/{scorecard_id}", summary="Change a draft version")
async def change_scorecard(
    scorecard_id: Id,
    body: dict[str, Any],
    request: Request,
    uow: Uow,
    principal: Configurer,
) -> dict[str, Any]:
    service = _service(request, uow, principal)
    await service.by_id(scorecard_id)  # another center's or none: 404 before the body
    try:
        form = Scorecard.model_validate(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    row = await service.change_draft(scorecard_id, form)
    await uow.commit()
    return _scorecard_out(row)


@router.post(
    "/scorecards/{scorecard_id}/publish",
    summary="Publish a draft version (immutable from now on; the previous one is retired)",
)
async def publish_scorecard(
    scorecard_id: Id, request: Request, uow: Uow, principal: Configurer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).publish(scorecard_id)
    await uow.commit()
    return _scorecard_out(row)


# -- evaluations --------------------------------------------------------------------------


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task_id: Id
    scorecard: Name


@router.post("/evaluations", status_code=201, summary="Start (or reopen) a QA task's evaluation")
async def start_evaluation(
    body: StartIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    found = await _service(request, uow, principal).start(
        _who(principal), body.task_id, body.scorecard
    )
    await uow.commit()
    return _evaluation_out(found)


@router.get("/evaluations", summary="Evaluations I may see (an agent: her own)")
async def evaluations(
    request: Request,
    uow: Uow,
    principal: Reader,
    state: Annotated[list[str] | None, Query(max_length=5)] = None,
) -> list[dict[str, Any]]:
    found = await _service(request, uow, principal).visible(_who(principal), tuple(state or ()))
    return [_evaluation_out(e) for e in found]


@router.get("/evaluations/{evaluation_id}", summary="One evaluation with its form and comments")
async def evaluation(
    evaluation_id: Id, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    service = _service(request, uow, principal)
    who = _who(principal)
    found = await service.get(who, evaluation_id)
    card = await service.version(found.scorecard, found.version)
    heard = await SqlEvaluations(uow.conn).recordings(principal.tenant_id, found.interaction_id)
    comments = await service.comments(who, evaluation_id)
    named = (found.evaluator_id, found.second_evaluator_id, found.resolver_id)
    people = await SqlUsers(uow.conn).names(
        principal.tenant_id, [u for u in (*named, *(c.by for c in comments)) if u]
    )
    return {
        **_evaluation_out(found),
        "people": people,  # user id → name, for the evaluators and the comments' authors
        "form": card["form"].model_dump(mode="json"),
        "comments": [_comment_out(c) for c in comments],
        "recordings": [{**present(r), "url": f"/api/v1/recordings/{r['id']}"} for r in heard],
        "timeline_url": f"/api/v1/interactions/{found.interaction_id}",
    }


class AnswersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[Annotated[str, StringConstraints(max_length=32)], str | int] = Field(
        default_factory=dict, max_length=500
    )


@router.put("/evaluations/{evaluation_id}/answers", summary="Save a draft's answers so far")
async def save_answers(
    evaluation_id: Id, body: AnswersIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    found = await _service(request, uow, principal).save_draft(
        _who(principal), evaluation_id, body.answers
    )
    await uow.commit()
    return _evaluation_out(found)


@router.post("/evaluations/{evaluation_id}/submit", summary="Submit: every question answered")
async def submit_evaluation(
    evaluation_id: Id, body: AnswersIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    found = await _service(request, uow, principal).submit(
        _who(principal), evaluation_id, body.answers
    )
    await uow.commit()
    return _evaluation_out(found)


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # seconds from the recording's start (a click on the waveform); None: the whole contact
    at_s: Annotated[float, Field(ge=0, le=86400)] | None = None
    body: Annotated[str, StringConstraints(max_length=2000)]


@router.post(
    "/evaluations/{evaluation_id}/comments", status_code=201,
    summary="A comment at a time of the recording",
)  # fmt: skip
async def add_comment(
    evaluation_id: Id, body: CommentIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    made = await _service(request, uow, principal).comment(
        _who(principal), evaluation_id, body.at_s, body.body
    )
    await uow.commit()
    return _comment_out(made)


@router.post("/evaluations/{evaluation_id}/acknowledge", summary="The agent accepts it")
async def acknowledge(
    evaluation_id: Id, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    found = await _service(request, uow, principal).acknowledge(_who(principal), evaluation_id)
    await uow.commit()
    return _evaluation_out(found)


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""


@router.post("/evaluations/{evaluation_id}/dispute", summary="The agent disputes it, saying why")
async def dispute(
    evaluation_id: Id, body: DisputeIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    found = await _service(request, uow, principal).dispute(
        _who(principal), evaluation_id, body.reason
    )
    await uow.commit()
    return _evaluation_out(found)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # None upholds the score; the whole form's answers change it
    answers: dict[Annotated[str, StringConstraints(max_length=32)], str | int] | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


@router.post(
    "/evaluations/{evaluation_id}/resolve",
    summary="The second evaluator upholds the score or changes the answers",
)
async def resolve(
    evaluation_id: Id, body: ResolveIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    found = await _service(request, uow, principal).resolve(
        _who(principal), evaluation_id, body.answers, body.note
    )
    await uow.commit()
    return _evaluation_out(found)


# -- calibrations -------------------------------------------------------------------------


@router.get("/evaluators", summary="The center's QA users, who a calibration may name")
async def evaluators(request: Request, uow: Uow, principal: Reader) -> list[dict[str, str]]:
    ids = await _service(request, uow, principal).evaluators(_who(principal))
    names = await SqlUsers(uow.conn).names(principal.tenant_id, ids)
    return [{"id": i, "name": names.get(i, i)} for i in ids]


class CalibrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task_id: Id
    scorecard: Name
    evaluators: list[Id] = Field(max_length=20)


@router.post("/calibrations", status_code=201, summary="Several evaluators score one contact")
async def calibrate(
    body: CalibrationIn, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    view = await _service(request, uow, principal).calibrate(
        _who(principal), body.task_id, body.scorecard, body.evaluators
    )
    await uow.commit()
    return _calibration_out(view)


@router.get(
    "/calibrations/{calibration_id}",
    summary="A calibration: the spread per question once every evaluator has submitted",
)
async def calibration(
    calibration_id: Id, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    view = await _service(request, uow, principal).calibration(_who(principal), calibration_id)
    return _calibration_out(view)

"""The outbound dialer over HTTP (docs/dialer.md): campaigns (create, read, edit, start /
pause / resume / finish, attach and order call lists, figures), call lists, do-not-call
numbers, preview dialing at the desk (take the next record, skip it, finish it with an
outcome, a disposition and the script's answers; the call itself is the desk's
click-to-call), and a progressive or predictive call's record and script for the agent it was
put through to (the answers saved into the record, the campaign's disposition at wrap-up).
Handlers only translate HTTP; `hotline.dialer` decides and `hotline.store.dialer_repo`
stores."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.api.desk import me
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.dialer.call_desk import CampaignCallDesk
from hotline.dialer.dispositions import CampaignWrapUp
from hotline.dialer.edit import (
    changes_of,
    dispositions_out,
    edit_campaign,
    edit_lists,
    parse_dispositions,
)
from hotline.dialer.errors import RecordNotFound
from hotline.dialer.hygiene import dialable_number
from hotline.dialer.model import (
    CallRecord,
    Campaign,
    CampaignStatus,
    DialMode,
    ListOrder,
    campaign_transition,
)
from hotline.dialer.outcomes import Outcome
from hotline.dialer.preview import PreviewCard, PreviewDesk
from hotline.dialer.running import CAMPAIGN_KIND, campaign_key
from hotline.dialer.script import Question, parse_script
from hotline.dialer.windows import CallingWindow
from hotline.errors import NotFound
from hotline.ids import new_id
from hotline.store.auth_repo import SqlAudit
from hotline.store.dialer_repo import SqlDialerStore
from hotline.store.import_targets import tenant_info
from hotline.store.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["dialer"])

Reader = Annotated[Principal, Depends(require(Permission.CONFIG_READ))]
Writer = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
Agent = Annotated[Principal, Depends(require(Permission.DESK))]
Watcher = Annotated[Principal, Depends(require(Permission.EVENTS_READ))]
Id = Annotated[str, StringConstraints(min_length=1, max_length=26)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Window = dict[str, list[Annotated[str, StringConstraints(max_length=20)]]]
DAY_S = 86_400.0


class CampaignIn(BaseModel):
    """A new campaign; caps and timeouts are checked by `Campaign` itself, which says what is
    wrong in the form's words (a percent, hours)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    mode: DialMode
    queue_id: Ref | None = None
    flow_id: Ref | None = None
    abandon_cap: float = 0.03
    abandon_window_s: float = DAY_S
    ring_timeout_s: float = 25.0
    max_lines_per_agent: float = 5.0
    caller_ids: list[Phone] = Field(default_factory=list, max_length=100)
    caller_id_daily_cap: int = Field(0, ge=0, le=100_000)
    window: Window = Field(default_factory=dict, max_length=14)
    calendar_id: Id | None = None
    retry: dict[str, Any] = Field(default_factory=dict, max_length=10)
    script: dict[str, Any] = Field(default_factory=dict)
    dispositions: list[dict[str, Any]] = Field(default_factory=list, max_length=50)


class ListPlaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    list_id: Id
    order: ListOrder = ListOrder.IN_ORDER


class CampaignPatch(BaseModel):
    """Only the settings to change; `hotline.dialer.edit` says which may change now."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    mode: DialMode | None = None
    queue_id: Ref | None = None
    flow_id: Ref | None = None
    abandon_cap: float | None = None
    abandon_window_s: float | None = None
    ring_timeout_s: float | None = None
    max_lines_per_agent: float | None = None
    caller_ids: list[Phone] | None = Field(None, max_length=100)
    caller_id_daily_cap: int | None = Field(None, ge=0, le=100_000)
    window: Window | None = Field(None, max_length=14)
    calendar_id: Id | None = None
    retry: dict[str, Any] | None = Field(None, max_length=10)
    script: dict[str, Any] | None = None
    dispositions: list[dict[str, Any]] | None = Field(None, max_length=50)
    lists: list[ListPlaceIn] | None = Field(None, max_length=100)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["start", "pause", "resume", "finish"]


class AttachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    list_id: Id
    position: int | None = Field(None, ge=0, le=1000)
    order: ListOrder = ListOrder.IN_ORDER


class DncIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Phone
    campaign_id: Id | None = None
    reason: Annotated[str, StringConstraints(max_length=200)] = ""


class PathIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[Annotated[str, StringConstraints(max_length=40)], Any] = Field(
        default_factory=dict, max_length=50
    )


class FinishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["connected", "no_answer", "busy", "invalid", "refused", "machine"]
    answers: dict[Annotated[str, StringConstraints(max_length=40)], Any] = Field(
        default_factory=dict, max_length=50
    )
    callback_at: float | None = Field(None, ge=0)
    callback_local: Annotated[str, StringConstraints(max_length=32)] | None = Field(
        None, description="the callback's date and time in the center's zone: 2026-12-31T14:30"
    )
    callback_mine: bool = True
    disposition: Annotated[str, StringConstraints(max_length=32)] | None = None


def _store(uow: UnitOfWork, principal: Principal) -> SqlDialerStore:
    return SqlDialerStore(uow.conn, principal.tenant_id)


def _campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "mode": str(campaign.mode),
        "status": str(campaign.status),
        "queue_id": campaign.queue_id,
        "flow_id": campaign.flow_id,
        "abandon_cap": campaign.abandon_cap,
        "abandon_window_s": campaign.abandon_window_s,
        "ring_timeout_s": campaign.ring_timeout_s,
        "max_lines_per_agent": campaign.max_lines_per_agent,
        "caller_ids": list(campaign.caller_ids),
        "caller_id_daily_cap": campaign.caller_id_daily_cap,
        "window": dict(campaign.window),
        "calendar_id": campaign.calendar_id,
        "retry": dict(campaign.retry),
        "script": dict(campaign.script),
        "dispositions": dispositions_out(campaign),
    }


def _record_out(record: CallRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "campaign_id": record.campaign_id,
        "list_id": record.list_id,
        "phone": record.phone,
        "fields": record.fields,
        "status": str(record.status),
        "attempts": record.attempts,
        "next_at": record.next_at,
        "last_outcome": record.last_outcome,
        "agent_id": record.agent_id,
    }


def _questions_out(questions: list[Question], language: str) -> list[dict[str, Any]]:
    return [
        {"key": q.key, "text": q.text(language), "type": q.type,
         "choices": list(q.choices), "required": q.required, "field": q.target}
        for q in questions
    ]  # fmt: skip


def _card_out(card: PreviewCard, language: str) -> dict[str, Any]:
    return {
        "record": _record_out(card.record),
        "opening": card.opening,
        "questions": _questions_out(card.questions, language),
        "lease_until": card.lease_until,
    }


@router.get("/campaigns", summary="Outbound campaigns")
async def campaigns(uow: Uow, principal: Reader) -> dict[str, Any]:
    return {"items": [_campaign_out(c) for c in await _store(uow, principal).campaigns()]}


@router.post("/campaigns", status_code=201, summary="A new campaign (draft)")
async def create(body: CampaignIn, request: Request, uow: Uow, principal: Writer) -> dict[str, Any]:
    now = services_of(request).clock.now()
    info = await tenant_info(uow.conn, principal.tenant_id)
    # Checked whole before anything is written: the window, the script, and (by the campaign
    # itself) the retry rules.
    CallingWindow(body.window, default_zone=info.time_zone)
    parse_script(body.script)
    campaign = Campaign(
        id=new_id(now),
        tenant_id=principal.tenant_id,
        name=body.name,
        mode=body.mode,
        queue_id=body.queue_id,
        flow_id=body.flow_id,
        abandon_cap=body.abandon_cap,
        abandon_window_s=body.abandon_window_s,
        ring_timeout_s=body.ring_timeout_s,
        max_lines_per_agent=body.max_lines_per_agent,
        dispositions=parse_dispositions(body.dispositions),
        caller_ids=tuple(
            dialable_number(number, field=f"caller_ids.{index}")
            for index, number in enumerate(body.caller_ids)
        ),
        caller_id_daily_cap=body.caller_id_daily_cap,
        window=body.window,
        calendar_id=body.calendar_id,
        retry=body.retry,
        script=body.script,
    )
    await _store(uow, principal).add_campaign(campaign, now)
    await uow.commit()
    return _campaign_out(campaign)


@router.get("/campaigns/{campaign_id}", summary="A campaign with its lists and figures")
async def campaign(
    campaign_id: Id, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    return await _campaign_full(uow, principal, campaign_id, services_of(request).clock.now())


async def _campaign_full(
    uow: UnitOfWork, principal: Principal, campaign_id: str, now: float
) -> dict[str, Any]:
    store = _store(uow, principal)
    found = await store.campaign(campaign_id)
    lists = await store.campaign_lists(campaign_id)
    return {
        **_campaign_out(found),
        "lists": [
            {"list_id": item.list_id, "position": item.position, "order": str(item.order)}
            for item in lists
        ],
        "figures": (await store.figures(found, now)).as_dict(),
    }


@router.patch("/campaigns/{campaign_id}", summary="Change a campaign's settings or list order")
async def edit(
    campaign_id: Id, body: CampaignPatch, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    services = services_of(request)
    now = services.clock.now()
    store = _store(uow, principal)
    before = await store.campaign(campaign_id)
    changes = body.model_dump(exclude_unset=True)
    wanted_lists = changes.pop("lists", None)
    info = await tenant_info(uow.conn, principal.tenant_id)
    after = edit_campaign(before, changes, default_zone=info.time_zone)
    old, new = changes_of(before, after)
    if wanted_lists is not None:
        current = await store.campaign_lists(campaign_id)
        kept, removed = edit_lists(current, wanted_lists, before.status)
        if [(k.list_id, k.order) for k in kept] != [(c.list_id, c.order) for c in current]:
            await store.set_lists(campaign_id, kept, removed)
            old["lists"] = [{"list_id": c.list_id, "order": str(c.order)} for c in current]
            new["lists"] = [{"list_id": k.list_id, "order": str(k.order)} for k in kept]
    if new:
        await store.update_campaign(after, now)
        await SqlAudit(uow.conn).add(
            {
                "tenant_id": principal.tenant_id,
                "at": now,
                "actor_id": principal.user_id,
                "actor_name": principal.username,
                "action": "update",
                "entity": "campaign",
                "entity_id": campaign_id,
                "before": old,
                "after": new,
                "ip": client_ip(request),
            }
        )
    await uow.commit()
    return {**await _campaign_full(uow, principal, campaign_id, now), "changed": sorted(new)}


@router.get("/campaign-figures", summary="The running and paused campaigns' figures (wallboard)")
async def campaign_figures(request: Request, uow: Uow, principal: Watcher) -> dict[str, Any]:
    now = services_of(request).clock.now()
    store = _store(uow, principal)
    items = []
    for found in await store.campaigns():
        if found.status not in (CampaignStatus.RUNNING, CampaignStatus.PAUSED):
            continue
        figures = (await store.figures(found, now)).as_dict()
        items.append(
            {"id": found.id, "name": found.name, "mode": str(found.mode),
             "status": str(found.status), "figures": figures}
        )  # fmt: skip
    return {"items": items, "at": now}


@router.get("/campaigns/{campaign_id}/records", summary="A campaign's records with their fields")
async def campaign_records(campaign_id: Id, uow: Uow, principal: Reader) -> dict[str, Any]:
    store = _store(uow, principal)
    await store.campaign(campaign_id)  # another center's campaign is not found
    return {"items": [_record_out(r) for r in await store.records(campaign_id)]}


@router.post("/campaigns/{campaign_id}/status", summary="Start, pause, resume or finish")
async def set_status(
    campaign_id: Id, body: StatusIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    store = _store(uow, principal)
    found = await store.campaign(campaign_id)
    status = campaign_transition(found.status, body.action)
    services = services_of(request)
    await store.set_status(campaign_id, status, services.clock.now())
    if status is CampaignStatus.RUNNING and found.mode is not DialMode.PREVIEW:
        # The live dialer runs on the job host while the campaign runs (ADR 0266).
        await services.jobs.schedule(
            uow.conn,
            CAMPAIGN_KIND,
            tenant_id=principal.tenant_id,
            payload={"campaign_id": campaign_id},
            key=campaign_key(campaign_id),
        )
    await uow.commit()
    return {"id": campaign_id, "status": str(status)}


@router.post("/campaigns/{campaign_id}/lists", status_code=201, summary="Dial a call list too")
async def attach(
    campaign_id: Id, body: AttachIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    store = _store(uow, principal)
    if not any(item["id"] == body.list_id for item in await store.lists()):
        raise NotFound("no such call list", code="dialer.list.not_found",
                       details={"field": "list_id"})  # fmt: skip
    done = await store.attach_list(
        campaign_id, body.list_id, services_of(request).clock.now(),
        position=body.position, order=body.order,
    )  # fmt: skip
    await uow.commit()
    return {"added": done.added, "dnc": done.dnc, "duplicates": done.duplicates}


@router.get("/call-lists", summary="Call lists (imported with the call_lists target)")
async def call_lists(uow: Uow, principal: Reader) -> dict[str, Any]:
    return {"items": await _store(uow, principal).lists()}


@router.post("/dnc", status_code=201, summary="Never call this number (center or campaign)")
async def add_dnc(body: DncIn, request: Request, uow: Uow, principal: Writer) -> dict[str, Any]:
    store = _store(uow, principal)
    if body.campaign_id:
        await store.campaign(body.campaign_id)
    phone = await store.add_dnc(
        body.phone, services_of(request).clock.now(),
        campaign_id=body.campaign_id, reason=body.reason,
    )  # fmt: skip
    await uow.commit()
    return {"phone": phone, "campaign_id": body.campaign_id}


async def _desk(request: Request, uow: UnitOfWork, principal: Principal) -> PreviewDesk:
    info = await tenant_info(uow.conn, principal.tenant_id)
    return PreviewDesk(
        _store(uow, principal), services_of(request).clock, default_zone=info.time_zone
    )


async def _record_exists(uow: UnitOfWork, principal: Principal, record_id: str) -> None:
    """Another center's record is not found, whoever asks."""
    if await _store(uow, principal).record(record_id) is None:
        raise RecordNotFound(f"no record {record_id!r}", details={"field": "record_id"})


@router.get("/desk/preview/campaigns", summary="预览: the running preview campaigns I may work")
async def preview_campaigns(uow: Uow, principal: Agent) -> dict[str, Any]:
    running = [
        c for c in await _store(uow, principal).campaigns()
        if c.mode is DialMode.PREVIEW and c.status is CampaignStatus.RUNNING
    ]  # fmt: skip
    return {"items": [{"id": c.id, "name": c.name, "queue_id": c.queue_id} for c in running]}


@router.post("/desk/preview/{campaign_id}/take", summary="预览: the next record for me")
async def take(campaign_id: Id, request: Request, uow: Uow, principal: Agent) -> dict[str, Any]:
    desk = await _desk(request, uow, principal)
    found = await desk.store.campaign(campaign_id)  # another center's is not found
    card = await desk.take(campaign_id, str(me(principal)), principal.language)
    await uow.commit()
    if card is None:
        return {"card": None}
    english = principal.language == "en"
    return {
        "card": {
            **_card_out(card, principal.language),
            "time_zone": desk.default_zone,  # a callback's date and time are read in it
            "dispositions": [
                {"code": d.code, "label": d.label_en if english else d.label_zh}
                for d in found.dispositions
            ],
        }
    }


@router.post("/desk/preview/records/{record_id}/skip", summary="Give the record back")
async def skip(record_id: Id, request: Request, uow: Uow, principal: Agent) -> dict[str, Any]:
    await _record_exists(uow, principal, record_id)
    await (await _desk(request, uow, principal)).skip(record_id, str(me(principal)))
    await uow.commit()
    return {"id": record_id}


@router.post("/desk/preview/records/{record_id}/path", summary="The script's next questions")
async def path(
    record_id: Id, body: PathIn, request: Request, uow: Uow, principal: Agent
) -> dict[str, Any]:
    await _record_exists(uow, principal, record_id)
    desk = await _desk(request, uow, principal)
    questions = await desk.path(record_id, str(me(principal)), body.answers)
    return {"questions": _questions_out(questions, principal.language)}


@router.post("/desk/preview/records/{record_id}/finish", summary="Outcome and the script's answers")
async def finish(
    record_id: Id, body: FinishIn, request: Request, uow: Uow, principal: Agent
) -> dict[str, Any]:
    await _record_exists(uow, principal, record_id)
    desk = await _desk(request, uow, principal)
    record = await desk.finish(
        record_id, str(me(principal)), outcome=Outcome(body.outcome), answers=body.answers,
        callback_at=body.callback_at, callback_local=body.callback_local,
        callback_mine=body.callback_mine,
        disposition=body.disposition,
    )  # fmt: skip
    await uow.commit()
    return _record_out(record)


class CampaignDispositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disposition: Annotated[str, StringConstraints(min_length=1, max_length=32)]


@router.get("/desk/campaign-call", summary="The campaign, record and script of a call I took")
async def campaign_call(
    request: Request,
    uow: Uow,
    principal: Agent,
    interaction_id: Annotated[str, Query(max_length=64)],
) -> dict[str, Any]:
    """`{"call": null}` when the contact is not a campaign call put through to the agent (the
    desk asks with every call and at every wrap-up)."""
    agent_id = principal.agent_id or ""  # not an agent: no call of theirs
    desk = CampaignCallDesk(_store(uow, principal), services_of(request).clock)
    card = await desk.card(interaction_id, agent_id, principal.language)
    if card is None:
        return {"call": None}
    campaign = card.campaign
    english = principal.language == "en"
    return {
        "call": {
            "interaction_id": card.call.interaction_id,
            "campaign_id": campaign.id,
            "campaign": campaign.name,
            "record_id": card.call.record_id,
            "record": _record_out(card.record),
            "opening": card.opening,
            "answers": card.answers,
            "questions": _questions_out(card.questions, principal.language),
            "dispositions": [
                {"code": d.code, "label": d.label_en if english else d.label_zh}
                for d in campaign.dispositions
            ],
        }
    }


@router.post(
    "/desk/campaign-calls/{interaction_id}/path",
    summary="The script's next questions on a campaign call I took",
)
async def campaign_call_path(
    interaction_id: Id, body: PathIn, request: Request, uow: Uow, principal: Agent
) -> dict[str, Any]:
    desk = CampaignCallDesk(_store(uow, principal), services_of(request).clock)
    questions = await desk.path(interaction_id, principal.agent_id or "", body.answers)
    return {"questions": _questions_out(questions, principal.language)}


@router.post(
    "/desk/campaign-calls/{interaction_id}/answers",
    summary="Save the script's answers into the record of a campaign call I took",
)
async def campaign_call_answers(
    interaction_id: Id, body: PathIn, request: Request, uow: Uow, principal: Agent
) -> dict[str, Any]:
    # Another center's call, or one not put through to this agent, is not found.
    desk = CampaignCallDesk(_store(uow, principal), services_of(request).clock)
    record = await desk.answer(interaction_id, principal.agent_id or "", body.answers)
    await uow.commit()
    return _record_out(record)


@router.post(
    "/desk/campaign-calls/{interaction_id}/disposition",
    summary="Wrap-up: the campaign's disposition of a progressive or predictive call",
)
async def campaign_call_disposition(
    interaction_id: Id, body: CampaignDispositionIn, request: Request, uow: Uow, principal: Agent
) -> dict[str, Any]:
    # Another center's call, or one the user was not on, is not found, whoever asks.
    chosen = await CampaignWrapUp(_store(uow, principal)).dispose(
        interaction_id, principal.agent_id or "", body.disposition, services_of(request).clock.now()
    )
    await uow.commit()
    return {"interaction_id": interaction_id, "disposition": chosen.code}

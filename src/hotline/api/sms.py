"""SMS over HTTP (docs/sms.md): a center's SMS settings and opt-out list (admins), its
messages, a text sent from the desk during a call (agents), and the HTTP gateway's signed
webhooks for inbound messages and delivery receipts (no login: the HMAC signature is the
credential; a bad one is 401 and nothing is stored)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import require, services_of
from hotline.api.desk import me, runtime_of
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.channels.sms.errors import SmsInvalid, SmsSignatureInvalid
from hotline.channels.sms.http_provider import parse_inbound, parse_receipt
from hotline.channels.sms.optout import DEFAULT_OPT_OUT_WORDS, DEFAULT_RESUME_WORDS
from hotline.channels.sms.settings import SmsConfig
from hotline.errors import Conflict

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["sms"])

Admin = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
Reader = Annotated[Principal, Depends(require(Permission.CUSTOMERS_READ))]
Agent = Annotated[Principal, Depends(require(Permission.DESK))]

MASK = "********"  # a secret as GET shows it; PUT with it keeps the stored one
_SECRETS = (("http", "api_key"), ("http", "webhook_secret"), ("smpp", "password"))


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(min_length=3, max_length=32)
    text: str | None = Field(default=None, max_length=2000)
    template: str | None = Field(default=None, max_length=64)
    values: dict[str, str] = Field(default_factory=dict, max_length=20)
    language: str = Field(default="zh-CN", pattern=r"^(zh-CN|en)$")
    sender: str | None = Field(default=None, max_length=20)


class DeskSmsIn(BaseModel):
    """A text to the customer of my current call (or to `to`)."""

    model_config = ConfigDict(extra="forbid")
    to: str | None = Field(default=None, min_length=3, max_length=32)
    text: str | None = Field(default=None, max_length=2000)
    template: str | None = Field(default=None, max_length=64)
    values: dict[str, str] = Field(default_factory=dict, max_length=20)
    language: str = Field(default="zh-CN", pattern=r"^(zh-CN|en)$")


class NoCustomerNumber(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "You have no call with a customer's number to text.",
            code="sms.desk.no_call",
            details={"field": "to"},
        )


def _masked(config: SmsConfig) -> dict[str, Any]:
    out = config.model_dump(mode="json")
    for section, key in _SECRETS:
        if out.get(section) and out[section].get(key):
            out[section][key] = MASK
    return out


def _message(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in (
        "id", "direction", "status", "provider", "sender", "recipient", "text", "encoding",
        "parts", "purpose", "reference", "user_id", "error", "created_at", "updated_at",
        "delivered_at",
    )}  # fmt: skip


# --- settings (admins) --------------------------------------------------------------------


@router.get("/sms/settings", summary="The center's SMS settings (secrets masked)")
async def get_settings(request: Request, principal: Admin) -> dict[str, Any]:
    services = services_of(request)
    try:
        config = await services.sms.config(principal.tenant_id)
    except SmsInvalid:
        return {
            "configured": False,
            "settings": None,
            "defaults": {"opt_out_words": list(DEFAULT_OPT_OUT_WORDS),
                         "resume_words": list(DEFAULT_RESUME_WORDS)},
        }  # fmt: skip
    return {"configured": True, "settings": _masked(config)}


@router.put("/sms/settings", summary="Set the provider, sender ids, templates, opt-out words")
async def put_settings(body: dict[str, Any], request: Request, principal: Admin) -> dict[str, Any]:
    services = services_of(request)
    try:
        old: dict[str, Any] | None = (await services.sms.config(principal.tenant_id)).model_dump()
    except SmsInvalid:
        old = None
    for section, key in _SECRETS:
        given = body.get(section)
        if isinstance(given, dict) and given.get(key) == MASK:
            kept = ((old or {}).get(section) or {}).get(key)
            if kept is None:
                raise SmsInvalid("sms.provider.url" if section == "http" else
                                 "sms.provider.smpp", f"{section}.{key}")  # fmt: skip
            body = {**body, section: {**given, key: kept}}
    config = await services.sms.save_config(principal.tenant_id, body)
    return {"configured": True, "settings": _masked(config)}


# --- messages ------------------------------------------------------------------------------


@router.get("/sms/messages", summary="Messages in and out, newest first (?number= one customer)")
async def list_messages(
    request: Request,
    principal: Reader,
    number: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    rows = await services_of(request).sms.messages(principal.tenant_id, number=number, limit=limit)
    return {"items": [_message(r) for r in rows], "total": len(rows)}


@router.post("/sms/messages", status_code=201, summary="Send a text (or a template)")
async def send_message(body: SendIn, request: Request, principal: Admin) -> dict[str, Any]:
    row = await services_of(request).sms.send(
        principal.tenant_id, body.to, text=body.text, template=body.template,
        values=body.values, language=body.language, sender=body.sender, purpose="message",
        user_id=principal.user_id,
    )  # fmt: skip
    return _message(row)


@router.post("/desk/sms", status_code=201, summary="Text the customer of my call (快捷短信)")
async def desk_sms(body: DeskSmsIn, request: Request, principal: Agent) -> dict[str, Any]:
    services = services_of(request)
    to, reference = body.to, None
    agent_id = me(principal)
    if services.telephony is not None and services.telephony.runtime is not None:
        view = runtime_of(services, principal.tenant_id).desk_view(agent_id)
        if view.current is not None:
            reference = view.current.interaction_id
            to = to or view.current.customer_number
    if not to:
        raise NoCustomerNumber()
    row = await services.sms.send(
        principal.tenant_id, to, text=body.text, template=body.template, values=body.values,
        language=body.language, purpose="quick_reply", reference=reference,
        user_id=principal.user_id,
    )  # fmt: skip
    return _message(row)


# --- opt-outs (admins) ----------------------------------------------------------------------


@router.get("/sms/opt-outs", summary="Numbers that asked not to be texted")
async def list_opt_outs(request: Request, principal: Admin) -> dict[str, Any]:
    rows = await services_of(request).sms.opt_outs(principal.tenant_id)
    return {"items": rows, "total": len(rows)}


class OptOutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=3, max_length=32)
    opted_out: bool = True  # False takes the number off the list


@router.post("/sms/opt-outs", status_code=204, summary="Put a number on the list (or off it)")
async def set_opt_out(body: OptOutIn, request: Request, principal: Admin) -> None:
    await services_of(request).sms.set_opt_out(principal.tenant_id, body.number, body.opted_out)


# --- the HTTP gateway's webhooks (signed, no login) -----------------------------------------


TenantQuery = Annotated[str, Query(min_length=1, max_length=26, pattern=r"^[0-9A-Za-z]+$")]


async def _secret(request: Request, tenant_id: str) -> str:
    """The center's webhook secret; no HTTP provider reads as a bad signature (nothing
    tells a caller which centers exist)."""
    try:
        config = await services_of(request).sms.config(tenant_id)
    except SmsInvalid:
        raise SmsSignatureInvalid() from None
    if config.provider != "http" or config.http is None:
        raise SmsSignatureInvalid()
    return config.http.webhook_secret


_SIGNED = {401: {"description": "A bad, missing or stale signature: nothing is stored"}}


@router.post(
    "/sms/http/inbound",
    summary="The gateway's inbound message (HMAC-signed; ?tenant=)",
    responses=_SIGNED,  # type: ignore[arg-type]
)
async def http_inbound(tenant: TenantQuery, request: Request) -> dict[str, Any]:
    services = services_of(request)
    secret = await _secret(request, tenant)
    sms = parse_inbound(secret, request.headers, await request.body(), now=services.clock.now())
    row = await services.sms.inbound(tenant, sms)
    return {"id": row["id"]}


@router.post(
    "/sms/http/receipts",
    summary="The gateway's delivery receipt (HMAC-signed; ?tenant=)",
    responses=_SIGNED,  # type: ignore[arg-type]
)
async def http_receipt(tenant: TenantQuery, request: Request) -> dict[str, Any]:
    services = services_of(request)
    secret = await _secret(request, tenant)
    receipt = parse_receipt(secret, request.headers, await request.body(), now=services.clock.now())
    known = await services.sms.receipt(tenant, "http", receipt)
    return {"known": known}

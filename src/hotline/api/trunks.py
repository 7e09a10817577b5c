"""Trunks managed from the admin pages (issue 19, docs/trunks.md): list a center's trunks with
their live registration status on this node, add, change or disable one, and test one (a
registration attempt, or an OPTIONS ping). The configured trunks are listed read-only beside
the stored ones (ADR 0202). Admins only."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.errors import Unavailable
from hotline.sip.transport.service import SipService
from hotline.sip.transport.trunk_registration import TrunkStatus
from hotline.sip.trunk import Trunk
from hotline.trunks import StoredTrunk, TrunkValues
from hotline.trunks.book import Actor, TrunkBook, trunk_view
from hotline.trunks.repository import SqlTrunks

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["trunks"])

Admin = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
TrunkId = Annotated[str, PathParam(max_length=26)]


class TrunkIn(BaseModel):
    """A trunk's values; the rules on them are `hotline.trunks.check_trunk`'s."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=64)
    host: str = Field(max_length=253)
    port: int = 5060
    transport: str = Field("udp", max_length=8)
    username: str = Field("", max_length=128)
    password: str = Field("", max_length=500, description="empty on a change: kept")
    realm: str = Field("", max_length=253)
    from_domain: str = Field("", max_length=253)
    # "register" on the wire; the name is BaseModel's (ABCMeta.register)
    registers: bool = Field(False, alias="register")
    register_expires: int = 3600
    codecs: list[str] = Field(["PCMU", "PCMA"], max_length=8)
    inbound_sources: list[str] = Field([], max_length=32)
    did_from: str = Field("request-uri", max_length=16)
    enabled: bool = True

    def values(self, *, keep_password: bool) -> TrunkValues:
        return TrunkValues(
            name=self.name, host=self.host, port=self.port, transport=self.transport,
            username=self.username,
            password=None if keep_password and not self.password else self.password,
            realm=self.realm, from_domain=self.from_domain, register=self.registers,
            register_expires=self.register_expires, codecs=tuple(self.codecs),
            inbound_sources=tuple(self.inbound_sources), did_from=self.did_from,
            enabled=self.enabled,
        )  # fmt: skip


def _sip(request: Request) -> SipService | None:
    telephony = services_of(request).telephony
    return telephony.sip if telephony is not None else None


def _configured(request: Request, tenant_id: str) -> list[Trunk]:
    """The config file's trunks of this center (all of them when telephony does not run here:
    their names stay reserved all the same)."""
    telephony = services_of(request).telephony
    if telephony is not None and telephony.trunks is not None:
        return [t for t in telephony.trunks.configured if t.tenant_id == tenant_id]
    return [
        Trunk(t.name, t.host, t.port, t.transport, register=t.registration)
        for t in services_of(request).settings.sip.trunks
    ]


def _status_view(status: TrunkStatus | None, registers: bool) -> dict[str, Any]:
    if status is None:
        return {"registers": registers, "state": "unregistered", "status": None,
                "reason": None, "last_attempt": None, "expires_at": None}  # fmt: skip
    view = asdict(status)
    view.pop("tenant_id")
    view.pop("trunk")
    view["state"] = status.state.value
    return view


def _actor(request: Request, principal: Principal) -> Actor:
    return {"actor_id": principal.user_id, "actor_name": principal.username,
            "ip": client_ip(request)}  # fmt: skip


def _book(request: Request, uow: Uow, principal: Principal) -> TrunkBook:
    services = services_of(request)
    return TrunkBook(
        uow.conn, services.secrets, uow.emit, services.clock.now(),
        configured={t.name for t in _configured(request, principal.tenant_id)},
    )  # fmt: skip


async def _stored(request: Request, tenant_id: str, trunk_id: str | None = None) -> Any:
    """The center's stored trunks (or one), read without the write lock the page's polling
    must not take."""
    services = services_of(request)
    async with services.uow(write=False) as uow:
        repo = SqlTrunks(uow.conn, services.secrets)
        return await (repo.list(tenant_id) if trunk_id is None else repo.get(tenant_id, trunk_id))


@router.get("/trunks", summary="The center's trunks with their registration status")
async def list_trunks(request: Request, principal: Admin) -> dict[str, Any]:
    sip = _sip(request)
    live = {s.trunk: s for s in (sip.trunk_status(principal.tenant_id) if sip else [])}
    stored: list[StoredTrunk] = await _stored(request, principal.tenant_id)
    items: list[dict[str, Any]] = []
    for trunk in stored:
        registers = trunk.values.register and trunk.values.enabled
        status = live.get(trunk.values.name) if trunk.values.enabled else None
        items.append({**trunk_view(trunk), "live": _status_view(status, registers)})
    for configured in _configured(request, principal.tenant_id):
        items.append({
            "id": None, "name": configured.name, "host": configured.host,
            "port": configured.port, "transport": configured.transport,
            "register": configured.register, "enabled": True, "source": "config",
            "live": _status_view(live.get(configured.name), configured.register),
        })  # fmt: skip
    return {"items": items, "telephony": sip is not None}


@router.post("/trunks", status_code=201, summary="Add a trunk; the SIP service follows at once")
async def add_trunk(request: Request, uow: Uow, principal: Admin, body: TrunkIn) -> dict[str, Any]:
    book = _book(request, uow, principal)
    trunk = await book.add(
        principal.tenant_id, body.values(keep_password=False), _actor(request, principal)
    )
    await uow.commit()
    return trunk_view(trunk)


@router.put("/trunks/{trunk_id}", summary="Change or disable a trunk; an empty password is kept")
async def change_trunk(
    request: Request, uow: Uow, principal: Admin, trunk_id: TrunkId, body: TrunkIn
) -> dict[str, Any]:
    book = _book(request, uow, principal)
    trunk = await book.change(
        principal.tenant_id, trunk_id, body.values(keep_password=True), _actor(request, principal)
    )
    await uow.commit()
    return trunk_view(trunk)


@router.post(
    "/trunks/{trunk_id}/test",
    summary="Test a trunk: a registration attempt, or an OPTIONS ping when it does not register",
)
async def test_trunk(request: Request, principal: Admin, trunk_id: TrunkId) -> dict[str, Any]:
    # Read, then let the connection go before waiting for the carrier (up to Timer F).
    stored: StoredTrunk = await _stored(request, principal.tenant_id, trunk_id)
    sip = _sip(request)
    if sip is None:
        raise Unavailable("SIP is not running on this server", code="trunk.no_telephony")
    probe = await sip.test_trunk(stored.sip_trunk())
    return {"method": probe.method, "status": probe.status, "reason": probe.reason,
            "ok": probe.ok}  # fmt: skip

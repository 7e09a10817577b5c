"""Outbound webhooks over HTTP: the center's webhooks (admins), their deliveries, the
dead-letter list (`?state=dead`) and redelivery."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import Paging, page, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.store.uow import UnitOfWork
from hotline.webhooks.service import WebhookIn, WebhookService

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

Admin = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]


def _service(request: Request, uow: UnitOfWork, principal: Principal) -> WebhookService:
    services = services_of(request)
    return WebhookService(
        uow.conn,
        tenant_id=principal.tenant_id,
        clock=services.clock,
        attempts=services.settings.tickets.webhook_attempts,
        secrets=services.secrets,
    )


@router.get("", summary="The center's webhooks")
async def list_webhooks(request: Request, uow: Uow, principal: Admin) -> dict[str, Any]:
    rows = await _service(request, uow, principal).all()
    return {"items": [present(r) for r in rows], "total": len(rows)}


@router.post("", status_code=201, summary="Create a webhook (its secret is shown once)")
async def create_webhook(
    body: WebhookIn, request: Request, uow: Uow, principal: Admin
) -> dict[str, Any]:
    row = await _service(request, uow, principal).create(body)
    await uow.commit()
    return present(row)


@router.get("/deliveries", summary="Deliveries; ?state=dead is the dead-letter list")
async def deliveries(
    request: Request,
    uow: Uow,
    principal: Admin,
    paging: Annotated[Paging, Depends()],
    state: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
    webhook_id: Annotated[str | None, Query(max_length=26)] = None,
) -> dict[str, Any]:
    rows, total = await _service(request, uow, principal).deliveries(
        state=state, webhook_id=webhook_id, limit=paging.limit, offset=paging.offset
    )
    return page(rows, total, paging)


@router.post("/deliveries/{delivery_id}/redeliver", summary="Deliver again")
async def redeliver(
    delivery_id: str, request: Request, uow: Uow, principal: Admin
) -> dict[str, Any]:
    row = await _service(request, uow, principal).redeliver(delivery_id)
    await uow.commit()
    services_of(request).jobs.wake()
    return present(row)


@router.get("/{webhook_id}", summary="A webhook")
async def get_webhook(
    webhook_id: str, request: Request, uow: Uow, principal: Admin
) -> dict[str, Any]:
    row = await _service(request, uow, principal).get(webhook_id)
    return present({k: v for k, v in row.items() if k != "secret"})


@router.put("/{webhook_id}", summary="Change a webhook")
async def put_webhook(
    webhook_id: str, body: WebhookIn, request: Request, uow: Uow, principal: Admin
) -> dict[str, Any]:
    row = await _service(request, uow, principal).update(webhook_id, body)
    await uow.commit()
    return present(row)


@router.delete("/{webhook_id}", status_code=204, summary="Delete a webhook")
async def delete_webhook(webhook_id: str, request: Request, uow: Uow, principal: Admin) -> Response:
    await _service(request, uow, principal).delete(webhook_id)
    await uow.commit()
    return Response(status_code=204)

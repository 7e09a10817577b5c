"""`create_api(services)`: the FastAPI application — REST, WebSocket, pages and static assets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from hotline import __version__
from hotline.api import (
    account,
    audit,
    auth,
    calendars,
    chat,
    customers,
    desk,
    dialer,
    directory,
    email,
    events,
    flow_designer,
    flows,
    hints,
    imports,
    interactions,
    knowledge,
    organizations,
    phone,
    platform,
    qa_evaluations,
    quality,
    reports,
    sip_bans,
    sms,
    supervise,
    system,
    ticket_setup,
    tickets,
    trunks,
    wallboard,
    webhooks,
    wfm,
    worklist,
)
from hotline.api.deps import permission_of
from hotline.api.errors import error_responses, install_error_handlers
from hotline.api.guard import InputGuard
from hotline.api.metrics import RequestMetrics
from hotline.api.security_headers import SecurityHeaders
from hotline.web.api_docs import install_api_docs
from hotline.web.pages import install_pages

if TYPE_CHECKING:
    from hotline.app import Services

__all__ = ["create_api"]


def create_api(services: Services) -> FastAPI:
    app = FastAPI(
        title="Hotline",
        version=__version__,
        description="Hotline contact center API. Errors are `{code, message, details}`.",
        docs_url=None,  # served by hotline.web.api_docs, without a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.services = services
    install_error_handlers(app)
    app.add_middleware(RequestMetrics, metrics=services.metrics)
    # Security (docs/security.md): refuse bad input early, send the browser defences.
    app.add_middleware(InputGuard, max_body_bytes=services.settings.http.max_body_bytes)
    app.add_middleware(SecurityHeaders, hsts_seconds=services.settings.http.hsts_seconds)
    for module in (
        system,
        auth,
        account,
        calendars,  # before directory: its fixed paths beat /holiday-calendars/{id}
        directory,
        customers,
        hints,
        dialer,
        organizations,
        tickets,
        ticket_setup,
        webhooks,
        interactions,
        flow_designer,  # before flows: /flows/palette beats /flows/{name}
        knowledge,
        flows,
        audit,
        events,
        wallboard,
        phone,
        desk,
        sms,
        chat,
        supervise,
        imports,
        reports,
        wfm,
        worklist,  # the worklist of missed contacts (history)
        quality,  # surveys, forced reviews (docs/quality.md)
        qa_evaluations,  # scorecards, evaluations, disputes, calibrations
        sip_bans,
        trunks,  # trunks managed from the admin pages (hotline.trunks)
        platform,  # the platform operator's tenants
        email,  # mailboxes and mails (hotline.channels.email)
    ):
        _document_permissions(module.router)
        app.include_router(module.router)
    install_api_docs(app)
    install_pages(app)
    return app


def _document_permissions(router: APIRouter) -> None:
    """Write each endpoint's required permission into OpenAPI as `x-permission` (`public` when
    none): clients see it, and the authorization matrix test is generated from it. Document the
    error statuses each endpoint can answer (`api.errors.error_responses`)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            permission = permission_of(route.dependant) or "public"
            route.openapi_extra = {**(route.openapi_extra or {}), "x-permission": permission}
            route.responses = {**error_responses(route, permission), **route.responses}

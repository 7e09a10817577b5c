"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from hotline import __version__
from hotline.api.deps import services_of
from hotline.store.migrate import current_revision, head_revision

if TYPE_CHECKING:
    pass

__all__ = ["router"]

router = APIRouter(tags=["system"])


@router.get("/api/v1/health", summary="Liveness: the process answers")
async def health(request: Request) -> dict[str, Any]:
    services = services_of(request)
    return {
        "status": "draining" if services.draining else "ok",
        "version": __version__,
        "uptime_s": round(services.clock.monotonic() - services.started_monotonic, 1),
    }


@router.get("/api/v1/ready", summary="Readiness: database reachable and migrated, not draining")
async def ready(request: Request) -> JSONResponse:
    services = services_of(request)
    checks: dict[str, str] = {}
    try:
        async with services.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        revision = await current_revision(services.engine)
        checks["migrations"] = "ok" if revision == head_revision() else f"at {revision}"
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", reported as text
        checks["database"] = f"unreachable: {type(error).__name__}"
    checks["draining"] = "yes" if services.draining else "no"
    ok = (
        checks.get("database") == "ok"
        and checks.get("migrations") == "ok"
        and not services.draining
    )
    return JSONResponse(
        {"status": "ready" if ok else "not_ready", "checks": checks}, 200 if ok else 503
    )


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=True)
async def metrics(request: Request) -> Response:
    return Response(
        generate_latest(services_of(request).metrics.registry), media_type=CONTENT_TYPE_LATEST
    )

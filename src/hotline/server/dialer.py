"""The live dialer's wiring for `hotline serve`: a running campaign's dialer places its calls
on this node's telephony runtime (the tenant's `ContactCenter`) and keeps its records in the
database, one short unit of work per step (ADR 0266)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.clock import Clock
from hotline.dialer.live import CampaignDialer
from hotline.dialer.running import DialerFactory
from hotline.interactions.errors import UnknownTenant
from hotline.interactions.voice import Telephony
from hotline.interactions.voice.campaign import CampaignCalls
from hotline.store.dialer_repo import SqlLiveStorage
from hotline.store.import_targets import tenant_info
from hotline.store.uow import UnitOfWork

__all__ = ["campaign_dialers"]


def campaign_dialers(
    uow: Callable[[], UnitOfWork], clock: Clock, runtime: Callable[[], Telephony | None]
) -> DialerFactory:
    """The job host's factory of campaign dialers (None while this node has no telephony)."""

    async def dialer_for(conn: Any, tenant_id: str, campaign_id: str) -> CampaignDialer | None:
        telephony = runtime()
        if telephony is None:
            return None
        try:
            tenant = telephony.tenant(tenant_id)
        except UnknownTenant:
            return None
        info = await tenant_info(conn, tenant_id)
        return CampaignDialer(
            campaign_id,
            SqlLiveStorage(uow, tenant_id),
            CampaignCalls(
                tenant,
                language=tenant.center.settings.default_language,
                flows=telephony.flows,
            ),
            clock,
            default_zone=info.time_zone,
        )

    return dialer_for

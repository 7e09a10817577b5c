"""Realtime projections of the event log for the wallboard (DESIGN §10, GLOSSARY metrics).

`RealtimeProjection` is the entry point: one per tenant, fed `EventRecord`s in seq order,
read with `snapshot(now)` and `changes_since(version, now)`. Pure: no I/O, no clock.
"""

from hotline.analytics.realtime.alerts import AlertKind
from hotline.analytics.realtime.errors import (
    RealtimeError,
    RealtimeSettingsInvalid,
    UnknownQueue,
    WrongTenant,
)
from hotline.analytics.realtime.figures import (
    Agent,
    AgentCounts,
    Alert,
    Center,
    Delta,
    Period,
    Queue,
    Snapshot,
    StaffingHint,
)
from hotline.analytics.realtime.projection import (
    TRANSFERRED_TYPE,
    WRAP_UP_OVERRUN_TYPE,
    RealtimeProjection,
    replay_start,
)
from hotline.analytics.realtime.settings import (
    DEFAULT_TIME_ZONE,
    AlertThresholds,
    QueueSettings,
    RealtimeSettings,
)

__all__ = [
    "DEFAULT_TIME_ZONE",
    "TRANSFERRED_TYPE",
    "WRAP_UP_OVERRUN_TYPE",
    "Agent",
    "AgentCounts",
    "Alert",
    "AlertKind",
    "AlertThresholds",
    "Center",
    "Delta",
    "Period",
    "Queue",
    "QueueSettings",
    "RealtimeError",
    "RealtimeProjection",
    "RealtimeSettings",
    "RealtimeSettingsInvalid",
    "Snapshot",
    "StaffingHint",
    "UnknownQueue",
    "WrongTenant",
    "replay_start",
]

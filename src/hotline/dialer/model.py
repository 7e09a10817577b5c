"""The dialer's vocabulary: campaigns and their modes, the campaign's status machine
(transitions as data), the lists a campaign dials in order. One call record's state lives in
`record` (re-exported here). A campaign checks every setting on construction, its retry rules
included, so one that cannot dial cannot exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hotline.dialer.errors import CampaignStateError, InvalidCampaign
from hotline.dialer.machine import MachineHandling
from hotline.dialer.outcomes import RetryPolicy
from hotline.dialer.record import DIALABLE, CallRecord, RecordStatus

__all__ = [
    "CAMPAIGN_TRANSITIONS",
    "DIALABLE",
    "CallRecord",
    "Campaign",
    "CampaignList",
    "CampaignStatus",
    "DialMode",
    "Disposition",
    "ListOrder",
    "RecordStatus",
    "Then",
    "campaign_transition",
]


class DialMode(StrEnum):
    PREVIEW = "preview"  # the agent sees the record and decides to dial
    PROGRESSIVE = "progressive"  # one call per free agent
    PREDICTIVE = "predictive"  # more calls than free agents, paced by the abandon cap
    AGENTLESS = "agentless"  # a flow plays a message or an IVR; no agent


class Then(StrEnum):
    """What a disposition does to its record after a connected call (`dispositions.dispose`).
    A callback is not one: the preview card and the wrap-up schedule it with its own time."""

    DONE = "done"  # finished: the outcome's status stands
    RETRY = "retry"  # reached but not finished: dial again after the campaign's interval
    INVALID = "invalid"  # wrong number: out of dialing, like a dead number
    DNC = "dnc"  # the callee asked not to be called: on the campaign's do-not-call list


@dataclass(frozen=True, slots=True)
class Disposition:
    """One result an agent may give a campaign contact; `right_party` and `conversion` say
    which figures it counts in, `then` what happens to the record next (stored dispositions
    from before it read as `done`)."""

    code: str
    label_zh: str
    label_en: str
    right_party: bool = False
    conversion: bool = False
    then: Then = Then.DONE

    def __post_init__(self) -> None:
        try:
            then = Then(self.then)
        except ValueError:
            raise InvalidCampaign(
                "not something a disposition does next", field="then", value=self.then
            ) from None
        object.__setattr__(self, "then", then)


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


_C = CampaignStatus
# (from, action) → to. Actions: start, pause, resume, finish.
CAMPAIGN_TRANSITIONS: dict[tuple[CampaignStatus, str], CampaignStatus] = {
    (_C.DRAFT, "start"): _C.RUNNING,
    (_C.RUNNING, "pause"): _C.PAUSED,
    (_C.PAUSED, "resume"): _C.RUNNING,
    (_C.PAUSED, "start"): _C.RUNNING,
    (_C.RUNNING, "finish"): _C.FINISHED,
    (_C.PAUSED, "finish"): _C.FINISHED,
    (_C.DRAFT, "finish"): _C.FINISHED,
}


def campaign_transition(status: CampaignStatus, action: str) -> CampaignStatus:
    to = CAMPAIGN_TRANSITIONS.get((status, action))
    if to is None:
        raise CampaignStateError(str(status), action)
    return to


class ListOrder(StrEnum):
    """How records of one list are taken: as imported, shuffled, or by their priority field."""

    IN_ORDER = "in_order"
    RANDOM = "random"
    PRIORITY = "priority"


MAX_WINDOW_S = 30 * 86_400.0  # the FTC's 30 days; Ofcom's is 24 hours


@dataclass(frozen=True, slots=True)
class CampaignList:
    """One list attached to a campaign: dialed in `position` order (lower first), its records
    taken by `order`."""

    list_id: str
    position: int
    order: ListOrder = ListOrder.IN_ORDER


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    tenant_id: str
    name: str
    mode: DialMode
    status: CampaignStatus = CampaignStatus.DRAFT
    queue_id: str | None = None  # the agents who take its calls (None for agentless)
    flow_id: str | None = None  # the flow an agentless call runs
    abandon_cap: float = 0.03  # abandoned / human-answered, per rolling window
    abandon_window_s: float = 86_400.0
    ring_timeout_s: float = 25.0
    caller_ids: tuple[str, ...] = ()
    caller_id_daily_cap: int = 0  # 0: no cap
    window: Mapping[str, Any] = field(default_factory=dict)  # weekly hours {"mon-fri": [...]}
    calendar_id: str | None = None  # holidays from this hours calendar
    retry: Mapping[str, Any] = field(default_factory=dict)  # see outcomes.RetryPolicy
    script: Mapping[str, Any] = field(default_factory=dict)
    max_lines_per_agent: float = 5.0  # the pacer's cap: calls in flight per staffed agent
    dispositions: tuple[Disposition, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidCampaign("a campaign needs a name", field="name")
        if len(self.name) > 100:
            raise InvalidCampaign("a name is at most 100 characters", field="name")
        if not 0.0 <= self.abandon_cap <= 0.03:
            raise InvalidCampaign(
                "the abandon cap is between 0 and 3 %", field="abandon_cap", value=self.abandon_cap
            )
        if self.abandon_window_s < 3600:
            raise InvalidCampaign(
                "the abandon window is at least an hour",
                field="abandon_window_s",
                value=self.abandon_window_s,
            )
        if self.abandon_window_s > MAX_WINDOW_S:
            raise InvalidCampaign(
                "the abandon window is at most 30 days",
                field="abandon_window_s",
                value=self.abandon_window_s,
            )
        if not 1.0 <= self.max_lines_per_agent <= 5.0:
            raise InvalidCampaign(
                "calls per staffed agent are between 1 and 5",
                field="max_lines_per_agent",
                value=self.max_lines_per_agent,
            )
        if not 5 <= self.ring_timeout_s <= 120:
            raise InvalidCampaign(
                "a ring timeout is between 5 and 120 seconds",
                field="ring_timeout_s",
                value=self.ring_timeout_s,
            )
        if self.caller_id_daily_cap < 0:
            raise InvalidCampaign(
                "a daily cap cannot be negative",
                field="caller_id_daily_cap",
                value=self.caller_id_daily_cap,
            )
        if self.mode is DialMode.AGENTLESS:
            if not self.flow_id:
                raise InvalidCampaign("an agentless campaign needs a flow", field="flow_id")
        elif not self.queue_id:
            raise InvalidCampaign("a campaign with agents needs a queue", field="queue_id")
        # The rules every finished call is moved by: checked here, not at the first call's end.
        RetryPolicy.from_settings(self.retry)
        MachineHandling.from_retry(self.retry)

    @property
    def paced(self) -> bool:
        return self.mode in (DialMode.PROGRESSIVE, DialMode.PREDICTIVE, DialMode.AGENTLESS)

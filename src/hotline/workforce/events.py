"""Workforce events: plans made, schedules published, requests made and decided (DESIGN §3.3)."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["WfmPlanCreated", "WfmRequestCreated", "WfmRequestDecided", "WfmSchedulePublished"]


@domain_event("wfm.plan_created")
class WfmPlanCreated(DomainEvent):
    plan_id: str
    queue_id: str
    week_start: str
    model: str


@domain_event("wfm.schedule_published")
class WfmSchedulePublished(DomainEvent):
    schedule_id: str
    week_start: str
    shifts: int


@domain_event("wfm.request_created")
class WfmRequestCreated(DomainEvent):
    request_id: str
    kind: str


@domain_event("wfm.request_decided")
class WfmRequestDecided(DomainEvent):
    request_id: str
    kind: str
    status: str
    requester_id: str

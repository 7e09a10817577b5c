"""`WorkforceService`: history imports, plans, schedules, publishing, requests and adherence.

One instance per unit of work (the API edge commits). The heavy steps (backtests, the
optimizer, the simulator) run in a worker thread through `asyncio.to_thread`; what they need
is read first and what they return is written after, so no connection crosses threads.
Agents see only their own published shifts; everything else needs `wfm.read`/`wfm.write`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from hotline.analytics.wfm.adherence import adherence, live_adherence, state_intervals
from hotline.analytics.wfm.errors import WfmInputError
from hotline.analytics.wfm.staffing import ServiceTarget
from hotline.auth.model import Principal
from hotline.clock import Clock
from hotline.config import WfmSettings
from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.workforce import planning
from hotline.workforce.errors import (
    RequestNotPending,
    ScheduleNotFound,
    ShiftNotYours,
    WfmNotFound,
)
from hotline.workforce.events import (
    WfmPlanCreated,
    WfmRequestCreated,
    WfmRequestDecided,
    WfmSchedulePublished,
)
from hotline.workforce.history import IntervalRow, history_from_rows
from hotline.workforce.ports import WfmStore
from hotline.workforce.schemas import (
    ContractIn,
    PlanIn,
    RequestIn,
    RequestKind,
    ScheduleIn,
    TemplateIn,
)
from hotline.workforce.whatif import what_if

__all__ = ["WorkforceService"]

Row = dict[str, Any]


class WorkforceService:
    def __init__(
        self,
        store: WfmStore,
        settings: WfmSettings,
        *,
        actor: Principal,
        clock: Clock,
        emit: Callable[[DomainEvent], None],
    ) -> None:
        self.store = store
        self.settings = settings
        self.actor = actor
        self.clock = clock
        self.emit = emit

    @property
    def tenant(self) -> str:
        return self.actor.tenant_id

    async def zone(self) -> ZoneInfo:
        return ZoneInfo(await self.store.tenant_zone(self.tenant))

    # -- history ---------------------------------------------------------------------------

    async def import_history(self, rows: list[IntervalRow], interval_s: int) -> dict[str, Any]:
        """Store imported intervals (idempotent by queue and start)."""
        if not rows:
            raise WfmInputError("the file has no intervals", field="file")
        zone = await self.zone()
        stored = [(r, r.start.replace(tzinfo=zone).timestamp(), interval_s) for r in rows]
        count = await self.store.save_intervals(
            self.tenant, stored, source="csv", now=self.clock.now()
        )
        days = sorted({r.start.date() for r in rows})
        return {
            "intervals": count,
            "queues": sorted({r.queue_id for r in rows}),
            "first_day": days[0].isoformat(),
            "last_day": days[-1].isoformat(),
        }

    async def _history(self, queue: str, interval_s: int, week_start: date) -> Any:
        zone = await self.zone()
        first = week_start - timedelta(weeks=self.settings.history_weeks)
        start = datetime.combine(first, datetime.min.time(), zone).timestamp()
        end = datetime.combine(week_start, datetime.min.time(), zone).timestamp()
        rows: list[IntervalRow] = []
        coarsest = interval_s
        for r in await self.store.imported_intervals(self.tenant, queue, start, end):
            coarsest = max(coarsest, int(r["interval_s"]))
            rows.append(
                IntervalRow(
                    queue,
                    datetime.fromtimestamp(r["start_at"], zone).replace(tzinfo=None),
                    r["offered"],
                    r["answered"],
                    r["abandoned"],
                    r["handle_s"],
                    r["wait_s"],
                )
            )
        for c in await self.store.contacts(self.tenant, queue, start, end):
            answered = c["answered_at"] is not None
            handle = (c["talk_s"] or 0.0) + (c["hold_s"] or 0.0) + (c["wrap_up_s"] or 0.0)
            rows.append(
                IntervalRow(
                    queue,
                    datetime.fromtimestamp(c["started_at"], zone).replace(tzinfo=None),
                    1.0,
                    1.0 if answered else 0.0,
                    1.0 if c["abandoned"] else 0.0,
                    handle if answered else 0.0,
                    c["wait_s"] or 0.0,
                )
            )
        if not rows:
            raise WfmInputError(
                f"queue {queue!r} has no history before {week_start}: import a CSV of interval "
                "counts first",
                field="queue_id",
            )
        interval = coarsest if 86_400 % coarsest == 0 else interval_s
        return history_from_rows(rows, interval, last=week_start - timedelta(days=1))

    # -- templates and contracts -----------------------------------------------------------

    async def templates(self) -> list[Row]:
        return await self.store.templates(self.tenant)

    async def save_template(self, data: TemplateIn, template_id: str | None = None) -> Row:
        same = await self.store.template_by_name(self.tenant, data.name)
        if same is not None and same["id"] != template_id:
            raise WfmInputError(f"a template named {data.name!r} exists", field="name")
        now = self.clock.now()
        values = {
            "name": data.name,
            "minutes": data.minutes,
            "earliest_start": data.earliest_start,
            "latest_start": data.latest_start,
            "start_step": data.start_step,
            "weekdays": sorted(set(data.weekdays)),
            "breaks": [b.model_dump() for b in data.breaks],
            "updated_at": now,
        }
        if template_id is None:
            template_id = new_id(now)
            await self.store.add_template(
                {"id": template_id, "tenant_id": self.tenant, "created_at": now, **values}
            )
        else:
            if await self.store.template(self.tenant, template_id) is None:
                raise WfmNotFound(f"no shift template {template_id!r}", details={"id": template_id})
            await self.store.update_template(self.tenant, template_id, values)
        row = await self.store.template(self.tenant, template_id)
        assert row is not None
        return row

    async def delete_template(self, template_id: str) -> None:
        if not await self.store.delete_template(self.tenant, template_id):
            raise WfmNotFound(f"no shift template {template_id!r}", details={"id": template_id})

    async def agents(self) -> list[Row]:
        contracts = await self.store.contracts(self.tenant)
        return [
            {**a, "contract": contracts.get(a["id"])}
            for a in await self.store.agents(self.tenant, None)
        ]

    async def put_contract(self, agent_id: str, data: ContractIn) -> Row:
        if agent_id not in {a["id"] for a in await self.store.agents(self.tenant, None)}:
            raise WfmNotFound(f"no agent {agent_id!r}", details={"id": agent_id})
        now = self.clock.now()
        row = {
            "agent_id": agent_id,
            "tenant_id": self.tenant,
            "min_minutes": data.min_minutes,
            "max_minutes": data.max_minutes,
            "max_days": data.max_days,
            "templates": data.templates,
            "availability": None
            if data.availability is None
            else {str(k): list(v) for k, v in data.availability.items()},
            "created_at": now,
            "updated_at": now,
        }
        await self.store.put_contract(row)
        return row

    # -- plans -----------------------------------------------------------------------------

    async def create_plan(self, data: PlanIn) -> Row:
        queue = await self.store.queue(self.tenant, data.queue_id)
        target = ServiceTarget(
            service_level=min(0.99, float(queue["sl_target_pct"]) / 100.0) if queue else 0.8,
            target_s=float(queue["sl_threshold_s"]) if queue else 20.0,
            shrinkage=self.settings.shrinkage,
            blocking=self.settings.blocking,
            line_extra_s=self.settings.line_extra_s,
        )
        interval = data.interval_s or self.settings.interval_s
        history = await self._history(data.queue_id, interval, data.week_start)
        hours, holiday_sets = await self.store.hours_of_queue(self.tenant, data.queue_id)
        calendar = planning.day_calendar(
            hours, holiday_sets, history.first_day, data.week_start + timedelta(days=7)
        )
        result = await asyncio.to_thread(
            planning.compute_plan, history, calendar, data.week_start, target
        )
        now = self.clock.now()
        plan_id = new_id(now)
        row: Row = {
            "id": plan_id,
            "tenant_id": self.tenant,
            "queue_id": data.queue_id,
            "week_start": data.week_start.isoformat(),
            "interval_s": int(result.forecast["interval_s"]),
            "model": result.model,
            "scores": result.scores,
            "forecast": result.forecast,
            "staffing": result.staffing,
            "target": {
                "service_level": target.service_level,
                "target_s": target.target_s,
                "shrinkage": target.shrinkage,
                "blocking": target.blocking,
            },
            "created_by": self.actor.user_id,
            "created_at": now,
            "updated_at": now,
        }
        await self.store.add_plan(row)
        self.emit(
            WfmPlanCreated(
                tenant_id=self.tenant,
                at=now,
                plan_id=plan_id,
                queue_id=data.queue_id,
                week_start=data.week_start.isoformat(),
                model=result.model,
            )
        )
        return row

    async def plan(self, plan_id: str) -> Row:
        row = await self.store.plan(self.tenant, plan_id)
        if row is None:
            raise WfmNotFound(f"no plan {plan_id!r}", details={"id": plan_id})
        return row

    async def plans(self) -> list[Row]:
        return await self.store.plans(self.tenant, 50)

    async def queues(self) -> list[str]:
        return await self.store.queue_names(self.tenant)

    # -- schedules -------------------------------------------------------------------------

    async def create_schedule(self, data: ScheduleIn) -> Row:
        plan = await self.plan(data.plan_id)
        week = date.fromisoformat(plan["week_start"])
        zone = await self.zone()
        templates = [planning.template_spec(t) for t in await self.store.templates(self.tenant)]
        if not templates:
            raise WfmInputError(
                "add a shift template before generating a schedule", field="templates"
            )
        members = await self.store.agents(self.tenant, data.team_id)
        if not members:
            raise WfmInputError("the team has no agents", field="team_id")
        contracts = await self.store.contracts(self.tenant)
        week_start_at = planning.local_epoch(week, 0, zone)
        week_end_at = planning.local_epoch(week, 7 * 1440, zone)
        off: dict[str, list[tuple[float, float]]] = {}
        for r in await self.store.approved_time_off(self.tenant, week_start_at, week_end_at):
            off.setdefault(r["agent_id"], []).append((r["starts_at"], r["ends_at"]))
        specs = [
            planning.agent_spec(
                a["id"],
                contracts.get(a["id"]),
                planning.time_off_minutes(off.get(a["id"], []), week, zone),
            )
            for a in members
        ]
        required = planning.required_per_slot(plan["staffing"]["agents"], int(plan["interval_s"]))
        roster = await asyncio.to_thread(
            planning.compute_roster,
            required,
            templates,
            specs,
            week,
            time_limit_s=self.settings.solver_time_limit_s,
        )
        now = self.clock.now()
        schedule_id = new_id(now)
        shifts = [
            {
                "id": new_id(now),
                "tenant_id": self.tenant,
                "schedule_id": schedule_id,
                "agent_id": s.agent_id,
                "template_id": s.template_id,
                "start_at": planning.local_epoch(week, s.start, zone),
                "end_at": planning.local_epoch(week, s.end, zone),
                "activities": [
                    {
                        "activity": str(a),
                        "start_at": planning.local_epoch(week, lo, zone),
                        "end_at": planning.local_epoch(week, hi, zone),
                    }
                    for a, lo, hi in s.activities()
                ],
            }
            for s in roster.shifts
        ]
        row = {
            "id": schedule_id,
            "tenant_id": self.tenant,
            "plan_id": plan["id"],
            "team_id": data.team_id,
            "week_start": plan["week_start"],
            "status": "draft",
            "result": {
                "slot_minutes": planning.SLOT_MINUTES,
                "required": required.tolist(),
                "coverage": roster.coverage.tolist(),
                "shortfall": roster.shortfall.tolist(),
                "objective": round(roster.objective, 3),
                "bound": round(roster.bound, 3),
                "solver_status": roster.status,
                "seconds": round(roster.seconds, 2),
            },
            "what_if": None,
            "created_by": self.actor.user_id,
            "published_at": None,
            "created_at": now,
            "updated_at": now,
        }
        await self.store.add_schedule(row, shifts)
        return await self.schedule(schedule_id)

    async def schedule(self, schedule_id: str) -> Row:
        row = await self.store.schedule(self.tenant, schedule_id)
        if row is None:
            raise ScheduleNotFound(f"no schedule {schedule_id!r}", details={"id": schedule_id})
        names = {a["id"]: a["display_name"] for a in await self.store.agents(self.tenant, None)}
        shifts = await self.store.shifts_of_schedule(self.tenant, schedule_id)
        for s in shifts:
            s["agent_name"] = names.get(s["agent_id"], s["agent_id"])
        return {**row, "shifts": shifts}

    async def schedules(self) -> list[Row]:
        return await self.store.schedules(self.tenant, 50)

    async def publish(self, schedule_id: str) -> Row:
        row = await self.schedule(schedule_id)
        now = self.clock.now()
        await self.store.update_schedule(
            self.tenant,
            schedule_id,
            {"status": "published", "published_at": now, "updated_at": now},
        )
        self.emit(
            WfmSchedulePublished(
                tenant_id=self.tenant,
                at=now,
                schedule_id=schedule_id,
                week_start=row["week_start"],
                shifts=len(row["shifts"]),
            )
        )
        return await self.schedule(schedule_id)

    async def run_what_if(self, schedule_id: str) -> Row:
        row = await self.schedule(schedule_id)
        plan = await self.plan(row["plan_id"])
        interval = int(plan["interval_s"])
        repeat = interval // (planning.SLOT_MINUTES * 60)
        calls = np.repeat(np.asarray(plan["forecast"]["calls"], dtype=float) / repeat, repeat)
        aht = np.repeat(np.asarray(plan["forecast"]["aht_s"], dtype=float), repeat)
        target = plan["target"]
        result = await asyncio.to_thread(
            what_if,
            calls,
            aht,
            np.asarray(row["result"]["coverage"], dtype=float),
            planning.SLOT_MINUTES * 60,
            ServiceTarget(float(target["service_level"]), float(target["target_s"])),
            patience_s=plan["staffing"].get("patience_s"),
            replications=self.settings.what_if_replications,
        )
        outcome = {
            "target": result.target,
            "target_s": result.target_s,
            "service_level": round(result.service_level, 4),
            "asa_s": round(result.asa_s, 1),
            "abandon_share": round(result.abandon_share, 4),
            "replications": result.replications,
            "days": [
                {
                    "day": d.day,
                    "calls": round(d.calls, 1),
                    "service_level": round(d.service_level, 4),
                    "asa_s": round(d.asa_s, 1),
                    "abandon_share": round(d.abandon_share, 4),
                }
                for d in result.days
            ],
        }
        await self.store.update_schedule(
            self.tenant, schedule_id, {"what_if": outcome, "updated_at": self.clock.now()}
        )
        return outcome

    async def my_week(self, week_start: date) -> list[Row]:
        """The caller's own published shifts in the week (an agent sees nobody else's)."""
        agent_id = self._agent()
        zone = await self.zone()
        start = planning.local_epoch(week_start, 0, zone)
        end = planning.local_epoch(week_start, 7 * 1440, zone)
        return await self.store.published_shifts(self.tenant, start, end, agent_id)

    def _agent(self) -> str:
        if self.actor.agent_id is None:
            raise ShiftNotYours("only agents have a schedule of their own")
        return self.actor.agent_id

    # -- requests --------------------------------------------------------------------------

    async def create_request(self, data: RequestIn) -> Row:
        agent_id = self._agent()
        now = self.clock.now()
        zone = await self.zone()
        row: Row = {
            "id": new_id(now),
            "tenant_id": self.tenant,
            "kind": data.kind.value,
            "status": "pending",
            "agent_id": agent_id,
            "shift_id": None,
            "other_agent_id": None,
            "other_shift_id": None,
            "starts_at": None,
            "ends_at": None,
            "note": data.note,
            "decided_by": None,
            "decided_at": None,
            "created_at": now,
            "updated_at": now,
        }
        if data.kind is RequestKind.TIME_OFF:
            assert data.starts_at is not None
            assert data.ends_at is not None
            row["starts_at"] = _epoch(data.starts_at, zone)
            row["ends_at"] = _epoch(data.ends_at, zone)
        else:
            mine = await self.store.shift(self.tenant, data.shift_id or "")
            if mine is None or mine["agent_id"] != agent_id:
                raise ShiftNotYours(
                    "you can only offer a shift of your own", details={"field": "shift_id"}
                )
            assert data.other_day is not None
            start = planning.local_epoch(data.other_day, 0, zone)
            theirs = await self.store.published_shifts(
                self.tenant, start, start + 86_400, data.other_agent_id
            )
            if not theirs:
                raise WfmInputError(
                    f"that colleague has no published shift on {data.other_day}", field="other_day"
                )
            mine_day = datetime.fromtimestamp(mine["start_at"], zone).date()
            day_start = planning.local_epoch(mine_day, 0, zone)
            if await self.store.published_shifts(
                self.tenant, day_start, day_start + 86_400, data.other_agent_id
            ) or await self.store.published_shifts(self.tenant, start, start + 86_400, agent_id):
                raise WfmInputError(
                    "after the swap someone would work two shifts on one day", field="other_day"
                )
            row.update(
                shift_id=mine["id"],
                other_agent_id=data.other_agent_id,
                other_shift_id=theirs[0]["id"],
            )
        await self.store.add_request(row)
        self.emit(
            WfmRequestCreated(
                tenant_id=self.tenant,
                at=now,
                agent_id=agent_id,
                request_id=row["id"],
                kind=row["kind"],
            )
        )
        return row

    async def requests(self, *, mine: bool, status: str | None) -> list[Row]:
        agent = self._agent() if mine else None
        rows = await self.store.requests(self.tenant, agent, status)
        names = {a["id"]: a["display_name"] for a in await self.store.agents(self.tenant, None)}
        for r in rows:
            r["agent_name"] = names.get(r["agent_id"], r["agent_id"])
            r["other_agent_name"] = names.get(r["other_agent_id"] or "")
        return rows

    async def decide(self, request_id: str, approve: bool) -> Row:
        row = await self.store.request(self.tenant, request_id)
        if row is None:
            raise WfmNotFound(f"no request {request_id!r}", details={"id": request_id})
        if row["status"] != "pending":
            raise RequestNotPending(f"the request is already {row['status']}")
        now = self.clock.now()
        status = "approved" if approve else "rejected"
        if approve and row["kind"] == "swap":
            await self._swap(row)
        if approve and row["kind"] == "time_off":
            for shift in await self.store.published_shifts(
                self.tenant, row["starts_at"], row["ends_at"], row["agent_id"]
            ):
                await self.store.delete_shift(self.tenant, shift["id"])
        values = {
            "status": status,
            "decided_by": self.actor.user_id,
            "decided_at": now,
            "updated_at": now,
        }
        await self.store.update_request(self.tenant, request_id, values)
        self.emit(
            WfmRequestDecided(
                tenant_id=self.tenant,
                at=now,
                request_id=request_id,
                kind=row["kind"],
                status=status,
                requester_id=row["agent_id"],
            )
        )
        return {**row, **values}

    async def _swap(self, row: Row) -> None:
        mine = await self.store.shift(self.tenant, row["shift_id"])
        theirs = await self.store.shift(self.tenant, row["other_shift_id"])
        if mine is None or theirs is None:
            raise RequestNotPending("one of the two shifts no longer exists")
        await self.store.update_shift(self.tenant, mine["id"], {"agent_id": theirs["agent_id"]})
        await self.store.update_shift(self.tenant, theirs["id"], {"agent_id": mine["agent_id"]})

    # -- adherence -------------------------------------------------------------------------

    async def adherence_report(self, day: date) -> list[Row]:
        zone = await self.zone()
        start = planning.local_epoch(day, 0, zone)
        end = planning.local_epoch(day, 1440, zone)
        now = min(self.clock.now(), end)
        return await self._adherence(start, end, now, live=False)

    async def adherence_live(self) -> list[Row]:
        now = self.clock.now()
        return await self._adherence(now - 86_400, now + 1, now, live=True)

    async def _adherence(self, start: float, end: float, now: float, *, live: bool) -> list[Row]:
        shifts = await self.store.published_shifts(self.tenant, start, end, None)
        names = {a["id"]: a["display_name"] for a in await self.store.agents(self.tenant, None)}
        by_agent: dict[str, list[tuple[str, float, float]]] = {}
        for shift in shifts:
            spans = by_agent.setdefault(shift["agent_id"], [])
            spans += [
                (a["activity"], max(a["start_at"], start), min(a["end_at"], end))
                for a in shift["activities"]
            ]
        changes = await self.store.state_changes(self.tenant, start - 86_400, end, None)
        out = []
        for agent_id, planned in sorted(by_agent.items()):
            states = state_intervals(_changes(changes, agent_id), until=now)
            if live:
                current = live_adherence(planned, states, now)
                if current.activity is None:
                    continue
                out.append(
                    {
                        "agent_id": agent_id,
                        "agent_name": names.get(agent_id, agent_id),
                        "activity": current.activity,
                        "state": current.state,
                        "in_adherence": current.in_adherence,
                        "out_since_at": current.out_since,
                        "out_minutes": None
                        if current.out_since is None
                        else round((now - current.out_since) / 60.0, 1),
                    }
                )
                continue
            figures = adherence(planned, states, until=now)
            out.append(
                {
                    "agent_id": agent_id,
                    "agent_name": names.get(agent_id, agent_id),
                    "scheduled_minutes": round(figures.scheduled_s / 60.0, 1),
                    "out_minutes": round((figures.scheduled_s - figures.adherent_s) / 60.0, 1),
                    "adherence": _ratio(figures.adherence),
                    "conformance": _ratio(figures.conformance),
                }
            )
        return out


def _changes(rows: Iterable[Row], agent_id: str) -> list[tuple[float, str, str, float]]:
    return [
        (
            float(r["at"]),
            str(r["payload"]["state"]),
            str(r["payload"]["previous"]),
            float(r["payload"].get("previous_duration_s") or 0.0),
        )
        for r in rows
        if r["agent_id"] == agent_id
    ]


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _epoch(moment: datetime, zone: ZoneInfo) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()

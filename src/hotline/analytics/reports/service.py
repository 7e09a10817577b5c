"""The reports: figures over a period by a dimension, compared with the period before and
with targets; the hourly profile; top reasons; the agent ranking; the contacts behind a
figure. Who sees what: admins and QA everything; supervisors every queue figure and their
teams' agents; agents only themselves (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.analytics.reports.errors import (
    DimensionUnknown,
    DrillUnsupported,
    FigureUnknown,
    ReportForbidden,
    ResolvedMarkUnknown,
)
from hotline.analytics.reports.measures import Dim, M, ReasonKind
from hotline.analytics.reports.metrics import FIGURES, KINDS, add_totals, figures
from hotline.analytics.reports.periods import Period
from hotline.analytics.reports.ports import ContactLister, FactReader, ReportDirectory
from hotline.analytics.reports.targets import Targets, assess

__all__ = ["BY", "DRILLABLE", "LOWER_IS_BETTER", "RESOLVED_MARKS", "ReportService", "Viewer"]

RESOLVED_MARKS = ("resolved", "not_resolved", "unmarked")
"""The drill-down's filter on the agent's "resolved?" answer (ADR 0172): marked resolved,
marked not resolved, no answer."""

TEAM = "team"
BY = (*(d.value for d in Dim), TEAM)
DRILLABLE = frozenset(
    {"offered", "answered", "abandoned", "short_abandoned", "callbacks_requested", "voicemails",
     "handled", "transfers", "csat_answers", "dispositioned"}
)  # fmt: skip
LOWER_IS_BETTER = frozenset({"asa_s", "aht_s", "acw_s", "hold_s", "abandon_rate", "longest_wait_s"})
_SEE_ALL = frozenset({"admin", "qa"})

# What the report page leads with and its table's columns: the manager's daily report for
# queue-side rows, an agent's own work for agents and teams.
QUEUE_HEADLINE = ("offered", "answered", "answer_rate", "service_level", "asa_s",
                  "abandon_rate", "short_abandoned", "aht_s", "fcr", "csat", "csat_average",
                  "transfers", "callbacks_requested")  # fmt: skip
AGENT_HEADLINE = ("handled", "aht_s", "talk_s", "hold_s", "acw_s", "acw_overruns", "transfers",
                  "fcr", "csat", "csat_average", "occupancy", "utilization", "login_s",
                  "not_ready_s")  # fmt: skip
QUEUE_COLUMNS = ("offered", "answered", "abandoned", "answer_rate", "service_level", "asa_s",
                 "abandon_rate", "aht_s", "fcr", "csat")  # fmt: skip
AGENT_COLUMNS = ("handled", "aht_s", "talk_s", "acw_s", "transfers", "fcr", "csat",
                 "occupancy", "utilization", "login_s")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks (the API builds it from its principal)."""

    tenant_id: str
    user_id: str
    roles: frozenset[str]
    agent_id: str | None = None


class ReportService:
    def __init__(
        self,
        facts: FactReader,
        directory: ReportDirectory,
        contacts: ContactLister,
        viewer: Viewer,
        *,
        now: float,
        fcr_window_days: int | None = None,
    ) -> None:
        self._facts = facts
        self._directory = directory
        self._contacts = contacts
        self._viewer = viewer
        self._now = now
        # None: the tenant's own FCR window (its counting rules), read when first needed
        self._fcr_window_days = fcr_window_days
        self._teams: dict[str, frozenset[str]] | None = None

    # == who sees what ======================================================================

    def default_by(self) -> str:
        """What the rows are when the caller does not say: an agent's own, else the center."""
        roles = self._viewer.roles
        return Dim.AGENT.value if not roles & (_SEE_ALL | {"supervisor"}) else Dim.CENTER.value

    async def _team_map(self) -> dict[str, frozenset[str]]:
        if self._teams is None:
            self._teams = await self._directory.teams(self._viewer.tenant_id)
        return self._teams

    async def _allowed(self, by: str) -> frozenset[str] | None:
        """The keys of `by` the viewer may see (None: all)."""
        v = self._viewer
        if v.roles & _SEE_ALL:
            return None
        mine = frozenset({v.agent_id}) if v.agent_id else frozenset()
        if "supervisor" in v.roles:
            teams = await self._directory.supervised(v.tenant_id, v.user_id)
            if by == TEAM:
                return teams
            if by == Dim.AGENT:
                members = await self._team_map()
                return mine.union(*(members.get(t, frozenset()) for t in teams))
            return None
        if by == Dim.AGENT:
            return mine
        raise ReportForbidden(by, None)

    async def check_scope(self, by: str) -> None:
        """Raise unless the viewer may see figures by `by` at all."""
        await self._keys(by, None)

    async def _keys(self, by: str, key: str | None) -> frozenset[str] | None:
        if by not in BY:
            raise DimensionUnknown(by)
        allowed = await self._allowed(by)
        if key is None:
            return allowed
        if allowed is not None and key not in allowed:
            raise ReportForbidden(by, key)
        return frozenset({key})

    # == figures ============================================================================

    async def _totals(
        self, by: str, period: Period, keys: Collection[str] | None
    ) -> dict[str, list[int]]:
        tenant = self._viewer.tenant_id
        if by != TEAM:
            return await self._facts.totals(tenant, by, period.start, period.end, keys, daily=True)
        teams = await self._team_map()
        chosen = {t: m for t, m in teams.items() if keys is None or t in keys}
        agents = frozenset().union(*chosen.values()) if chosen else frozenset()
        per_agent = await self._facts.totals(
            tenant, Dim.AGENT, period.start, period.end, agents, daily=True
        )
        out: dict[str, list[int]] = {}
        for team, members in sorted(chosen.items()):
            total = [0] * len(M)
            for agent in members:
                if agent in per_agent:
                    add_totals(total, per_agent[agent])
            out[team] = total
        return out

    async def _targets(self) -> tuple[Targets, dict[str, Targets]]:
        overrides = await self._directory.targets(self._viewer.tenant_id)
        tenant = Targets().with_overrides(overrides.get("", {}))
        return tenant, {q: tenant.with_overrides(o) for q, o in overrides.items() if q}

    async def provisional(self, period: Period) -> bool:
        """FCR is provisional while its window after the period's last contact is not over."""
        if self._fcr_window_days is None:
            counting = await self._directory.counting(self._viewer.tenant_id)
            self._fcr_window_days = counting.fcr_window_days
        return period.end + self._fcr_window_days * 86_400.0 > self._now

    async def summary(
        self, period: Period, by: str, key: str | None = None, *, compare: bool = True
    ) -> dict[str, Any]:
        keys = await self._keys(by, key)
        current = await self._totals(by, period, keys)
        before = await self._totals(by, period.previous(), keys) if compare else {}
        tenant_targets, queue_targets = await self._targets()
        rows: list[dict[str, Any]] = []
        for name in sorted(set(current) | set(before)):
            now_figures = figures(current.get(name, [0] * len(M)))
            targets = queue_targets.get(name, tenant_targets) if by == Dim.QUEUE else tenant_targets
            rows.append(
                {
                    "key": name,
                    "figures": now_figures,
                    "previous": figures(before[name]) if name in before else None,
                    "targets": assess(now_figures, targets, vip=by == Dim.VIP),
                }
            )
        return {
            "period": period.as_dict(),
            "previous_period": period.previous().as_dict() if compare else None,
            "by": by,
            "fcr_provisional": await self.provisional(period),
            "figures": list(FIGURES),
            "rows": rows,
            "labels": await self._labels(by, [str(r["key"]) for r in rows]),
        }

    async def _labels(self, by: str, keys: Collection[str]) -> dict[str, str]:
        """Display names of the rows' keys (agents, queues): a report names people, not ids."""
        if by not in (Dim.AGENT, Dim.QUEUE):
            return {}
        return await self._directory.labels(self._viewer.tenant_id, by, keys)

    def overseer(self) -> bool:
        """Whether the viewer sees more than its own figures (queues, the center, rankings)."""
        return bool(self._viewer.roles & (_SEE_ALL | {"supervisor"}))

    async def page(
        self, period: Period, by: str, key: str | None = None, *, order: str = "handled"
    ) -> dict[str, Any]:
        """Everything the report page and its PDF show: the rows by `by`, the headline figures
        (the chosen key, else the center, else the agent's own), the hourly profile, the top-10
        contact reasons, the agent ranking and the VIP line (the last two for overseers)."""
        rows = await self.summary(period, by, key)
        if key is not None or not self.overseer():
            head_rows = rows
        else:
            head_rows = await self.summary(period, Dim.CENTER.value)
        empty = figures([0] * len(M))
        tenant_targets, _ = await self._targets()
        headline = head_rows["rows"][0] if len(head_rows["rows"]) == 1 else None
        if headline is None:
            headline = {"key": key or "", "figures": empty, "previous": None,
                        "targets": assess(empty, tenant_targets)}  # fmt: skip
        see_all = self.overseer()
        agentish = by in (Dim.AGENT, TEAM)
        return {
            "headline_figures": list(
                QUEUE_HEADLINE if see_all and not (agentish and key) else AGENT_HEADLINE
            ),
            "columns": list(AGENT_COLUMNS if agentish else QUEUE_COLUMNS),
            "kinds": KINDS,
            "drillable": sorted(DRILLABLE) if by != Dim.SKILL else [],
            "period": rows["period"],
            "previous_period": rows["previous_period"],
            "by": by,
            "key": key,
            "fcr_provisional": rows["fcr_provisional"],
            "headline": headline,
            "summary": rows,
            "hourly": await self.hourly(period, by, key),
            "reasons": await self.reasons(period, by, key),
            "ranking": await self.ranking(period, order) if see_all else None,
            "vip": await self.summary(period, Dim.VIP.value) if see_all else None,
        }

    async def hourly(self, period: Period, by: str, key: str | None = None) -> dict[str, Any]:
        """The profile within a day: each local hour's figures, summed over the period's days."""
        keys = await self._keys(by, key)
        if by == TEAM:
            members = await self._team_map()
            agents = frozenset().union(
                *(m for t, m in members.items() if keys is None or t in keys)
            )
            by, keys = Dim.AGENT.value, agents
        per_interval = await self._facts.by_interval(
            self._viewer.tenant_id, by, period.start, period.end, keys
        )
        hours = [[0] * len(M) for _ in range(24)]
        for start, row in per_interval.items():
            add_totals(hours[datetime.fromtimestamp(start, period.zone).hour], row)
        return {
            "period": period.as_dict(),
            "by": by,
            "hours": [{"hour": h, "figures": figures(t)} for h, t in enumerate(hours)],
        }

    async def reasons(
        self,
        period: Period,
        by: str,
        key: str | None = None,
        *,
        kind: str = "disposition",
        limit: int = 10,
    ) -> dict[str, Any]:
        """The top reasons: dispositions (why people call) or not-ready reasons (attendance)."""
        kind = ReasonKind(kind).value
        keys = await self._keys(by, key)
        if by == TEAM:
            members = await self._team_map()
            agents = frozenset().union(
                *(m for t, m in members.items() if keys is None or t in keys)
            )
            by, keys = Dim.AGENT.value, agents
        found = await self._facts.reasons(
            self._viewer.tenant_id, by, period.start, period.end, keys, kind, limit
        )
        return {
            "period": period.as_dict(),
            "kind": kind,
            "reasons": [
                {"reason": r, "times": t, "seconds": round(ms / 1000.0, 1)} for r, t, ms in found
            ],
        }

    async def ranking(self, period: Period, order: str = "handled") -> dict[str, Any]:
        """Agents ranked by a figure (the best first); each agent sees only its own row."""
        if order not in FIGURES:
            raise FigureUnknown(order)
        keys = await self._keys(Dim.AGENT.value, None)
        totals = await self._totals(Dim.AGENT.value, period, keys)
        rows: list[dict[str, Any]] = [
            {"agent_id": a, "figures": figures(t)} for a, t in totals.items()
        ]
        low = order in LOWER_IS_BETTER

        def rank_key(row: Mapping[str, Any]) -> tuple[bool, float, str]:
            value = row["figures"][order]
            if value is None:
                return (True, 0.0, row["agent_id"])
            return (False, float(value) if low else -float(value), row["agent_id"])

        rows.sort(key=rank_key)
        for position, row in enumerate(rows, start=1):
            row["rank"] = position
        labels = await self._labels(Dim.AGENT.value, [r["agent_id"] for r in rows])
        return {"period": period.as_dict(), "order": order, "rows": rows, "labels": labels}

    async def contacts(
        self,
        period: Period,
        by: str,
        key: str | None,
        figure: str,
        *,
        limit: int = 50,
        offset: int = 0,
        mark: str | None = None,
    ) -> dict[str, Any]:
        """The contacts behind a figure (drill-down); `mark` keeps those with that
        "resolved?" answer (`RESOLVED_MARKS`)."""
        if figure not in DRILLABLE:
            raise FigureUnknown(figure)
        if mark is not None and mark not in RESOLVED_MARKS:
            raise ResolvedMarkUnknown(mark)
        if by == Dim.SKILL:
            raise DrillUnsupported(by)
        keys = await self._keys(by, key)
        if by == TEAM:
            members = await self._team_map()
            keys = frozenset().union(*(m for t, m in members.items() if keys is None or t in keys))
            by = Dim.AGENT.value
        if keys is not None and not keys:
            return {"period": period.as_dict(), "figure": figure, "items": [], "total": 0}
        rows, total = await self._contacts.contacts(
            self._viewer.tenant_id,
            by,
            keys,
            figure,
            period.start,
            period.end,
            limit=limit,
            offset=offset,
            mark=mark,
        )
        return {
            "period": period.as_dict(), "figure": figure, "mark": mark, "items": rows,
            "total": total,
        }  # fmt: skip

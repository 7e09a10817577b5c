"""Weekly schedules as a mixed-integer program: shifts for named agents, breaks by rules.

The week is cut into slots (15 minutes by default, 672 of them). The program has

- y[c, g] ∈ ℕ: how many agents of class c work shift group g (a day, a template, a start
  time). A class is the agents with the same contract, availability and time off: they are
  interchangeable, so one integer per class replaces one binary per agent and the program
  loses the symmetry that makes per-agent models slow;
- z[g, r, j] ∈ ℕ: of the agents on shift group g (day, template, start), how many take break
  rule r at its j-th allowed start (the implicit break model of Bechtold & Jacobs 1990: one
  variable per placement and group, not per agent, so breaks add few columns);
- u[t], v[t], o[t] ≥ 0: shortfall and excess against the required people in slot t. The
  shortfall is split in two: u up to `mild_share` of the requirement costs 1 a slot, v beyond
  it costs `deep_cost`, so a short week is short a little everywhere rather than badly at one
  peak (service level falls faster the deeper the shortfall).

Coverage: Σ y covering t − Σ z covering t + u[t] + v[t] − o[t] = required[t].
Per class and day, at most as many shifts as agents; per class and week, at most
`max_days` shifts per agent and between the contract's minimum and maximum minutes per
agent. The objective is Σ u + `deep_cost`·Σ v + `excess_weight`·Σ o. The class's shifts are
then dealt out to its agents, day by day, to whoever has worked fewest minutes so far (one
shift a day, at most `max_days`), which meets each agent's own bounds whenever the class
totals allow it.

This module builds the program (numpy arrays, solver-neutral) and decodes a solution into a
roster; the solver itself (HiGHS) is an adapter outside the pure core behind `MipSolver`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

from hotline.analytics.wfm.errors import WfmInputError

__all__ = [
    "Activity",
    "AgentSpec",
    "BreakRule",
    "Contract",
    "LinearProgram",
    "MipSolution",
    "MipSolver",
    "Roster",
    "ScheduleProblem",
    "Shift",
    "ShiftTemplate",
    "build_program",
    "coverage_of",
    "decode",
    "generate",
]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
MINUTES_PER_DAY = 1440


class Activity(StrEnum):
    WORK = "work"
    BREAK = "break"
    LUNCH = "lunch"


@dataclass(frozen=True, slots=True)
class BreakRule:
    """A break of `minutes`, starting between `earliest` and `latest` minutes into the shift."""

    activity: Activity
    minutes: int
    earliest: int
    latest: int


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    id: str
    name: str
    minutes: int  # length from start to end, breaks included
    earliest_start: int  # minute of the day
    latest_start: int
    start_step: int = 15
    breaks: tuple[BreakRule, ...] = ()
    weekdays: frozenset[int] = frozenset(range(7))  # Monday 0 … Sunday 6


@dataclass(frozen=True, slots=True)
class Contract:
    min_minutes: int = 0
    max_minutes: int = 40 * 60
    max_days: int = 5
    templates: frozenset[str] | None = None  # None: any template


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """One agent for the week: her contract, the hours she can work per weekday (None: not
    that day) and her approved time off as (day index, start minute, end minute)."""

    id: str
    contract: Contract = field(default_factory=Contract)
    availability: Mapping[int, tuple[int, int]] | None = None  # None: any time
    time_off: tuple[tuple[int, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ScheduleProblem:
    required: Floats  # people on the phones per slot of the week (7 × slots a day)
    templates: tuple[ShiftTemplate, ...]
    agents: tuple[AgentSpec, ...]
    first_weekday: int = 0  # weekday of day 0 of the week
    slot_minutes: int = 15
    excess_weight: float = 0.05
    mild_share: float = 0.15
    deep_cost: float = 3.0

    def cost_of(self, shortfall: Floats, excess: Floats) -> float:
        """The objective's value for a coverage: what the optimizer minimises."""
        mild = np.minimum(shortfall, self.mild_caps())
        deep = shortfall - mild
        return float(mild.sum() + self.deep_cost * deep.sum() + self.excess_weight * excess.sum())

    def mild_caps(self) -> Floats:
        caps: Floats = np.ceil(self.mild_share * self.required)
        return caps

    @property
    def slots_per_day(self) -> int:
        return MINUTES_PER_DAY // self.slot_minutes


@dataclass(frozen=True, slots=True)
class LinearProgram:
    """min cᵀx subject to row_lower ≤ A x ≤ row_upper, lower ≤ x ≤ upper; A row-wise (CSR)."""

    cost: Floats
    lower: Floats
    upper: Floats
    integer: npt.NDArray[np.bool_]
    row_start: Ints
    column: Ints
    value: Floats
    row_lower: Floats
    row_upper: Floats

    @property
    def columns(self) -> int:
        return int(self.cost.size)

    @property
    def rows(self) -> int:
        return int(self.row_lower.size)


@dataclass(frozen=True, slots=True)
class MipSolution:
    status: str  # "optimal", "time_limit", "infeasible", …
    objective: float
    bound: float  # best proven lower bound (the LP relaxation's value for a relaxed solve)
    values: Floats
    seconds: float


class MipSolver(Protocol):
    def solve(
        self,
        program: LinearProgram,
        *,
        time_limit_s: float,
        relative_gap: float,
        relax: bool,
        start: Floats | None = None,
    ) -> MipSolution:
        """`start`: a feasible solution to begin from (a MIP start), if known."""
        ...


@dataclass(frozen=True, slots=True)
class Shift:
    agent_id: str
    day: int
    template_id: str
    start: int  # minute of the week
    end: int
    breaks: tuple[tuple[Activity, int, int], ...]  # (activity, start, end) minutes of the week

    def activities(self) -> list[tuple[Activity, int, int]]:
        """The shift cut into work and breaks, in order."""
        out: list[tuple[Activity, int, int]] = []
        cursor = self.start
        for activity, start, end in sorted(self.breaks, key=lambda b: b[1]):
            if start > cursor:
                out.append((Activity.WORK, cursor, start))
            out.append((activity, start, end))
            cursor = end
        if cursor < self.end:
            out.append((Activity.WORK, cursor, self.end))
        return out


@dataclass(frozen=True, slots=True)
class Roster:
    shifts: tuple[Shift, ...]
    coverage: Floats  # people working (not on a break) per slot
    shortfall: Floats  # max(0, required − coverage) per slot
    excess: Floats
    objective: float
    bound: float  # the LP relaxation's objective: no schedule can do better
    status: str
    seconds: float


@dataclass(frozen=True, slots=True)
class _Group:
    day: int
    template: int
    start: int  # slot of the week


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each variable lives in the column vector."""

    shifts: list[tuple[int, int]]  # column → (class index, group index)
    classes: list[list[int]]  # class index → agent indexes
    groups: list[_Group]
    placements: list[tuple[int, int, int]]  # (group, rule, start slot of the week)
    first_placement: int
    first_shortfall: int
    slots: int


def _classes(agents: Sequence[AgentSpec]) -> list[list[int]]:
    found: dict[object, list[int]] = {}
    for index, agent in enumerate(agents):
        window = None if agent.availability is None else tuple(sorted(agent.availability.items()))
        found.setdefault((agent.contract, window, tuple(sorted(agent.time_off))), []).append(index)
    return list(found.values())


def _check(problem: ScheduleProblem) -> None:
    step = problem.slot_minutes
    if step < 5 or MINUTES_PER_DAY % step:
        raise WfmInputError(f"slot of {step} min must divide a day", field="slot_minutes")
    if problem.required.shape != (7 * problem.slots_per_day,):
        raise WfmInputError(
            f"required must have {7 * problem.slots_per_day} slots, not {problem.required.shape}",
            field="required",
        )
    for t in problem.templates:
        numbers = [t.minutes, t.earliest_start, t.latest_start, t.start_step]
        numbers += [v for b in t.breaks for v in (b.minutes, b.earliest, b.latest)]
        if any(v % step for v in numbers) or t.start_step <= 0:
            raise WfmInputError(
                f"template {t.name!r}: times must be whole multiples of {step} minutes",
                field="templates",
            )
        if not 0 < t.minutes <= MINUTES_PER_DAY or t.latest_start < t.earliest_start:
            raise WfmInputError(
                f"template {t.name!r}: bad length or start window", field="templates"
            )
        for b in t.breaks:
            if b.latest < b.earliest or b.latest + b.minutes > t.minutes or b.minutes <= 0:
                raise WfmInputError(
                    f"template {t.name!r}: a {b.activity} must fit inside the shift",
                    field="templates",
                )


def _allowed(agent: AgentSpec, template: ShiftTemplate, weekday: int, day: int, start: int) -> bool:
    contract = agent.contract
    if contract.templates is not None and template.id not in contract.templates:
        return False
    if template.minutes > contract.max_minutes:
        return False
    end = start + template.minutes
    if agent.availability is not None:
        window = agent.availability.get(weekday)
        if window is None or start < window[0] or end > window[1]:
            return False
    return all(
        not (off_day == day and start < off_end and off_start < end)
        for off_day, off_start, off_end in agent.time_off
    )


def build_program(problem: ScheduleProblem) -> tuple[LinearProgram, _Layout]:
    _check(problem)
    step, per_day = problem.slot_minutes, problem.slots_per_day
    slots = 7 * per_day
    classes = _classes(problem.agents)
    groups: list[_Group] = []
    group_of: dict[tuple[int, int, int], int] = {}
    shifts: list[tuple[int, int]] = []
    for day in range(7):
        weekday = (problem.first_weekday + day) % 7
        for ti, template in enumerate(problem.templates):
            if weekday not in template.weekdays:
                continue
            for start in range(
                template.earliest_start, template.latest_start + 1, template.start_step
            ):
                if start + template.minutes > MINUTES_PER_DAY + 12 * 60:
                    continue
                for ci, members in enumerate(classes):
                    if not _allowed(problem.agents[members[0]], template, weekday, day, start):
                        continue
                    key = (day, ti, start)
                    if key not in group_of:
                        group_of[key] = len(groups)
                        groups.append(_Group(day, ti, day * per_day + start // step))
                    shifts.append((ci, group_of[key]))
    placements: list[tuple[int, int, int]] = []
    for gi, group in enumerate(groups):
        template = problem.templates[group.template]
        for ri, rule in enumerate(template.breaks):
            for offset in range(rule.earliest, rule.latest + 1, step):
                placements.append((gi, ri, group.start + offset // step))
    n_shift, n_place = len(shifts), len(placements)
    first_shortfall = n_shift + n_place
    columns = first_shortfall + 3 * slots  # u (mild), v (deep), o (excess)

    rows: list[tuple[list[int], list[float], float, float]] = []
    # coverage, one row per slot (shifts may run past the week's end: those slots are dropped)
    cover: list[tuple[list[int], list[float]]] = [([], []) for _ in range(slots)]
    for col, (_, gi) in enumerate(shifts):
        group = groups[gi]
        length = problem.templates[group.template].minutes // step
        for t in range(group.start, min(group.start + length, slots)):
            cover[t][0].append(col)
            cover[t][1].append(1.0)
    for pi, (gi, ri, at) in enumerate(placements):
        rule = problem.templates[groups[gi].template].breaks[ri]
        for t in range(at, min(at + rule.minutes // step, slots)):
            cover[t][0].append(n_shift + pi)
            cover[t][1].append(-1.0)
    for t in range(slots):
        cols, vals = cover[t]
        cols += [first_shortfall + t, first_shortfall + slots + t, first_shortfall + 2 * slots + t]
        vals += [1.0, 1.0, -1.0]
        need = float(problem.required[t])
        rows.append((cols, vals, need, need))
    # break placements of a group add up to the agents on it, once per rule
    by_group_rule: dict[tuple[int, int], list[int]] = {}
    for pi, (gi, ri, _) in enumerate(placements):
        by_group_rule.setdefault((gi, ri), []).append(n_shift + pi)
    agents_on: dict[int, list[int]] = {}
    for col, (_, gi) in enumerate(shifts):
        agents_on.setdefault(gi, []).append(col)
    for (gi, _), cols in by_group_rule.items():
        members = agents_on[gi]
        rows.append((cols + members, [1.0] * len(cols) + [-1.0] * len(members), 0.0, 0.0))
    # per class: one shift a day per agent, days and minutes a week per agent
    per_class: dict[int, list[int]] = {}
    per_class_day: dict[tuple[int, int], list[int]] = {}
    for col, (ci, gi) in enumerate(shifts):
        per_class.setdefault(ci, []).append(col)
        per_class_day.setdefault((ci, groups[gi].day), []).append(col)
    for (ci, _), cols in per_class_day.items():
        rows.append((cols, [1.0] * len(cols), -math.inf, float(len(classes[ci]))))
    for ci, members in enumerate(classes):
        cols = per_class.get(ci, [])
        if not cols:
            continue
        size = float(len(members))
        contract = problem.agents[members[0]].contract
        rows.append((cols, [1.0] * len(cols), -math.inf, size * contract.max_days))
        minutes = [float(problem.templates[groups[shifts[c][1]].template].minutes) for c in cols]
        days_open = len({groups[shifts[c][1]].day for c in cols})
        longest = sorted(minutes)[-1]
        possible = min(contract.min_minutes, longest * min(contract.max_days, days_open))
        rows.append((cols, minutes, size * possible, size * contract.max_minutes))

    cost = np.zeros(columns)
    cost[first_shortfall : first_shortfall + slots] = 1.0
    cost[first_shortfall + slots : first_shortfall + 2 * slots] = problem.deep_cost
    cost[first_shortfall + 2 * slots :] = problem.excess_weight
    upper = np.full(columns, np.inf)
    upper[first_shortfall : first_shortfall + slots] = problem.mild_caps()
    upper[:n_shift] = [float(len(classes[ci])) for ci, _ in shifts]
    integer = np.zeros(columns, dtype=bool)
    # only shifts are integers: a group's break counts are rounded after the solve (they add
    # up to its whole number of agents), which takes most of the branching away
    integer[:n_shift] = True
    starts, cols_flat, vals_flat = [0], [], []
    for cols, vals, _, _ in rows:
        cols_flat += cols
        vals_flat += vals
        starts.append(len(cols_flat))
    program = LinearProgram(
        cost=cost,
        lower=np.zeros(columns),
        upper=upper,
        integer=integer,
        row_start=np.array(starts, dtype=np.int64),
        column=np.array(cols_flat, dtype=np.int64),
        value=np.array(vals_flat, dtype=np.float64),
        row_lower=np.array([r[2] for r in rows]),
        row_upper=np.array([r[3] for r in rows]),
    )
    layout = _Layout(shifts, classes, groups, placements, n_shift, first_shortfall, slots)
    return program, layout


def decode(
    problem: ScheduleProblem, layout: _Layout, solution: MipSolution, relaxed_bound: float
) -> Roster:
    """Deal each class's shifts to its agents and its groups' breaks to those shifts."""
    step, per_day = problem.slot_minutes, problem.slots_per_day
    x = np.rint(solution.values).astype(np.int64)
    on_group: dict[int, int] = {}
    for col, (_, gi) in enumerate(layout.shifts):
        on_group[gi] = on_group.get(gi, 0) + max(0, int(x[col]))
    by_rule: dict[tuple[int, int], list[int]] = {}
    for pi, (gi, ri, _) in enumerate(layout.placements):
        by_rule.setdefault((gi, ri), []).append(pi)
    breaks_of: dict[tuple[int, int], list[tuple[Activity, int, int]]] = {}
    for (gi, ri), indexes in by_rule.items():
        rule = problem.templates[layout.groups[gi].template].breaks[ri]
        shares = solution.values[[layout.first_placement + pi for pi in indexes]]
        for pi, count in zip(indexes, _largest_remainder(shares, on_group.get(gi, 0)), strict=True):
            at = layout.placements[pi][2]
            breaks_of.setdefault((gi, ri), []).extend(
                [(rule.activity, at * step, at * step + rule.minutes)] * count
            )
    handed: dict[tuple[int, int], int] = {}  # (group, rule) → breaks handed out
    minutes = {ai: 0 for members in layout.classes for ai in members}
    days_worked = {ai: 0 for ai in minutes}
    by_day: dict[int, list[tuple[int, int, int]]] = {}
    for col, (ci, gi) in enumerate(layout.shifts):
        for _ in range(max(0, int(x[col]))):
            by_day.setdefault(layout.groups[gi].day, []).append((ci, gi, col))
    shifts: list[Shift] = []
    for day in sorted(by_day):
        busy: set[int] = set()
        # longest shifts first, so the greedy evens out minutes as well as days
        order = sorted(
            by_day[day], key=lambda e: -problem.templates[layout.groups[e[1]].template].minutes
        )
        for ci, gi, _ in order:
            group = layout.groups[gi]
            template = problem.templates[group.template]
            free = [
                ai
                for ai in layout.classes[ci]
                if ai not in busy
                and days_worked[ai] < problem.agents[ai].contract.max_days
                and minutes[ai] + template.minutes <= problem.agents[ai].contract.max_minutes
            ]
            if not free:
                continue  # cannot happen within the class bounds; the coverage shows it if it does
            ai = min(free, key=lambda a: (minutes[a], problem.agents[a].id))
            busy.add(ai)
            minutes[ai] += template.minutes
            days_worked[ai] += 1
            start = group.start * step
            taken: list[tuple[Activity, int, int]] = []
            for ri in range(len(template.breaks)):
                pool = breaks_of.get((gi, ri), [])
                index = handed.get((gi, ri), 0)
                if index < len(pool):
                    taken.append(pool[index])
                    handed[(gi, ri)] = index + 1
            shifts.append(
                Shift(
                    agent_id=problem.agents[ai].id,
                    day=group.day,
                    template_id=template.id,
                    start=start,
                    end=start + template.minutes,
                    breaks=tuple(taken),
                )
            )
    shifts.sort(key=lambda s: (s.agent_id, s.start))
    coverage = coverage_of(shifts, 7 * per_day, step)
    shortfall = np.maximum(problem.required - coverage, 0.0)
    excess = np.maximum(coverage - problem.required, 0.0)
    objective = problem.cost_of(shortfall, excess)
    return Roster(
        tuple(shifts),
        coverage,
        shortfall,
        excess,
        objective,
        relaxed_bound,
        solution.status,
        solution.seconds,
    )


def _largest_remainder(shares: Floats, total: int) -> list[int]:
    """Whole numbers adding up to `total`, each the floor of its share or one more (the largest
    fractional parts get the extra ones)."""
    shares = np.clip(np.nan_to_num(shares), 0.0, None)
    if shares.sum() > 0:
        shares = shares * (total / shares.sum())
    else:
        shares = np.zeros_like(shares)
        if shares.size:
            shares[0] = total
    floors = np.floor(shares + 1e-9).astype(np.int64)
    extra = total - int(floors.sum())
    order = np.argsort(-(shares - floors), kind="stable")
    for i in order[: max(0, extra)]:
        floors[i] += 1
    return [int(v) for v in floors]


def coverage_of(shifts: Sequence[Shift], slots: int, slot_minutes: int) -> Floats:
    """People working (on shift and not on a break) in each slot."""
    delta = np.zeros(slots + 1)
    for shift in shifts:
        for activity, start, end in shift.activities():
            if activity is not Activity.WORK:
                continue
            a, b = start // slot_minutes, min(-(-end // slot_minutes), slots)
            if a < slots:
                delta[a] += 1
                delta[b] -= 1
    result: Floats = np.cumsum(delta)[:slots]
    return result


def generate(
    problem: ScheduleProblem,
    solver: MipSolver,
    *,
    time_limit_s: float = 50.0,
    relative_gap: float = 0.01,
) -> Roster:
    """Solve in four steps, each feeding the next:

    1. the LP relaxation: the bound, and a guide;
    2. the program with each shift count held between the floor and the ceiling of its LP
       value — few integers, so it solves in seconds and is usually at or near the bound;
    3. only if that is further than `relative_gap` from the bound: the whole program, started
       from step 2's schedule, for the time left;
    4. the shifts fixed, the breaks as whole numbers (a small program of its own).
    """
    began = time.perf_counter()

    def left(reserve: float = 0.0) -> float:
        return max(1.0, time_limit_s - (time.perf_counter() - began) - reserve)

    program, layout = build_program(problem)
    relaxed = solver.solve(program, time_limit_s=time_limit_s, relative_gap=0.0, relax=True)
    if relaxed.status == "infeasible":
        raise WfmInputError(
            "no schedule satisfies the contracts (minimum hours cannot be met)", field="agents"
        )
    for_breaks = min(10.0, 0.2 * time_limit_s)
    guide = relaxed.values[: layout.first_placement]
    lower, upper = program.lower.copy(), program.upper.copy()
    lower[: layout.first_placement] = np.floor(guide + 1e-9)
    upper[: layout.first_placement] = np.ceil(guide - 1e-9)
    near = replace(program, lower=lower, upper=upper)
    solution = solver.solve(
        near, time_limit_s=left(for_breaks), relative_gap=relative_gap, relax=False
    )
    usable = solution.status != "infeasible" and solution.values.any()
    good = usable and solution.objective <= relaxed.objective * (1 + relative_gap) + 1e-6
    if not good:
        start = solution.values if usable else None
        whole = solver.solve(
            program,
            time_limit_s=left(for_breaks),
            relative_gap=relative_gap,
            relax=False,
            start=start,
        )
        if whole.values.any() and (not usable or whole.objective < solution.objective):
            solution = whole
    if solution.status == "infeasible" or not solution.values.any():
        raise WfmInputError("no schedule satisfies the contracts", field="agents")
    shifts = np.rint(solution.values[: layout.first_placement])
    lower, upper = program.lower.copy(), program.upper.copy()
    lower[: layout.first_placement] = shifts
    upper[: layout.first_placement] = shifts
    integer = np.zeros(program.columns, dtype=bool)
    integer[layout.first_placement : layout.first_shortfall] = True
    fixed = replace(program, lower=lower, upper=upper, integer=integer)
    placed = solver.solve(fixed, time_limit_s=left(), relative_gap=relative_gap, relax=False)
    if placed.values.any() and placed.status != "infeasible":
        solution = replace(placed, status=solution.status)
    return decode(
        problem, layout, replace(solution, seconds=time.perf_counter() - began), relaxed.objective
    )

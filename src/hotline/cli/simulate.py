"""`hotline simulate SCENARIO.yaml`: run the discrete-event simulator on a scenario file.

Prints per-queue service level, ASA, P(wait), abandonment and handle time, and per-group
occupancy, each as mean ± half-width over the replications; beside a textbook single-queue
scenario it also prints what Erlang C/A predicts. `--json` prints the full report instead.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from hotline.analytics.simulate import (
    Estimate,
    ScenarioError,
    SimulationReport,
    erlang_reference,
    load_scenario,
)
from hotline.analytics.simulate import (
    simulate as run_simulation,
)
from hotline.analytics.wfm import ErlangA


def simulate(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file (docs/simulation.md)")],
    replications: Annotated[
        int | None, typer.Option("--replications", "-r", min=2, help="override the file's")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="override the file's seed")] = None,
    confidence: Annotated[
        float | None, typer.Option("--confidence", min=0.5, max=0.999, help="e.g. 0.99")
    ] = None,
    agents: Annotated[bool, typer.Option("--agents", help="also list every agent")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Simulate a call center scenario with the real router in virtual time."""
    err = Console(stderr=True)
    try:
        loaded = load_scenario(scenario)
    except ScenarioError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if seed is not None:
        loaded = dataclasses.replace(loaded, seed=seed)
    count = replications or loaded.replications
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(f"{loaded.name} × {count}", total=1.0)
        report = run_simulation(
            loaded,
            replications=count,
            confidence=confidence,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    references = erlang_reference(loaded)
    if as_json:
        body = dataclasses.asdict(report)
        body["erlang"] = {q: dataclasses.asdict(r) for q, r in references.items()}
        typer.echo(json.dumps(body, indent=2, default=_finite))
        return
    _print(Console(), report, references, agents)


def _finite(value: object) -> object:
    return None if isinstance(value, float) and not math.isfinite(value) else str(value)


def _print(
    console: Console, report: SimulationReport, references: dict[str, ErlangA], agents: bool
) -> None:
    level = f"{100 * report.confidence:g} %"
    hours = report.horizon_s / 3600
    console.print(
        f"[bold]{report.scenario}[/bold]: {report.replications} replications of {hours:g} h, "
        f"{report.calls} calls simulated; ± is the {level} confidence half-width"
    )
    for q in report.queues:
        reference = references.get(q.queue_id)
        table = Table(title=f"queue {q.queue_id} (per replication)", title_justify="left")
        table.add_column("metric")
        table.add_column("simulated", justify="right")
        table.add_column("±", justify="right")
        if reference is not None:
            table.add_column("Erlang " + ("A" if reference.p_abandon else "C"), justify="right")
        rows: list[tuple[str, Estimate, float, float | None]] = [
            ("offered", q.offered, 1, None),
            ("answered", q.answered, 1, None),
            ("service level %", q.service_level, 100, _ref(reference, "service_level", 100)),
            ("ASA s", q.asa_s, 1, _ref(reference, "asa_s", 1)),
            ("P(wait) %", q.p_wait, 100, _ref(reference, "p_wait", 100)),
            ("abandon rate %", q.abandon_rate, 100, None),
            ("all abandons %", q.abandon_share, 100, _ref(reference, "p_abandon", 100)),
            ("AHT s", q.aht_s, 1, None),
            ("callbacks", q.callbacks, 1, None),
            ("left by overflow", q.left_by_overflow, 1, None),
            ("load Erlangs", q.load_erlangs, 1, None),
        ]
        for name, value, scale, expected in rows:
            cells = [name, f"{scale * value.mean:.2f}", f"{scale * value.half_width:.2f}"]
            if reference is not None:
                cells.append("" if expected is None else f"{expected:.2f}")
            table.add_row(*cells)
        console.print(table)
        if len(q.by_priority) > 1:
            by = Table(title=f"queue {q.queue_id} by priority", title_justify="left")
            for column in ("priority", "offered", "SL %", "ASA s", "P(wait) %", "abandons %"):
                by.add_column(column, justify="right")
            for p in q.by_priority:
                by.add_row(
                    str(p.priority),
                    f"{p.offered.mean:.0f}",
                    f"{100 * p.service_level.mean:.1f} ± {100 * p.service_level.half_width:.1f}",
                    f"{p.asa_s.mean:.1f} ± {p.asa_s.half_width:.1f}",
                    f"{100 * p.p_wait.mean:.1f} ± {100 * p.p_wait.half_width:.1f}",
                    f"{100 * p.abandon_share.mean:.1f} ± {100 * p.abandon_share.half_width:.1f}",
                )
            console.print(by)
    groups = Table(title="agent groups", title_justify="left")
    for column in ("group", "agents", "occupancy %", "utilization %", "handled/agent"):
        groups.add_column(column, justify="right" if column != "group" else "left")
    for g in report.groups:
        groups.add_row(
            g.group,
            str(g.agents),
            f"{100 * g.occupancy.mean:.1f} ± {100 * g.occupancy.half_width:.1f}",
            f"{100 * g.utilization.mean:.1f} ± {100 * g.utilization.half_width:.1f}",
            f"{g.handled_per_agent.mean:.1f} ± {g.handled_per_agent.half_width:.1f}",
        )
    console.print(groups)
    if agents:
        table = Table(title="agents (means over replications)", title_justify="left")
        for column in ("agent", "group", "occupancy %", "utilization %", "handled"):
            table.add_column(
                column, justify="right" if column not in ("agent", "group") else "left"
            )
        for a in report.agents:
            table.add_row(
                a.agent_id,
                a.group,
                f"{100 * a.occupancy:.1f}",
                f"{100 * a.utilization:.1f}",
                f"{a.handled:.1f}",
            )
        console.print(table)


def _ref(reference: ErlangA | None, name: str, scale: float) -> float | None:
    return None if reference is None else scale * float(getattr(reference, name))

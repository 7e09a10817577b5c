"""`hotline simulate SCENARIO.yaml`: run the discrete-event simulator on a scenario file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def simulate(scenario: Annotated[Path, typer.Argument(help="scenario YAML file")]) -> None:
    """Simulate a call center scenario with the real router in virtual time."""
    typer.echo(f"hotline simulate {scenario}: not built yet", err=True)
    raise typer.Exit(2)

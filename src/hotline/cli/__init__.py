"""The `hotline` command: one Typer app; each command group lives in its own module here."""

from __future__ import annotations

import typer

from hotline.cli import simulate as simulate_cmd
from hotline.cli import sip as sip_cmd

app = typer.Typer(
    name="hotline",
    help="Hotline contact center: serve, demo, migrate, users, flows, simulation.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(sip_cmd.app, name="sip")
app.command("simulate")(simulate_cmd.simulate)


def main() -> None:
    app()

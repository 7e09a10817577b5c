"""`hotline sip …`: SIP troubleshooting commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="SIP tools (trace).", no_args_is_help=True)


@app.command("trace")
def trace() -> None:
    """Show a live ladder of SIP messages."""
    typer.echo("hotline sip trace: not built yet", err=True)
    raise typer.Exit(2)

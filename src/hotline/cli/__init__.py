"""The `hotline` command: one Typer app; each command group lives in its own module here."""

from __future__ import annotations

import typer

from hotline.cli import flow as flow_cmd
from hotline.cli import imports as imports_cmd
from hotline.cli import manage, server
from hotline.cli import simulate as simulate_cmd
from hotline.cli import sip as sip_cmd

app = typer.Typer(
    name="hotline",
    help="Hotline contact center: serve, demo, migrate, users, flows, simulation, import.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve")(server.serve)
app.command("demo")(server.demo)
app.command("migrate")(manage.migrate_cmd)
app.add_typer(manage.user_app, name="user")
app.command("config-check", hidden=True)(manage.config_check)
config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
config_app.command("check")(manage.config_check)
app.add_typer(config_app, name="config")
app.command("cert")(manage.cert)
app.add_typer(sip_cmd.app, name="sip")
app.add_typer(flow_cmd.app, name="flow")
app.command("simulate")(simulate_cmd.simulate)
app.command("import")(imports_cmd.import_cmd)
app.command("export")(imports_cmd.export_cmd)


def main() -> None:
    app()

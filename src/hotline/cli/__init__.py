"""The `hotline` command: one Typer app; each command group lives in its own module here."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

import hotline.cli._blas  # noqa: F401  (first: before numpy loads)
from hotline.cli import backup as backup_cli
from hotline.cli import cluster as cluster_cmd
from hotline.cli import flow as flow_cmd
from hotline.cli import imports as imports_cmd
from hotline.cli import loadtest as loadtest_cmd
from hotline.cli import manage, server
from hotline.cli import reports as reports_cmd
from hotline.cli import simulate as simulate_cmd
from hotline.cli import sip as sip_cmd
from hotline.cli import tenants as tenants_cmd
from hotline.errors import HotlineError

app = typer.Typer(
    name="hotline",
    pretty_exceptions_enable=False,
    help="Hotline contact center: serve, demo, migrate, users, flows, simulation, import, "
    "backup, tenants, loadtest, cluster.",
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
app.command("backup")(backup_cli.backup_cmd)
app.command("restore")(backup_cli.restore_cmd)
app.add_typer(backup_cli.keys_app, name="keys")
app.add_typer(tenants_cmd.tenant_app, name="tenant")
app.add_typer(tenants_cmd.operator_app, name="operator")
app.add_typer(reports_cmd.app, name="reports")
app.command("loadtest")(loadtest_cmd.loadtest)
app.add_typer(cluster_cmd.app, name="cluster")


def main() -> None:
    """Run a command; a configuration mistake stops it with one line each, never a traceback."""
    try:
        app()
    except HotlineError as error:
        sys.stderr.write(f"error: {error.message}\n")
        sys.exit(1)
    except ValidationError as error:  # Settings: one line per wrong setting
        for e in error.errors():
            where = ".".join(str(part) for part in e["loc"]) or "settings"
            sys.stderr.write(f"error: {where}: {e['msg']}\n")
        sys.exit(1)
    except FileNotFoundError as error:  # HOTLINE_CONFIG naming a missing file
        sys.stderr.write(f"error: {error}\n")
        sys.exit(1)
    except DBAPIError as error:  # the database refused us (no such database, wrong password)
        cause = error.orig if error.orig is not None else error
        first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
        sys.stderr.write(f"error: database: {first}\n")
        sys.exit(1)
    except OSError as error:  # nothing listens there, a name that does not resolve, a busy port
        sys.stderr.write(f"error: {type(error).__name__}: {error}\n")
        sys.exit(1)

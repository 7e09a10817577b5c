"""`hotline sip …`: SIP troubleshooting commands.

`hotline sip trace` reads the JSON-lines trace stream the server writes (settings: SIP trace
path) and prints a ladder of the messages, optionally following the file as it grows and
filtering one call. It needs no running server: point it at a copied trace file too.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console

from hotline.sip.trace import LadderFormatter, TraceRecord

app = typer.Typer(help="SIP tools (trace).", no_args_is_help=True)

DEFAULT_TRACE = Path("var/sip-trace.jsonl")


def _records(stream: TextIO, console: Console) -> list[TraceRecord]:
    return _parse_lines(stream, console)


def _parse_lines(lines: Iterable[str], console: Console) -> list[TraceRecord]:
    out: list[TraceRecord] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            out.append(TraceRecord.from_json(line))
        except (ValueError, KeyError, TypeError):
            console.print(f"[yellow]skipped a line that is not a trace record: {line[:60]!r}")
    return out


def _show(record: TraceRecord, fmt: LadderFormatter, console: Console, full: bool) -> None:
    if not fmt.wanted(record):
        return
    style = "cyan" if record.direction == "in" else "green"
    console.print(fmt.format(record), style=style, markup=False, highlight=False)
    if full:
        text = record.data.decode("utf-8", "replace").replace("\r\n", "\n").rstrip("\n")
        console.print(text, markup=False, highlight=False, style="dim")
        console.print()


@app.command("trace")
def trace(
    path: Annotated[
        Path, typer.Argument(help="Trace file (JSON lines) the server writes.")
    ] = DEFAULT_TRACE,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep reading as the file grows.")
    ] = False,
    call_id: Annotated[
        str | None, typer.Option("--call-id", "-c", help="Show only this call.")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Print each whole message under its arrow.")
    ] = False,
    width: Annotated[int, typer.Option(help="Width of the ladder lines.")] = 110,
    last: Annotated[int, typer.Option(help="Start with only the last N messages (0 = all).")] = 0,
) -> None:
    """Show a readable ladder of SIP messages (live with --follow)."""
    console = Console(highlight=False, soft_wrap=True)
    if not path.exists():
        console.print(
            f"[red]{path} does not exist. Start the server with SIP tracing on "
            "(HOTLINE_SIP__TRACE_PATH) or give the path of a trace file."
        )
        raise typer.Exit(1)
    fmt = LadderFormatter(width=width, call_id=call_id)
    with path.open(encoding="utf-8") as stream:
        records = _records(stream, console)
        if last:
            records = records[-last:]
        for record in records:
            _show(record, fmt, console, full)
        if not follow:
            return
        try:
            while True:
                line = stream.readline()
                if not line:
                    time.sleep(0.2)
                    continue
                for record in _parse_lines([line], console):
                    _show(record, fmt, console, full)
        except KeyboardInterrupt:
            return

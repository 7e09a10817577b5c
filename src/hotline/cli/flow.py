"""`hotline flow …`: check flow files before they are published.

`hotline flow check main.yaml` prints every problem as `node <id> field <field>: …` and exits 1,
or prints a one-line summary and exits 0. Prompt files are looked up under `--prompts`, or a
`prompts/` directory next to the flow file when there is one. `hotline flow graph main.yaml`
prints the graph (Mermaid, or `--json`). `publish`, `versions` and `rollback` need the
database and are added by the composition root.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hotline.flows.errors import FlowInvalid, FlowSyntaxError
from hotline.flows.graph import flow_graph, to_mermaid
from hotline.flows.loader import parse_flow, read_flow_file
from hotline.flows.schema import Flow
from hotline.flows.validate import check_flow

app = typer.Typer(
    help="IVR / bot flows: check, graph (publish, versions, rollback).", no_args_is_help=True
)


@app.callback()
def flow() -> None:
    """IVR / bot flows."""


def _summary(flow: Flow, prompts_root: Path | None) -> str:
    kinds: dict[str, int] = {}
    for node in flow.nodes.values():
        kinds[node.type] = kinds.get(node.type, 0) + 1
    parts = [
        f"flow {flow.name!r} OK: {len(flow.nodes)} nodes",
        f"start {flow.start!r}",
        "languages " + ", ".join(flow.all_languages),
    ]
    if flow.dids:
        parts.append("DIDs " + ", ".join(flow.dids))
    parts.append("prompt files checked under " + str(prompts_root) if prompts_root else "")
    used = " ".join(f"{kind}×{count}" for kind, count in sorted(kinds.items()))
    return "; ".join(p for p in parts if p) + f" ({used})"


@app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="Flow files (.yaml, .yml or .json).")],
    prompts: Annotated[
        Path | None,
        typer.Option(help="Prompts directory; default: a prompts/ directory beside each file."),
    ] = None,
    queue: Annotated[
        list[str] | None,
        typer.Option("--queue", help="A queue that exists (repeat); other queue names fail."),
    ] = None,
) -> None:
    """Validate flow files: exit 1 listing node id and field of every error, else 0."""
    failed = False
    for path in files:
        root = prompts
        if root is None and (path.parent / "prompts").is_dir():
            root = path.parent / "prompts"
        try:
            data = read_flow_file(path)
        except FlowSyntaxError as exc:
            typer.echo(f"{path}: {exc.message}", err=True)
            failed = True
            continue
        result = check_flow(data, prompts_root=root, queues=queue or None)
        if result.flow is not None and not result.issues:
            typer.echo(f"{path}: {_summary(result.flow, root)}")
            continue
        failed = True
        for issue in result.issues:
            typer.echo(f"{path}: {issue}", err=True)
        typer.echo(f"{path}: {len(result.issues)} error(s)", err=True)
    if failed:
        raise typer.Exit(1)


@app.command("graph")
def graph(
    file: Annotated[Path, typer.Argument(help="A flow file (.yaml, .yml or .json).")],
    json_output: Annotated[
        bool, typer.Option("--json", help="Nodes and edges as JSON instead of Mermaid.")
    ] = False,
) -> None:
    """Print the flow's graph as a Mermaid flowchart (dotted arrows: taken without waiting)."""
    try:
        flow = parse_flow(read_flow_file(file))
    except (FlowSyntaxError, FlowInvalid) as exc:
        typer.echo(f"{file}: {exc.message}", err=True)
        raise typer.Exit(1) from None
    if json_output:
        typer.echo(json.dumps(flow_graph(flow).as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(to_mermaid(flow), nl=False)

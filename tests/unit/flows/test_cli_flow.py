"""`hotline flow check`: exit 1 naming node and field of every error, else 0 with a summary."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hotline.cli.flow import app

DATA = Path(__file__).parents[2] / "data" / "flows"
EXAMPLES = Path(__file__).parents[3] / "examples" / "flows"

runner = CliRunner()


def test_a_valid_flow_exits_0_with_a_summary() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "main.yaml")])
    assert result.exit_code == 0, result.output
    assert "flow 'main' OK: 21 nodes" in result.stdout
    assert "DIDs 4001" in result.stdout


def test_an_invalid_flow_exits_1_listing_every_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["check", str(DATA / "invalid_all.yaml"), "--prompts", str(DATA / "prompts")]
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 7  # six issues and a count
    assert "node 'welcome' field 'prompt.file': prompt file 'missing.wav' not found" in lines[0]
    assert "node 'menu' field 'options.1': no node 'nowhere' [flow.node.unknown]" in lines[1]
    assert "node 'orphan' field 'id'" in lines[5]
    assert lines[6].endswith("6 error(s)")


def test_prompts_beside_the_file_are_found_without_an_option(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "hi.wav").write_bytes(b"RIFF")
    flow = tmp_path / "f.yaml"
    flow.write_text(
        "name: f\nstart: a\nnodes:\n"
        "  a: {type: play, prompt: {file: hi.wav}, next: b}\n"
        "  b: {type: hangup, prompt: {file: bye.wav}}\n"
    )
    result = runner.invoke(app, ["check", str(flow)])
    assert result.exit_code == 1
    assert "node 'b' field 'prompt.0.file'" not in result.stderr
    assert "node 'b' field 'prompt.file': prompt file 'bye.wav' not found" in result.stderr


def test_unknown_queues_fail_when_queues_are_given() -> None:
    args = ["check", str(DATA / "valid_small.yaml"), "--queue", "sales"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "node 'agent' field 'queue': no queue 'support'" in result.stderr
    assert runner.invoke(app, [*args, "--queue", "support"]).exit_code == 0


def test_unreadable_and_schema_broken_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [\n")
    result = runner.invoke(app, ["check", str(bad), str(DATA / "invalid_schema.json")])
    assert result.exit_code == 1
    assert "not valid YAML" in result.stderr
    assert "node 'odd' field 'type': unknown node type 'teleport'" in result.stderr
    missing = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1
    assert "cannot read" in missing.stderr


def test_graph_prints_mermaid_or_json() -> None:
    result = runner.invoke(app, ["graph", str(DATA / "valid_small.yaml")])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    n0(["welcome (play)"])' in lines  # the start node is rounded
    assert "    n3 -.->|no_answer| n4" in lines  # dotted: taken without waiting
    as_json = runner.invoke(app, ["graph", "--json", str(EXAMPLES / "main.yaml")])
    graph = json.loads(as_json.stdout)
    assert graph["name"] == "main"
    assert {"source": "main_menu", "target": "to_english", "field": "options.9", "waits": True} in (
        graph["edges"]
    )
    broken = runner.invoke(app, ["graph", str(DATA / "invalid_schema.json")])
    assert broken.exit_code == 1

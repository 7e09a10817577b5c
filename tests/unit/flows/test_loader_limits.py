"""Flow text nested too deeply or expanding through YAML aliases is a syntax error naming the
place, from the loader and from `hotline flow check` (which printed a RecursionError traceback)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli.flow import app
from hotline.flows.errors import FlowSyntaxError
from hotline.flows.loader import MAX_DEPTH, read_document

EXAMPLES = Path(__file__).parents[3] / "examples" / "flows"


def _bomb(levels: int) -> str:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for parent, child in itertools.pairwise("abcdefghij"[: levels + 1]):
        text += f"{child}: &{child} [{', '.join(['*' + parent] * 10)}]\n"
    return text


def test_deep_yaml_names_line_and_column() -> None:
    with pytest.raises(FlowSyntaxError) as caught:
        read_document("nodes: " + "[" * 3_000 + "]" * 3_000, source="deep.yaml")
    assert caught.value.line == 1
    assert f"nested deeper than {MAX_DEPTH} levels" in caught.value.message


def test_deep_json_is_refused_without_recursion() -> None:
    with pytest.raises(FlowSyntaxError, match="nested deeper"):
        read_document("[" * 100_000 + "]" * 100_000, fmt="json")
    with pytest.raises(FlowSyntaxError, match="nested deeper"):
        read_document("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), fmt="json")


def test_alias_bombs_are_refused_but_small_anchors_still_work() -> None:
    with pytest.raises(FlowSyntaxError, match="expands to more than"):
        read_document(_bomb(5))
    assert read_document(_bomb(2))["c"][0][0] == ["x"] * 10
    assert read_document("p: &p {tts: hi}\nq: *p\n") == {"p": {"tts": "hi"}, "q": {"tts": "hi"}}


def test_every_example_flow_is_within_the_limits() -> None:
    for path in EXAMPLES.glob("*.yaml"):
        assert isinstance(read_document(path.read_text()), dict)


def test_flow_check_reports_deep_yaml_in_one_line(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("name: x\nnodes: " + "[" * 3_000 + "]" * 3_000 + "\n")
    result = CliRunner().invoke(app, ["check", str(deep)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.strip().splitlines() == [
        f"{deep}: {deep}: nested deeper than {MAX_DEPTH} levels (line 2, column {MAX_DEPTH + 7})"
    ]

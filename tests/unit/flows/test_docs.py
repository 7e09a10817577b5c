"""The flow reference's YAML examples are real: each node example validates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from hotline.flows.loader import NODE_ADAPTER
from hotline.flows.schema import Prompts

PROMPTS: TypeAdapter[tuple[object, ...]] = TypeAdapter(Prompts)

DOCS = Path(__file__).parents[3] / "docs"


def node_examples(doc: Path) -> list[tuple[str, dict[str, object]]]:
    found: list[tuple[str, dict[str, object]]] = []
    for block in re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
        data = yaml.safe_load(block.replace("  menu: …\n", ""))
        nodes = data.get("nodes", data) if isinstance(data, dict) else {}
        for node_id, node in nodes.items():
            if isinstance(node, dict) and "type" in node:
                found.append((node_id, node))
    return found


@pytest.mark.parametrize("doc", ["flows.md", "flows.zh-CN.md"])
def test_every_node_type_has_a_valid_example(doc: str) -> None:
    examples = node_examples(DOCS / doc)
    types = {node["type"] for _, node in examples}
    assert types == {
        "play", "menu", "collect", "condition", "hours", "lookup", "set", "queue",
        "callback", "voicemail", "transfer", "survey", "emergency", "hangup", "ticket",
        "ticket_status", "sms", "bot",
    }  # fmt: skip
    for _, node in examples:
        NODE_ADAPTER.validate_python(node)


@pytest.mark.parametrize("doc", ["flows.md", "flows.zh-CN.md"])
def test_prompt_examples_parse(doc: str) -> None:
    text = (DOCS / doc).read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(prompt: 欢迎致电。.*?)```", text, re.S)
    assert block is not None
    chunks = re.split(r"\n(?=prompt:)", block.group(1))
    assert len(chunks) == 4
    for chunk in chunks:
        assert PROMPTS.validate_python(yaml.safe_load(chunk)["prompt"])

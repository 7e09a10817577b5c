"""Reading flow documents: YAML or JSON text → data → a `Flow`, with errors that name places.

Text that does not parse raises `FlowSyntaxError` with line and column, and so does text nested
deeper than `MAX_DEPTH` or whose YAML aliases expand past `MAX_VALUES` values (a flow is a
shallow document; anything else is a mistake or an attack on the parser). Data that does not fit
the schema raises `FlowInvalid` listing every pydantic complaint as a `FlowIssue` naming the
node id and the field (`node 'menu' field 'timeout': …`), never pydantic's raw `loc` tuple.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import TypeAdapter, ValidationError

from hotline.flows.errors import FlowInvalid, FlowIssue, FlowSyntaxError, IssueCode
from hotline.flows.schema import NODE_TYPES, Flow, Node

__all__ = [
    "MAX_DEPTH",
    "MAX_VALUES",
    "NODE_ADAPTER",
    "issues_from_validation_error",
    "parse_flow",
    "read_document",
    "read_flow_file",
]

NODE_ADAPTER: TypeAdapter[Node] = TypeAdapter(Node)

DocumentFormat = Literal["yaml", "json"]
# libyaml's safe loader when PyYAML was built with it (about 7x faster on flow files), else
# the pure-Python one; both build the same plain data.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 32
MAX_VALUES = 100_000


def _too_deep(source: str, line: int | None = None, column: int | None = None) -> FlowSyntaxError:
    where = "" if line is None else f" (line {line}, column {column})"
    return FlowSyntaxError(
        f"{source}: nested deeper than {MAX_DEPTH} levels{where}", line=line, column=column
    )


def _check_yaml_shape(text: str, source: str) -> None:
    """Walk the parser's events (no recursion, nothing built) and refuse deep nesting and
    alias bombs before `safe_load` builds the document."""
    depth = 0
    values = 0
    anchors: dict[str, int] = {}
    open_: list[tuple[str | None, int]] = []
    for event in yaml.parse(text, Loader=_SAFE_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            values += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                if mark is None:
                    raise _too_deep(source)
                raise _too_deep(source, mark.line + 1, mark.column + 1)
            open_.append((event.anchor, values))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            anchor, first = open_.pop()
            if anchor is not None:
                anchors[anchor] = values - first + 1
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if event.anchor is not None:
                anchors[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            values += anchors.get(str(event.anchor), 1)
        if values > MAX_VALUES:
            raise FlowSyntaxError(
                f"{source}: the document expands to more than {MAX_VALUES} values "
                "(YAML aliases repeating large parts?)"
            )


def _check_depth(data: Any, source: str) -> None:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth >= MAX_DEPTH:
                raise _too_deep(source)
            stack.extend(
                (child, depth + 1) for child in (node.values() if isinstance(node, dict) else node)
            )


def read_document(text: str, *, fmt: DocumentFormat = "yaml", source: str = "<flow>") -> Any:
    """Parse flow text. YAML is a superset of JSON, so "yaml" reads both."""
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FlowSyntaxError(
                f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                line=exc.lineno,
                column=exc.colno,
            ) from None
        except RecursionError:
            raise _too_deep(source) from None
        _check_depth(data, source)
        return data
    try:
        _check_yaml_shape(text, source)
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = None if mark is None else mark.line + 1
        column = None if mark is None else mark.column + 1
        where = "" if line is None else f" (line {line}, column {column})"
        raise FlowSyntaxError(
            f"{source}: not valid YAML: {exc.problem}{where}", line=line, column=column
        ) from None
    except yaml.YAMLError as exc:
        raise FlowSyntaxError(f"{source}: not valid YAML: {exc}") from None


def read_flow_file(path: Path) -> Any:
    """The data in a `.yaml`, `.yml` or `.json` flow file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowSyntaxError(f"{path}: cannot read: {exc}") from None
    fmt: DocumentFormat = "json" if path.suffix.lower() == ".json" else "yaml"
    return read_document(text, fmt=fmt, source=str(path))


def _message(error: Any) -> tuple[str, dict[str, str]]:
    """The message of one of pydantic's errors as a template and its values (ADR 0125)."""
    kind = error["type"]
    if kind == "missing":
        return "this field is required", {}
    if kind == "extra_forbidden":
        return "unknown field", {}
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", error["input"])
        return "unknown node type '%(tag)s' (one of: %(known)s)", {
            "tag": str(tag),
            "known": ", ".join(NODE_TYPES),
        }
    if kind == "union_tag_not_found":
        return "a node needs a 'type'", {}
    message = str(error["msg"])
    return "%(problem)s", {"problem": message.removeprefix("Value error, ")}


_TYPE_TAGS = frozenset({"str", "int", "float", "bool", "none", "dict", "list", "tuple"})


def _is_type_tag(part: str) -> bool:
    """Union members appear in pydantic's path as `str` or `dict[constrained-str,str]`."""
    return part in _TYPE_TAGS or ("[" in part and part != "[key]") or part.startswith("function-")


def issues_from_validation_error(exc: ValidationError, data: Any) -> list[FlowIssue]:
    """One `FlowIssue` per pydantic error, located at a node id and a dotted field path."""
    nodes = data.get("nodes") if isinstance(data, dict) else None
    issues: list[FlowIssue] = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        node: str | None = None
        if len(loc) >= 2 and loc[0] == "nodes" and isinstance(nodes, dict):
            node, loc = loc[1], loc[2:]
            raw = nodes.get(node)
            # Pydantic puts the discriminator's value in the path; it is not a field.
            if loc and isinstance(raw, dict) and loc[0] == raw.get("type") and loc[0] in NODE_TYPES:
                loc = loc[1:]
            if loc == ["[key]"]:
                loc = ["id"]
            elif not loc:
                loc = ["type"]
        loc = [part for part in loc if not _is_type_tag(part)]
        template, params = _message(error)
        if loc == ["id"]:
            template = f"{template} (ids start with a letter; letters, digits, _ and -)"
        where = ".".join(loc) or "(document)"
        issue = FlowIssue.said(IssueCode.SCHEMA, node, where, template, **params)
        # A union field fails once per member; one complaint per place is enough.
        if not any(i.node == issue.node and i.field == issue.field for i in issues):
            issues.append(issue)
    return issues


def parse_flow(data: Any) -> Flow:
    """A `Flow` from parsed data; raises `FlowInvalid` with every schema problem."""
    if not isinstance(data, dict):
        issue = FlowIssue.said(
            IssueCode.SCHEMA, None, "(document)", "a flow is a mapping of fields"
        )
        raise FlowInvalid([issue])
    try:
        return Flow.model_validate(data)
    except ValidationError as exc:
        name = data.get("name") if isinstance(data.get("name"), str) else None
        raise FlowInvalid(issues_from_validation_error(exc, data), name=name) from None

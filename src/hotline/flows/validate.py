"""Flow validation: everything that can be known wrong before a call meets it.

`check_flow(data)` runs the schema and then the graph checks and returns every issue, each naming
the node id and the field: unknown node references, unreachable nodes, loops that never wait for
the caller or for time (the interpreter would spin), missing or empty prompts, prompt files
absent under the prompts root, expressions that do not parse or cannot work on the types they
read, unknown calendars, queues and ticket departments and categories, and values out of
range. Publishing refuses a flow with any issue; `hotline flow check` prints them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from hotline.flows.errors import (
    AT_COLUMN,
    ExpressionSyntaxError,
    FlowInvalid,
    FlowIssue,
    IssueCode,
    regex_problem,
)
from hotline.flows.expression import parse_expression
from hotline.flows.loader import NODE_ADAPTER, parse_flow
from hotline.flows.prompts import template_fields
from hotline.flows.schema import (
    CallbackNode,
    CollectNode,
    ConditionNode,
    Flow,
    HoursNode,
    LookupNode,
    MenuNode,
    Prompt,
    QueueNode,
    SetNode,
    SurveyNode,
    TicketNode,
    TransferNode,
    VoicemailNode,
    _Node,
)
from hotline.flows.typecheck import Type, article, check_expression, type_of_value
from hotline.flows.variables import READ_ONLY_PREFIXES, VariableCatalog

__all__ = ["FlowCheck", "TicketNames", "check_flow", "ensure_valid", "validate_flow"]

_SPEC_TYPES = {"string": Type.STRING, "integer": Type.INTEGER, "number": Type.NUMBER}
_SPEC_TYPES["boolean"] = Type.BOOLEAN
_DIALABLE = re.compile(r"^\+?[0-9*#]{1,32}$")
# Message templates said more than once (message ids of the UI catalog: ADR 0125).
_NO_NODE = "no node '%(target)s'"
_LANGUAGE_UNKNOWN = "language %(language)s is not in the flow's languages %(languages)s"


@dataclass(frozen=True, slots=True)
class TicketNames:
    """The center's ticket department and category codes a ticket node may name (known when
    publishing)."""

    departments: frozenset[str]
    categories: frozenset[str]


@dataclass(frozen=True, slots=True)
class FlowCheck:
    """The outcome of checking a flow document: the flow (if its schema holds) and all issues."""

    flow: Flow | None
    issues: tuple[FlowIssue, ...]

    @property
    def ok(self) -> bool:
        return self.flow is not None and not self.issues


def _meant(target: str, nodes: Collection[str]) -> str | None:
    """The node a branch to a missing one was most likely meant for (`main_mneu` → `main_menu`):
    its misspelling is reported once, at the branch, not again as every node behind it being
    unreachable."""
    close = difflib.get_close_matches(target, list(nodes), n=1, cutoff=0.75)
    return close[0] if close else None


def _fits(actual: Type, expected: Type) -> bool:
    if actual in (Type.ANY, Type.NULL) or expected is Type.ANY or actual is expected:
        return True
    return actual is Type.INTEGER and expected is Type.NUMBER


class _Validator:
    def __init__(
        self,
        flow: Flow,
        prompts_root: Path | None,
        queues: Collection[str] | None,
        calendars: Collection[str] | None = None,
        tickets: TicketNames | None = None,
    ) -> None:
        self.flow = flow
        self.prompts_root = prompts_root
        self.queues = None if queues is None else frozenset(queues)
        self.calendars = None if calendars is None else frozenset(calendars)
        self.tickets = tickets
        self.catalog = VariableCatalog(flow)
        self.issues: list[FlowIssue] = []

    def add(self, code: str, node: str | None, field: str, template: str, **params: Any) -> None:
        self.issues.append(FlowIssue.said(code, node, field, template, **params))

    def run(self) -> list[FlowIssue]:
        self.variable_specs()
        self.references()
        self.reachability()
        self.loops()
        for node_id, node in self.flow.nodes.items():
            self.prompts(node_id, node)
            self.expressions(node_id, node)
            self.node_rules(node_id, node)
        order = {node_id: i for i, node_id in enumerate(self.flow.nodes)}
        return sorted(self.issues, key=lambda issue: order.get(issue.node or "", -1))

    # --- graph ---------------------------------------------------------------------------------

    def references(self) -> None:
        nodes = self.flow.nodes
        if self.flow.start not in nodes:
            self.add(IssueCode.NODE_UNKNOWN, None, "start", _NO_NODE, target=self.flow.start)
        for node_id, node in nodes.items():
            for edge in node.edges():
                if edge.target not in nodes:
                    self.add(
                        IssueCode.NODE_UNKNOWN, node_id, edge.field, _NO_NODE, target=edge.target
                    )

    def reachability(self) -> None:
        nodes = self.flow.nodes
        if self.flow.start not in nodes:
            return
        seen = {self.flow.start}
        todo = [self.flow.start]
        while todo:
            for edge in nodes[todo.pop()].edges():
                target = edge.target if edge.target in nodes else _meant(edge.target, nodes)
                if target is not None and target not in seen:
                    seen.add(target)
                    todo.append(target)
        for node_id in nodes:
            if node_id not in seen:
                self.add(
                    IssueCode.NODE_UNREACHABLE,
                    node_id,
                    "id",
                    "no branch leads here from the start node '%(start)s'",
                    start=self.flow.start,
                )

    def loops(self) -> None:
        """Cycles made only of branches taken without waiting would spin the interpreter."""
        nodes = self.flow.nodes
        instant: dict[str, list[tuple[str, str]]] = {
            node_id: [(e.target, e.field) for e in node.edges() if not e.waits]
            for node_id, node in nodes.items()
        }
        instant = {k: [(t, f) for t, f in v if t in nodes] for k, v in instant.items()}
        for component in _strongly_connected(instant):
            first = min(component, key=list(nodes).index)
            if len(component) == 1 and all(t != first for t, _ in instant[first]):
                continue
            path, field = _cycle_through(first, component, instant)
            self.add(
                IssueCode.LOOP_NO_WAIT,
                first,
                field,
                "loop with no wait: %(path)s; put a menu, play or queue on it",
                path=" → ".join(path),
            )

    # --- prompts -------------------------------------------------------------------------------

    def prompts(self, node_id: str, node: _Node) -> None:
        fields = node.prompt_fields()
        if isinstance(node, QueueNode) and node.announcements.prompt:
            fields["announcements.prompt"] = node.announcements.prompt
        for field, prompts in fields.items():
            for index, prompt in enumerate(prompts):
                self.prompt(node_id, field if len(prompts) == 1 else f"{field}.{index}", prompt)

    def prompt(self, node_id: str, field: str, prompt: Prompt) -> None:
        languages = self.flow.all_languages
        default = self.flow.language
        texts = prompt.texts(default)
        if not texts and prompt.file is None and not prompt.files:
            self.add(IssueCode.PROMPT_EMPTY, node_id, field, "a prompt needs tts text or a file")
            return
        pinned = prompt.language is not None
        if pinned and prompt.language not in languages:
            self.add(
                IssueCode.LANGUAGE_UNKNOWN,
                node_id,
                f"{field}.language",
                _LANGUAGE_UNKNOWN,
                language=prompt.language,
                languages=list(languages),
            )
        if pinned and prompt.language not in texts and prompt.file is None:
            if prompt.language not in prompt.files:
                message = "nothing to play in the pinned language %(language)s"
                self.add(IssueCode.PROMPT_EMPTY, node_id, field, message, language=prompt.language)
        elif (
            not pinned
            and prompt.file is None
            and default not in texts
            and default not in prompt.files
        ):
            self.add(
                IssueCode.PROMPT_EMPTY,
                node_id,
                field,
                "nothing to play in the flow's language %(language)s"
                " (add tts %(language)s or a file)",
                language=default,
            )
        for lang, text in texts.items():
            where = f"{field}.tts" if isinstance(prompt.tts, str) else f"{field}.tts.{lang}"
            if lang not in languages and lang != prompt.language:  # pinned: reported above
                self.add(
                    IssueCode.LANGUAGE_UNKNOWN,
                    node_id,
                    where,
                    _LANGUAGE_UNKNOWN,
                    language=lang,
                    languages=list(languages),
                )
            self.template(node_id, where, text)
        files = [(f"{field}.file", prompt.file)] if prompt.file else []
        for lang, path in prompt.files.items():
            files.append((f"{field}.files.{lang}", path))
            if lang not in languages:
                self.add(
                    IssueCode.LANGUAGE_UNKNOWN,
                    node_id,
                    f"{field}.files.{lang}",
                    _LANGUAGE_UNKNOWN,
                    language=lang,
                    languages=list(languages),
                )
        for where, path in files:
            self.prompt_file(node_id, where, path)

    def prompt_file(self, node_id: str, field: str, path: str) -> None:
        pure = PurePosixPath(path.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            self.add(
                IssueCode.PROMPT_PATH,
                node_id,
                field,
                "'%(path)s': prompt files are relative paths inside the prompts directory",
                path=path,
            )
            return
        if self.prompts_root is not None and not (self.prompts_root / pure).is_file():
            self.add(
                IssueCode.PROMPT_MISSING,
                node_id,
                field,
                "prompt file '%(path)s' not found under %(root)s",
                path=path,
                root=self.prompts_root,
            )

    def template(self, node_id: str, field: str, text: str) -> None:
        found, problems = template_fields(text)
        for template, params in problems:
            self.add(IssueCode.EXPRESSION_SYNTAX, node_id, field, template, **params)
        for item in found:
            if self.catalog.lookup(item.name) is None:
                self.add(
                    IssueCode.VARIABLE_UNKNOWN,
                    node_id,
                    field,
                    "unknown variable '%(name)s' in {%(name)s}",
                    name=item.name,
                )

    # --- expressions ---------------------------------------------------------------------------

    def expressions(self, node_id: str, node: _Node) -> None:
        for field, source in node.expression_fields().items():
            try:
                expression = parse_expression(source)
            except ExpressionSyntaxError as exc:
                self.add(
                    IssueCode.EXPRESSION_SYNTAX,
                    node_id,
                    field,
                    exc.template + AT_COLUMN,
                    **exc.params,
                    column=exc.position + 1,
                    source=source,
                )
                continue
            found, problems = check_expression(expression, self.catalog.lookup)
            for problem in problems:
                self.add(
                    problem.code,
                    node_id,
                    field,
                    problem.template + AT_COLUMN,
                    **dict(problem.params),
                    column=problem.position + 1,
                    source=source,
                )
            expected = self.expected_type(node, field)
            if expected is not None and not problems and not _fits(found, expected):
                self.add(
                    IssueCode.EXPRESSION_TYPE,
                    node_id,
                    field,
                    "'%(source)s' gives %(found_type)s; this field needs %(expected_type)s",
                    source=source,
                    found_type=article(found),
                    expected_type=article(expected),
                )

    def expected_type(self, node: _Node, field: str) -> Type | None:
        if isinstance(node, ConditionNode):
            return Type.BOOLEAN
        if isinstance(node, QueueNode) and field == "priority":
            return Type.INTEGER
        if isinstance(node, SetNode):
            name = field.removeprefix("assign.")
            spec = self.flow.variables.get(name)
            return None if spec is None else _SPEC_TYPES[spec.type]
        return None

    # --- node-specific rules -------------------------------------------------------------------

    def writable(self, node_id: str | None, field: str, name: str) -> None:
        if name.startswith(READ_ONLY_PREFIXES) or name in ("channel", "caller.number"):
            self.add(
                IssueCode.VALUE_RANGE,
                node_id,
                field,
                "'%(name)s' is set by the runtime; flows can read it but not assign it",
                name=name,
            )

    def pattern(self, node_id: str, field: str, pattern: str | None) -> None:
        if pattern is None:
            return
        try:
            re.compile(pattern)
        except re.error as exc:
            template, params = regex_problem(exc)
            self.add(IssueCode.PATTERN_INVALID, node_id, field, template, **params)

    def queue(self, node_id: str, field: str, name: str) -> None:
        if self.queues is not None and name not in self.queues:
            self.add(IssueCode.QUEUE_UNKNOWN, node_id, field, "no queue '%(name)s'", name=name)

    def ticket_names(
        self, node_id: str, prefix: str, department: str, category: str | None
    ) -> None:
        """A ticket's department and category must exist in the center (when publishing)."""
        known = self.tickets
        if known is None:
            return
        if department not in known.departments:
            field = f"{prefix}department"
            template = "no ticket department '%(name)s'"
            self.add(IssueCode.DEPARTMENT_UNKNOWN, node_id, field, template, name=department)
        if category is not None and category not in known.categories:
            field = f"{prefix}category"
            template = "no ticket category '%(name)s'"
            self.add(IssueCode.CATEGORY_UNKNOWN, node_id, field, template, name=category)

    def node_rules(self, node_id: str, node: _Node) -> None:
        if isinstance(node, MenuNode | SurveyNode) and node.variable:
            self.writable(node_id, "variable", node.variable)
        elif isinstance(node, CollectNode):
            self.writable(node_id, "variable", node.variable)
            self.pattern(node_id, "pattern", node.pattern)
            if node.min_digits > node.max_digits:
                self.add(IssueCode.VALUE_RANGE, node_id, "min_digits", "more than max_digits")
        elif isinstance(node, SetNode):
            for name in node.assign:
                self.writable(node_id, f"assign.{name}", name)
        elif isinstance(node, HoursNode):
            # A name the flow does not define is one of the center's calendars; it is
            # checked when the center's names are known (publishing), like queues.
            if node.calendar not in self.flow.calendars and (
                self.calendars is not None and node.calendar not in self.calendars
            ):
                known = ", ".join([*self.flow.calendars, *sorted(self.calendars)]) or "none"
                self.add(
                    IssueCode.CALENDAR_UNKNOWN,
                    node_id,
                    "calendar",
                    "no calendar '%(name)s' in the flow or the center (known: %(known)s)",
                    name=node.calendar,
                    known=known,
                )
        elif isinstance(node, LookupNode):
            self.writable(node_id, "store_as", f"{node.store_as}.found")
            if node.source == "webhook" and not node.url:
                self.add(IssueCode.VALUE_RANGE, node_id, "url", "a webhook lookup needs a url")
            elif node.url and not node.url.startswith(("http://", "https://")):
                self.add(IssueCode.VALUE_RANGE, node_id, "url", "the url must be http(s)://…")
        elif isinstance(node, QueueNode):
            self.queue(node_id, "queue", node.queue)
            offer = self.flow.nodes.get(node.callback or "")
            wrong = not isinstance(offer, CallbackNode) or offer.queue != node.queue
            if node.callback and offer is not None and wrong:
                message = "must name a callback node for queue '%(queue)s'"
                self.add(IssueCode.VALUE_RANGE, node_id, "callback", message, queue=node.queue)
            if isinstance(node.priority, int) and not 0 <= node.priority <= 100:
                self.add(IssueCode.VALUE_RANGE, node_id, "priority", "priority goes from 0 to 100")
        elif isinstance(node, CallbackNode):
            self.queue(node_id, "queue", node.queue)
            self.pattern(node_id, "number_pattern", node.number_pattern)
            if node.accept_key == node.decline_key:
                self.add(IssueCode.VALUE_RANGE, node_id, "decline_key", "same key as accept_key")
            if node.confirm_key == node.change_key:
                self.add(IssueCode.VALUE_RANGE, node_id, "change_key", "same key as confirm_key")
        elif isinstance(node, VoicemailNode) and node.ticket is not None:
            self.template(node_id, "ticket.subject", node.ticket.subject)
            self.ticket_names(node_id, "ticket.", node.ticket.department, node.ticket.category)
        elif isinstance(node, TicketNode):
            self.template(node_id, "subject", node.subject)
            self.template(node_id, "description", node.description)
            self.ticket_names(node_id, "", node.department, node.category)
        elif isinstance(node, TransferNode):
            self.template(node_id, "target", node.target)
            literal = "{" not in node.target
            if literal and node.to == "queue":
                self.queue(node_id, "target", node.target)
            if literal and node.to == "number" and not _DIALABLE.match(node.target):
                self.add(IssueCode.VALUE_RANGE, node_id, "target", "not a dialable number")

    def variable_specs(self) -> None:
        for name, spec in self.flow.variables.items():
            self.writable(None, f"variables.{name}", name)
            if spec.default is not None and not _fits(
                type_of_value(spec.default), _SPEC_TYPES[spec.type]
            ):
                self.add(
                    IssueCode.SCHEMA,
                    None,
                    f"variables.{name}.default",
                    "default %(value)s is not a %(type)s",
                    value=repr(spec.default),
                    type=spec.type,
                )


def _strongly_connected(graph: Mapping[str, list[tuple[str, str]]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (flows can be long chains)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = graph[node]
            if child < len(edges):
                work.append((node, child + 1))
                target = edges[child][0]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def _cycle_through(
    first: str, component: list[str], graph: Mapping[str, list[tuple[str, str]]]
) -> tuple[list[str], str]:
    """A shortest cycle from `first` back to itself inside `component`, and its first field."""
    members = set(component)
    parents: dict[str, str] = {}
    queue = [first]
    while queue:
        node = queue.pop(0)
        for target, _ in graph[node]:
            if target == first:
                path = [node]
                while path[-1] != first:
                    path.append(parents[path[-1]])
                path.reverse()
                second = path[1] if len(path) > 1 else first
                field = next(f for t, f in graph[first] if t == second)
                return [*path, first], field
            if target in members and target not in parents:
                parents[target] = node
                queue.append(target)
    return [first, first], graph[first][0][1]  # unreachable for a real cycle


def validate_flow(
    flow: Flow,
    *,
    prompts_root: Path | None = None,
    queues: Collection[str] | None = None,
    calendars: Collection[str] | None = None,
    tickets: TicketNames | None = None,
) -> list[FlowIssue]:
    """Every graph-level issue of a schema-valid flow, in node order."""
    return _Validator(flow, prompts_root, queues, calendars, tickets).run()


def _salvage_references(data: Any) -> list[FlowIssue]:
    """When the schema fails, still report dangling references of the nodes that do parse."""
    raw_nodes = data.get("nodes") if isinstance(data, dict) else None
    if not isinstance(raw_nodes, dict):
        return []
    issues: list[FlowIssue] = []
    start = data.get("start")
    if isinstance(start, str) and start not in raw_nodes:
        issues.append(FlowIssue.said(IssueCode.NODE_UNKNOWN, None, "start", _NO_NODE, target=start))
    for node_id, raw in raw_nodes.items():
        try:
            node = NODE_ADAPTER.validate_python(raw)
        except ValidationError:
            continue
        for edge in node.edges():
            if edge.target not in raw_nodes:
                issues.append(
                    FlowIssue.said(
                        IssueCode.NODE_UNKNOWN,
                        str(node_id),
                        edge.field,
                        _NO_NODE,
                        target=edge.target,
                    )
                )
    return issues


def check_flow(
    data: Any,
    *,
    prompts_root: Path | None = None,
    queues: Collection[str] | None = None,
    calendars: Collection[str] | None = None,
    tickets: TicketNames | None = None,
) -> FlowCheck:
    """Schema and graph checks of parsed flow data, collecting every issue."""
    try:
        flow = parse_flow(data)
    except FlowInvalid as exc:
        return FlowCheck(None, exc.issues + tuple(_salvage_references(data)))
    issues = validate_flow(
        flow, prompts_root=prompts_root, queues=queues, calendars=calendars, tickets=tickets
    )
    return FlowCheck(flow, tuple(issues))


def ensure_valid(
    flow: Flow,
    *,
    prompts_root: Path | None = None,
    queues: Collection[str] | None = None,
    calendars: Collection[str] | None = None,
    tickets: TicketNames | None = None,
) -> Flow:
    """`flow` itself, or `FlowInvalid` with every issue."""
    issues = validate_flow(
        flow, prompts_root=prompts_root, queues=queues, calendars=calendars, tickets=tickets
    )
    if issues:
        raise FlowInvalid(issues, name=flow.name)
    return flow

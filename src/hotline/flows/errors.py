"""The flows error tree, each with a stable code clients and the CLI can rely on.

    FlowError
    ├── FlowSyntaxError        the file is not readable YAML/JSON            flow.syntax
    ├── FlowInvalid            schema or graph problems, all of them         flow.invalid
    ├── ExpressionSyntaxError  an expression does not parse                  flow.expression.syntax
    ├── ExpressionEvalError    an expression failed on the values it met     flow.expression.eval
    ├── UnexpectedInput        the interpreter got an input it never asked   flow.input.unexpected
    ├── FlowNotFound / FlowVersionNotFound                                   flow.not_found, …
    ├── FlowVersionConflict    a version number is already taken             flow.version.conflict
    ├── NothingToRollBack      no earlier version to return to               flow.rollback.none
    └── CallerHungUp / PortUnsupported   raised by an InteractionPort        flow.port.…

Validation problems are not exceptions one by one: `FlowIssue` values are collected (each names
the node id and the field) and raised together as one `FlowInvalid`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hotline.errors import (
    Conflict,
    HotlineError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    Unavailable,
)

__all__ = [
    "ISSUE_TEMPLATES",
    "CallerHungUp",
    "ExpressionEvalError",
    "ExpressionSyntaxError",
    "FlowError",
    "FlowInvalid",
    "FlowIssue",
    "FlowNotFound",
    "FlowSyntaxError",
    "FlowVersionConflict",
    "FlowVersionNotFound",
    "IssueCode",
    "NothingToRollBack",
    "PortUnsupported",
    "UnexpectedInput",
]


class IssueCode:
    """Stable codes of validation issues (`FlowIssue.code`)."""

    SCHEMA = "flow.schema.invalid"
    NODE_UNKNOWN = "flow.node.unknown"
    NODE_UNREACHABLE = "flow.node.unreachable"
    LOOP_NO_WAIT = "flow.loop.no_wait"
    PROMPT_MISSING = "flow.prompt.missing"
    PROMPT_EMPTY = "flow.prompt.empty"
    PROMPT_PATH = "flow.prompt.path"
    EXPRESSION_SYNTAX = "flow.expression.syntax"
    EXPRESSION_TYPE = "flow.expression.type"
    VARIABLE_UNKNOWN = "flow.variable.unknown"
    CALENDAR_UNKNOWN = "flow.calendar.unknown"
    LANGUAGE_UNKNOWN = "flow.language.unknown"
    QUEUE_UNKNOWN = "flow.queue.unknown"
    DEPARTMENT_UNKNOWN = "flow.department.unknown"
    CATEGORY_UNKNOWN = "flow.category.unknown"
    PATTERN_INVALID = "flow.pattern.invalid"
    VALUE_RANGE = "flow.value.range"


# Every template a `FlowIssue` is said from (validate.py, loader.py): message ids of the UI
# catalog, so the flow editor says each issue in the user's language (ADR 0125). "%(problem)s"
# (a parser's or pydantic's own sentence) is not among them: the editor reads "is not valid".
_IDS = " (ids start with a letter; letters, digits, _ and -)"
ISSUE_TEMPLATES = (
    "no node '%(target)s'",
    "no branch leads here from the start node '%(start)s'",
    "loop with no wait: %(path)s; put a menu, play or queue on it",
    "a prompt needs tts text or a file",
    "language %(language)s is not in the flow's languages %(languages)s",
    "nothing to play in the pinned language %(language)s",
    "nothing to play in the flow's language %(language)s (add tts %(language)s or a file)",
    "'%(path)s': prompt files are relative paths inside the prompts directory",
    "prompt file '%(path)s' not found under %(root)s",
    "unknown variable '%(name)s' in {%(name)s}",
    "%(problem)s at column %(column)s of '%(source)s'",
    "'%(source)s' gives %(found)s; this field needs %(expected)s",
    "'%(name)s' is set by the runtime; flows can read it but not assign it",
    "bad regular expression: %(problem)s",
    "no queue '%(name)s'",
    "no ticket department '%(name)s'",
    "no ticket category '%(name)s'",
    "more than max_digits",
    "no calendar '%(name)s' in the flow or the center (known: %(known)s)",
    "a webhook lookup needs a url",
    "the url must be http(s)://…",
    "must name a callback node for queue '%(queue)s'",
    "priority goes from 0 to 100",
    "same key as accept_key",
    "same key as confirm_key",
    "not a dialable number",
    "default %(value)s is not a %(type)s",
    "this field is required",
    "unknown field",
    "unknown node type '%(tag)s' (one of: %(known)s)",
    "a node needs a 'type'",
    "a flow is a mapping of fields",
    "this field is required" + _IDS,
    "unknown field" + _IDS,
    "%(problem)s" + _IDS,
)


@dataclass(frozen=True, slots=True)
class FlowIssue:
    """One problem in a flow: which node (None = the flow itself), which field, what is wrong."""

    code: str
    node: str | None
    field: str
    message: str
    # The message before its values went in: `template % dict(params)` is `message`. The web
    # layer says it in the user's language from the template (ADR 0125).
    template: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def said(
        cls, code: str, node: str | None, field: str, template: str, **params: object
    ) -> FlowIssue:
        """An issue whose message is `template` with `params` filled in."""
        values = tuple((k, v if isinstance(v, str) else str(v)) for k, v in params.items())
        message = template % dict(values) if values else template
        return cls(code, node, field, message, template, values)

    def __str__(self) -> str:
        where = f"node {self.node!r}" if self.node is not None else "flow"
        return f"{where} field {self.field!r}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "node": self.node, "field": self.field, "message": self.message}


class FlowError(HotlineError):
    """Base of every error raised by `hotline.flows`."""

    code = "flow.error"


class FlowSyntaxError(FlowError, InvalidInput):
    """The flow file is not valid YAML or JSON; `details` has the line and column."""

    code = "flow.syntax"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message, details={"line": line, "column": column})
        self.line, self.column = line, column


class FlowInvalid(FlowError, InvalidInput):
    """A flow failed validation. `issues` lists every problem found, not just the first."""

    code = "flow.invalid"

    def __init__(self, issues: Sequence[FlowIssue], *, name: str | None = None) -> None:
        self.issues = tuple(issues)
        head = f"flow {name!r}" if name else "flow"
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(
            f"{head} has {len(self.issues)} problem(s):\n{lines}",
            details={"issues": [issue.as_dict() for issue in self.issues]},
        )


class ExpressionSyntaxError(FlowError, InvalidInput):
    """An expression does not parse; `position` is the 0-based column of the problem."""

    code = "flow.expression.syntax"

    def __init__(self, template: str, *, source: str, position: int, **params: str | int) -> None:
        """`template`: the reason, a message id of `expression.SYNTAX_TEMPLATES` filled with
        `params` (said in the user's language by a form)."""
        reason = template % params if params else template
        super().__init__(
            f"{reason} at column {position + 1} of {source!r}",
            details={"source": source, "position": position},
        )
        self.reason, self.source, self.position = reason, source, position
        self.template, self.params = template, dict(params)


class ExpressionEvalError(FlowError):
    """An expression met values it cannot work on (wrong types, division by zero)."""

    code = "flow.expression.eval"


class UnexpectedInput(FlowError, IllegalTransition):
    """The interpreter was fed an input that does not answer the action it is waiting on."""

    code = "flow.input.unexpected"


class FlowNotFound(FlowError, NotFound):
    code = "flow.not_found"


class FlowVersionNotFound(FlowError, NotFound):
    code = "flow.version.not_found"


class FlowVersionConflict(FlowError, Conflict):
    code = "flow.version.conflict"


class NothingToRollBack(FlowError, Conflict):
    code = "flow.rollback.none"


class CallerHungUp(FlowError):
    """Raised by an `InteractionPort` when the customer is gone; the driver ends the flow."""

    code = "flow.port.hung_up"

    def __init__(self, message: str = "the caller hung up") -> None:
        super().__init__(message)


class PortUnsupported(FlowError, Unavailable):
    """The port's channel cannot do what the flow asked (a transfer on a chat, say)."""

    code = "flow.port.unsupported"

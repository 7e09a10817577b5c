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


@dataclass(frozen=True, slots=True)
class FlowIssue:
    """One problem in a flow: which node (None = the flow itself), which field, what is wrong."""

    code: str
    node: str | None
    field: str
    message: str
    value: str | None = None  # the wrong name, when the message quotes one (translations)

    def __str__(self) -> str:
        where = f"node {self.node!r}" if self.node is not None else "flow"
        return f"{where} field {self.field!r}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, str | None]:
        found = {"code": self.code, "node": self.node, "field": self.field, "message": self.message}
        return found if self.value is None else {**found, "value": self.value}


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

    def __init__(self, message: str, *, source: str, position: int) -> None:
        super().__init__(
            f"{message} at column {position + 1} of {source!r}",
            details={"source": source, "position": position},
        )
        self.reason, self.source, self.position = message, source, position


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

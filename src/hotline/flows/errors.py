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

import re
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
    "AT_COLUMN",
    "EXPRESSION_TEMPLATES",
    "ISSUE_TEMPLATES",
    "REGEX_TEMPLATES",
    "TYPE_WORDS",
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
    "regex_problem",
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
ISSUE_TEMPLATES: tuple[str, ...] = (
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
    "'%(source)s' gives %(found_type)s; this field needs %(expected_type)s",
    "'%(name)s' is set by the runtime; flows can read it but not assign it",
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

# What the expression parser (expression.py) and the type checks (typecheck.py) say, and what
# a regular expression's problem is (`regex_problem`): message ids too. A problem inside an
# expression is said with where it is (`AT_COLUMN`); a bad pattern field stands alone.
AT_COLUMN = " at column %(column)s of '%(source)s'"
EXPRESSION_TEMPLATES = (
    "malformed number",
    "unterminated string",
    "unknown escape in string",
    "unexpected character '%(char)s'",
    "unexpected character '%(char)s' (use 'and', 'or', 'not')",
    "expected '%(expected)s', found '%(found)s'",
    "expected '%(expected)s', found the end of the expression",
    "empty expression",
    "unexpected '%(token)s'",
    "expression nested too deeply",
    "comparisons do not chain; join them with 'and'",
    "unknown function '%(name)s'",
    "expression ends too early",
    "expression longer than %(limit)s characters",
    # type checks; a `*_type` value is a word of the catalog too ("a string"): ADR 0127
    "unknown variable '%(name)s'",
    "'%(op)s' needs true/false, got %(got_type)s",
    "cannot negate %(operand_type)s",
    "%(left_type)s is never equal to %(right_type)s",
    "%(left_type)s is never equal to %(right_type)s (quote the digits: '1')",
    "cannot compare %(left_type)s with %(right_type)s using %(op)s",
    "'%(op)s' needs a list or a string, not %(right_type)s",
    "cannot look for %(left_type)s in a string",
    "cannot add %(left_type)s and %(right_type)s",
    "cannot use %(op)s on %(left_type)s and %(right_type)s",
    "%(function)s() takes %(low)s argument(s), got %(count)s",
    "%(function)s() takes %(low)s to %(high)s arguments, got %(count)s",
    "%(function)s() argument %(index)s must be %(wanted_type)s, not %(arg_type)s",
)
REGEX_TEMPLATES = (
    "bad regular expression: unclosed parenthesis at position %(position)s",
    "bad regular expression: ')' without its '(' at position %(position)s",
    "bad regular expression: unclosed '[' at position %(position)s",
    "bad regular expression: nothing to repeat at position %(position)s",
    "bad regular expression: a repeat of a repeat at position %(position)s",
    "bad regular expression: unknown escape %(escape)s at position %(position)s",
    "bad regular expression: bad range %(range)s at position %(position)s",
    "bad regular expression: %(problem)s at position %(position)s",
)
# The words a `*_type` parameter takes (typecheck.article and the functions' wanted kinds).
TYPE_WORDS = (
    "a string",
    "an integer",
    "a number",
    "a boolean",
    "a null",
    "a list",
    "an any",
    "string",
    "integer",
    "integer or number or string",
    "list or string",
)
# Braces and formats in a prompt's `{variable}` text (prompts.template_fields).
PROMPT_TEMPLATES = (
    "unmatched brace near column %(column)s (write {{ for a brace)",
    "unknown format '%(format)s' in %(placeholder)s (known: digits)",
)
ISSUE_TEMPLATES += PROMPT_TEMPLATES + REGEX_TEMPLATES
ISSUE_TEMPLATES += tuple(t + AT_COLUMN for t in EXPRESSION_TEMPLATES + REGEX_TEMPLATES)


def regex_problem(exc: re.error) -> tuple[str, dict[str, object]]:
    """A regular expression's problem as one of `REGEX_TEMPLATES` and its values; the position
    counts characters from one."""
    msg, position = exc.msg, (exc.pos or 0) + 1
    for start, template, key in _REGEX_SAYINGS:
        if msg.startswith(start):
            rest = msg.removeprefix(start).strip()
            return template, {"position": position, **({key: rest} if key else {})}
    return REGEX_TEMPLATES[-1], {"problem": msg, "position": position}


_REGEX_SAYINGS = (
    ("missing ), unterminated subpattern", REGEX_TEMPLATES[0], ""),
    ("unbalanced parenthesis", REGEX_TEMPLATES[1], ""),
    ("unterminated character set", REGEX_TEMPLATES[2], ""),
    ("nothing to repeat", REGEX_TEMPLATES[3], ""),
    ("multiple repeat", REGEX_TEMPLATES[4], ""),
    ("bad escape", REGEX_TEMPLATES[5], "escape"),
    ("bad character range", REGEX_TEMPLATES[6], "range"),
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

    def __init__(self, template: str, *, source: str, position: int, **params: object) -> None:
        # `template` is one of EXPRESSION_TEMPLATES; `reason` is it with `params` filled in.
        values = {k: v if isinstance(v, str) else str(v) for k, v in params.items()}
        message = template % values if values else template
        super().__init__(
            f"{message} at column {position + 1} of {source!r}",
            details={"source": source, "position": position},
        )
        self.reason, self.source, self.position = message, source, position
        self.template, self.params = template, values


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

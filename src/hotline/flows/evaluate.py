"""The condition language's meaning: evaluate a parsed `Expression` against variables.

Values are strings, integers, decimals, booleans, null and (literal) lists. The rules are strict
where a silent guess would route a caller wrongly and lenient where IVR data is often missing:

- a variable nobody set reads as `null`; `null` is false in `and` / `or` / `not` / conditions;
- ordering comparisons with `null` on either side are false (an unknown VIP level is not >= 3);
- `==` / `!=` never fail: values of different kinds are simply not equal (1 == 1.0 holds);
- arithmetic, ordering across kinds (`"5" > 3`) and non-boolean conditions raise
  `ExpressionEvalError`; the condition node then treats the branch as not taken.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from hotline.flows.errors import ExpressionEvalError
from hotline.flows.expression import (
    Binary,
    Call,
    Expression,
    Literal,
    Logical,
    Name,
    Node,
    Unary,
    Value,
)

__all__ = ["MAX_MATCH_SUBJECT", "evaluate", "evaluate_bool", "kind_of", "render_value"]

# Regular expressions run on short caller data only; a cap keeps a bad pattern cheap.
MAX_MATCH_SUBJECT = 256


def kind_of(value: Value) -> str:
    """The language's name for a value's kind, used in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list"


def _is_number(value: Value) -> bool:
    # bool is an int subclass in Python; in flows it is not a number.
    return isinstance(value, int | float) and not isinstance(value, bool)


def render_value(value: Value) -> str:
    """How a value reads when written into a prompt or sent to a port."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return ", ".join(render_value(v) for v in value)
    return str(value)


def _truth(value: Value, what: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise ExpressionEvalError(f"{what} needs true/false, got a {kind_of(value)} ({value!r})")


def _equal(a: Value, b: Value) -> bool:
    if _is_number(a) and _is_number(b):
        return a == b
    if type(a) is not type(b):
        return False
    return a == b


def _compare(op: str, a: Value, b: Value) -> bool:
    if a is None or b is None:
        return False
    if not ((_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str))):
        raise ExpressionEvalError(f"cannot compare a {kind_of(a)} with a {kind_of(b)} using {op}")
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]


def _contains(container: Value, item: Value) -> bool:
    if container is None:
        return False
    if isinstance(container, tuple):
        return any(_equal(item, v) for v in container)
    if isinstance(container, str):
        if not isinstance(item, str):
            raise ExpressionEvalError(f"cannot look for a {kind_of(item)} in a string")
        return item in container
    raise ExpressionEvalError(
        f"'in' needs a list or a string on the right, got a {kind_of(container)}"
    )


def _arithmetic(op: str, a: Value, b: Value) -> Value:
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if not (_is_number(a) and _is_number(b)):
        raise ExpressionEvalError(f"cannot use {op} on a {kind_of(a)} and a {kind_of(b)}")
    x, y = float_or_int(a), float_or_int(b)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if y == 0:
        raise ExpressionEvalError(f"division by zero ({op})")
    if op == "/":
        return x / y
    return x % y


def float_or_int(value: Value) -> int | float:
    assert isinstance(value, int | float)  # checked by the caller; narrows for mypy
    return value


# --- functions ---------------------------------------------------------------------------------


def _str_arg(value: Value, function: str) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    raise ExpressionEvalError(f"{function}() needs a string, got a {kind_of(value)}")


def _int_arg(value: Value, function: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ExpressionEvalError(f"{function}() needs a whole number, got a {kind_of(value)}")


def _to_int(value: Value) -> Value:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise ExpressionEvalError(f"int() cannot read {value!r} as a whole number")


def _to_number(value: Value) -> Value:
    if value is None or _is_number(value):
        return value
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            pass
    raise ExpressionEvalError(f"number() cannot read {value!r} as a number")


def _length(value: Value) -> Value:
    if isinstance(value, str | tuple):
        return len(value)
    if value is None:
        return 0
    raise ExpressionEvalError(f"len() needs a string or a list, got a {kind_of(value)}")


def _matches(subject: Value, pattern: Value) -> Value:
    text = _str_arg(subject, "matches")[:MAX_MATCH_SUBJECT]
    try:
        return re.fullmatch(_str_arg(pattern, "matches"), text) is not None
    except re.error as exc:
        raise ExpressionEvalError(f"matches(): bad pattern {pattern!r}: {exc}") from exc


def _between(value: Value, low: Value, high: Value) -> Value:
    return _compare(">=", value, low) and _compare("<=", value, high)


_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "between": _between,
    "coalesce": lambda *args: next((a for a in args if a is not None), None),
    "contains": lambda s, p: _str_arg(p, "contains") in _str_arg(s, "contains"),
    "digits": lambda s: "".join(c for c in _str_arg(s, "digits") if c.isdigit()),
    "endswith": lambda s, p: _str_arg(s, "endswith").endswith(_str_arg(p, "endswith")),
    "int": _to_int,
    "left": lambda s, n: _str_arg(s, "left")[: max(0, _int_arg(n, "left"))],
    "len": _length,
    "lower": lambda s: _str_arg(s, "lower").lower(),
    "matches": _matches,
    "number": _to_number,
    "right": lambda s, n: _str_arg(s, "right")[-n:] if _int_arg(n, "right") > 0 else "",
    "startswith": lambda s, p: _str_arg(s, "startswith").startswith(_str_arg(p, "startswith")),
    "str": lambda v: render_value(v),
    "upper": lambda s: _str_arg(s, "upper").upper(),
}

ARITY: dict[str, tuple[int, int]] = {
    "between": (3, 3),
    "coalesce": (1, 16),
    "contains": (2, 2),
    "digits": (1, 1),
    "endswith": (2, 2),
    "int": (1, 1),
    "left": (2, 2),
    "len": (1, 1),
    "lower": (1, 1),
    "matches": (2, 2),
    "number": (1, 1),
    "right": (2, 2),
    "startswith": (2, 2),
    "str": (1, 1),
    "upper": (1, 1),
}


def _call(function: str, args: Sequence[Value]) -> Value:
    low, high = ARITY[function]
    if not low <= len(args) <= high:
        raise ExpressionEvalError(f"{function}() takes {low}..{high} arguments, got {len(args)}")
    return _FUNCTIONS[function](*args)


# --- evaluation --------------------------------------------------------------------------------


def _eval(node: Node, scope: Mapping[str, Value]) -> Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return scope.get(node.name)
    if isinstance(node, Logical):
        first = _truth(_eval(node.left, scope), f"'{node.op}'")
        if node.op == "and" and not first:
            return False
        if node.op == "or" and first:
            return True
        return _truth(_eval(node.right, scope), f"'{node.op}'")
    if isinstance(node, Unary):
        operand = _eval(node.operand, scope)
        if node.op == "not":
            return not _truth(operand, "'not'")
        if not _is_number(operand):
            raise ExpressionEvalError(f"cannot negate a {kind_of(operand)}")
        return -float_or_int(operand)
    if isinstance(node, Binary):
        left, right = _eval(node.left, scope), _eval(node.right, scope)
        op = node.op
        if op == "==":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        if op in ("<", "<=", ">", ">="):
            return _compare(op, left, right)
        if op == "in":
            return _contains(right, left)
        if op == "not in":
            return not _contains(right, left)
        return _arithmetic(op, left, right)
    if isinstance(node, Call):
        return _call(node.function, [_eval(arg, scope) for arg in node.args])
    return tuple(_eval(item, scope) for item in node.items)


def evaluate(expression: Expression, scope: Mapping[str, Value]) -> Value:
    """The value of `expression` given `scope` (variable name → value)."""
    try:
        return _eval(expression.root, scope)
    except ExpressionEvalError as exc:
        raise ExpressionEvalError(f"{exc.message} in {expression.source!r}") from None
    except (OverflowError, ValueError) as exc:  # huge numbers, int() of a giant string
        raise ExpressionEvalError(f"{exc} in {expression.source!r}") from None


def evaluate_bool(expression: Expression, scope: Mapping[str, Value]) -> bool:
    """Evaluate a condition: it must give true, false or null (= false)."""
    return _truth(evaluate(expression, scope), "a condition")

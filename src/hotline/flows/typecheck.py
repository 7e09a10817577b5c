"""Static checks of condition-language expressions, run by the validator before publishing.

`check_expression` infers an expression's type from the variables the flow declares and reports
what would certainly go wrong at run time — an unknown variable, `"5" > 3`, a string compared
with a number with `==` (always false: the classic `menu.choice == 1` mistake), a function given
the wrong number of arguments, a bad regular expression — with the column where it happens.
Values of unknown type (`any`, e.g. lookup results) pass every check; the run-time rules in
`evaluate.py` still apply to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hotline.flows.errors import IssueCode
from hotline.flows.evaluate import ARITY
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

__all__ = ["Problem", "Type", "article", "check_expression", "type_of_value"]


class Type(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    NULL = "null"
    LIST = "list"
    ANY = "any"


_NUMERIC = frozenset({Type.INTEGER, Type.NUMBER})
_LOOSE = frozenset({Type.ANY, Type.NULL})


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    position: int


def type_of_value(value: Value) -> Type:
    if value is None:
        return Type.NULL
    if isinstance(value, bool):
        return Type.BOOLEAN
    if isinstance(value, int):
        return Type.INTEGER
    if isinstance(value, float):
        return Type.NUMBER
    if isinstance(value, str):
        return Type.STRING
    return Type.LIST


def article(t: Type | str) -> str:
    word = t.value if isinstance(t, Type) else t
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _family(t: Type) -> str:
    return "number" if t in _NUMERIC else t.value


# Parameter kinds per function (the last one repeats for variadic functions) and the result.
_STR = frozenset({Type.STRING})
_NUM_OR_STR = frozenset({Type.STRING, Type.INTEGER, Type.NUMBER})
_INT = frozenset({Type.INTEGER})
_ANYTHING: frozenset[Type] = frozenset(Type)
_SIGNATURES: dict[str, tuple[tuple[frozenset[Type], ...], Type]] = {
    "between": ((_NUM_OR_STR, _NUM_OR_STR, _NUM_OR_STR), Type.BOOLEAN),
    "coalesce": ((_ANYTHING,), Type.ANY),
    "contains": ((_STR, _STR), Type.BOOLEAN),
    "digits": ((_STR,), Type.STRING),
    "endswith": ((_STR, _STR), Type.BOOLEAN),
    "int": ((_ANYTHING,), Type.INTEGER),
    "left": ((_STR, _INT), Type.STRING),
    "len": ((frozenset({Type.STRING, Type.LIST}),), Type.INTEGER),
    "lower": ((_STR,), Type.STRING),
    "matches": ((_STR, _STR), Type.BOOLEAN),
    "number": ((_ANYTHING,), Type.NUMBER),
    "right": ((_STR, _INT), Type.STRING),
    "startswith": ((_STR, _STR), Type.BOOLEAN),
    "str": ((_ANYTHING,), Type.STRING),
    "upper": ((_STR,), Type.STRING),
}


class _Checker:
    def __init__(self, lookup: Callable[[str], Type | None]) -> None:
        self.lookup = lookup
        self.problems: list[Problem] = []

    def problem(self, message: str, pos: int, code: str = IssueCode.EXPRESSION_TYPE) -> None:
        self.problems.append(Problem(code, message, pos))

    def need_bool(self, t: Type, what: str, pos: int) -> None:
        if t not in _LOOSE and t is not Type.BOOLEAN:
            self.problem(f"{what} needs true/false, got {article(t)}", pos)

    def infer(self, node: Node) -> Type:
        if isinstance(node, Literal):
            return type_of_value(node.value)
        if isinstance(node, Name):
            found = self.lookup(node.name)
            if found is None:
                self.problem(
                    f"unknown variable {node.name!r}", node.pos, IssueCode.VARIABLE_UNKNOWN
                )
                return Type.ANY
            return found
        if isinstance(node, Logical):
            self.need_bool(self.infer(node.left), f"'{node.op}'", node.pos)
            self.need_bool(self.infer(node.right), f"'{node.op}'", node.pos)
            return Type.BOOLEAN
        if isinstance(node, Unary):
            operand = self.infer(node.operand)
            if node.op == "not":
                self.need_bool(operand, "'not'", node.pos)
                return Type.BOOLEAN
            if operand not in _NUMERIC and operand is not Type.ANY:
                self.problem(f"cannot negate {article(operand)}", node.pos)
                return Type.NUMBER
            return operand
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        for item in node.items:
            self.infer(item)
        return Type.LIST

    def binary(self, node: Binary) -> Type:
        left, right = self.infer(node.left), self.infer(node.right)
        op, pos = node.op, node.pos
        known = left not in _LOOSE and right not in _LOOSE
        if op in ("==", "!="):
            if known and _family(left) != _family(right):
                hint = " (quote the digits: '1')" if Type.STRING in (left, right) else ""
                pair = f"{article(_family(left))} is never equal to {article(_family(right))}"
                self.problem(pair + hint, pos)
            return Type.BOOLEAN
        if op in ("<", "<=", ">", ">="):
            if known and not (
                (left in _NUMERIC and right in _NUMERIC)
                or (left is Type.STRING and right is Type.STRING)
            ):
                pair = f"{article(left)} with {article(right)}"
                self.problem(f"cannot compare {pair} using {op}", pos)
            return Type.BOOLEAN
        if op in ("in", "not in"):
            if right not in _LOOSE and right not in (Type.LIST, Type.STRING):
                self.problem(f"'{op}' needs a list or a string, not {article(right)}", pos)
            elif right is Type.STRING and left not in _LOOSE and left is not Type.STRING:
                self.problem(f"cannot look for {article(left)} in a string", pos)
            return Type.BOOLEAN
        if op == "+" and Type.STRING in (left, right):
            if known and left != right:
                self.problem(f"cannot add {article(left)} and {article(right)}", pos)
            return Type.STRING
        if (left not in _NUMERIC and left is not Type.ANY) or (
            right not in _NUMERIC and right is not Type.ANY
        ):
            self.problem(f"cannot use {op} on {article(left)} and {article(right)}", pos)
            return Type.NUMBER
        if left is Type.INTEGER and right is Type.INTEGER and op != "/":
            return Type.INTEGER
        return Type.NUMBER if Type.ANY not in (left, right) else Type.ANY

    def call(self, node: Call) -> Type:
        args = [self.infer(arg) for arg in node.args]
        low, high = ARITY[node.function]
        if not low <= len(args) <= high:
            span = str(low) if low == high else f"{low} to {high}"
            self.problem(f"{node.function}() takes {span} argument(s), got {len(args)}", node.pos)
            return _SIGNATURES[node.function][1]
        params, result = _SIGNATURES[node.function]
        for index, arg in enumerate(args):
            allowed = params[min(index, len(params) - 1)]
            if arg not in _LOOSE and arg not in allowed:
                wanted = " or ".join(sorted(t.value for t in allowed))
                self.problem(
                    f"{node.function}() argument {index + 1} must be {wanted}, not {article(arg)}",
                    node.args[index].pos,
                )
        if node.function == "matches" and isinstance(node.args[1], Literal):
            pattern = node.args[1].value
            if isinstance(pattern, str):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    where = node.args[1].pos
                    self.problem(f"bad regular expression: {exc}", where, IssueCode.PATTERN_INVALID)
        if node.function == "coalesce":
            kinds = {a for a in args if a is not Type.NULL}
            return kinds.pop() if len(kinds) == 1 else Type.ANY
        return result


def check_expression(
    expression: Expression, lookup: Callable[[str], Type | None]
) -> tuple[Type, list[Problem]]:
    """The expression's inferred type and every problem found; `lookup` types a variable name
    (None = the flow never defines it)."""
    checker = _Checker(lookup)
    result = checker.infer(expression.root)
    return result, checker.problems

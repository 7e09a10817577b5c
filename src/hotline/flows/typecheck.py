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

from hotline.flows.errors import IssueCode, regex_problem
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
    # `message` before its values went in (one of errors.EXPRESSION_TEMPLATES or
    # REGEX_TEMPLATES) and those values; a `*_type` value is a word of the catalog (TYPE_WORDS).
    template: str = ""
    params: tuple[tuple[str, str], ...] = ()


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

    def problem(
        self, template: str, pos: int, code: str = IssueCode.EXPRESSION_TYPE, **params: object
    ) -> None:
        values = tuple((k, v if isinstance(v, str) else str(v)) for k, v in params.items())
        message = template % dict(values) if values else template
        self.problems.append(Problem(code, message, pos, template, values))

    def need_bool(self, t: Type, op: str, pos: int) -> None:
        if t not in _LOOSE and t is not Type.BOOLEAN:
            self.problem(
                "'%(op)s' needs true/false, got %(got_type)s", pos, op=op, got_type=article(t)
            )

    def infer(self, node: Node) -> Type:
        if isinstance(node, Literal):
            return type_of_value(node.value)
        if isinstance(node, Name):
            found = self.lookup(node.name)
            if found is None:
                self.problem(
                    "unknown variable '%(name)s'",
                    node.pos,
                    IssueCode.VARIABLE_UNKNOWN,
                    name=node.name,
                )
                return Type.ANY
            return found
        if isinstance(node, Logical):
            self.need_bool(self.infer(node.left), node.op, node.pos)
            self.need_bool(self.infer(node.right), node.op, node.pos)
            return Type.BOOLEAN
        if isinstance(node, Unary):
            operand = self.infer(node.operand)
            if node.op == "not":
                self.need_bool(operand, "not", node.pos)
                return Type.BOOLEAN
            if operand not in _NUMERIC and operand is not Type.ANY:
                self.problem(
                    "cannot negate %(operand_type)s", node.pos, operand_type=article(operand)
                )
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
                self.problem(
                    "%(left_type)s is never equal to %(right_type)s" + hint,
                    pos,
                    left_type=article(_family(left)),
                    right_type=article(_family(right)),
                )
            return Type.BOOLEAN
        if op in ("<", "<=", ">", ">="):
            if known and not (
                (left in _NUMERIC and right in _NUMERIC)
                or (left is Type.STRING and right is Type.STRING)
            ):
                self.problem(
                    "cannot compare %(left_type)s with %(right_type)s using %(op)s",
                    pos,
                    left_type=article(left),
                    right_type=article(right),
                    op=op,
                )
            return Type.BOOLEAN
        if op in ("in", "not in"):
            if right not in _LOOSE and right not in (Type.LIST, Type.STRING):
                self.problem(
                    "'%(op)s' needs a list or a string, not %(right_type)s",
                    pos,
                    op=op,
                    right_type=article(right),
                )
            elif right is Type.STRING and left not in _LOOSE and left is not Type.STRING:
                self.problem(
                    "cannot look for %(left_type)s in a string", pos, left_type=article(left)
                )
            return Type.BOOLEAN
        if op == "+" and Type.STRING in (left, right):
            if known and left != right:
                self.problem(
                    "cannot add %(left_type)s and %(right_type)s",
                    pos,
                    left_type=article(left),
                    right_type=article(right),
                )
            return Type.STRING
        if (left not in _NUMERIC and left is not Type.ANY) or (
            right not in _NUMERIC and right is not Type.ANY
        ):
            self.problem(
                "cannot use %(op)s on %(left_type)s and %(right_type)s",
                pos,
                op=op,
                left_type=article(left),
                right_type=article(right),
            )
            return Type.NUMBER
        if left is Type.INTEGER and right is Type.INTEGER and op != "/":
            return Type.INTEGER
        return Type.NUMBER if Type.ANY not in (left, right) else Type.ANY

    def call(self, node: Call) -> Type:
        args = [self.infer(arg) for arg in node.args]
        low, high = ARITY[node.function]
        if not low <= len(args) <= high:
            if low == high:
                template = "%(function)s() takes %(low)s argument(s), got %(count)s"
            else:
                template = "%(function)s() takes %(low)s to %(high)s arguments, got %(count)s"
            self.problem(
                template, node.pos, function=node.function, low=low, high=high, count=len(args)
            )
            return _SIGNATURES[node.function][1]
        params, result = _SIGNATURES[node.function]
        for index, arg in enumerate(args):
            allowed = params[min(index, len(params) - 1)]
            if arg not in _LOOSE and arg not in allowed:
                wanted = " or ".join(sorted(t.value for t in allowed))
                self.problem(
                    "%(function)s() argument %(index)s must be %(wanted_type)s, not %(arg_type)s",
                    node.args[index].pos,
                    function=node.function,
                    index=index + 1,
                    wanted_type=wanted,
                    arg_type=article(arg),
                )
        if node.function == "matches" and isinstance(node.args[1], Literal):
            pattern = node.args[1].value
            if isinstance(pattern, str):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    where = node.args[1].pos
                    said, values = regex_problem(exc)
                    self.problem(said, where, IssueCode.PATTERN_INVALID, **values)
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

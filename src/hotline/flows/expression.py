"""The condition language's syntax: tokenizer, syntax tree and a recursive-descent parser.

Flows branch on small expressions such as `customer.vip_level >= 3 and now.hour < 18` or
`startswith(caller.number, "010")`. They are parsed here into a tree of frozen nodes and never
handed to `eval` (ADR 0041). Grammar, loosest binding first:

    or_expr   := and_expr ("or" and_expr)*
    and_expr  := not_expr ("and" not_expr)*
    not_expr  := "not" not_expr | comparison
    comparison:= sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") sum)?
    sum       := product (("+" | "-") product)*
    product   := unary (("*" | "/" | "%") unary)*
    unary     := "-" unary | primary
    primary   := NUMBER | STRING | "true" | "false" | "null" | NAME
               | FUNCTION "(" [or_expr ("," or_expr)*] ")" | "(" or_expr ")"
               | "[" [or_expr ("," or_expr)*] "]"

NAME is dotted (`caller.number`); comparisons do not chain (`a < b < c` is an error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from hotline.flows.errors import ExpressionSyntaxError

__all__ = [
    "FUNCTION_NAMES",
    "MAX_SOURCE_LENGTH",
    "SYNTAX_TEMPLATES",
    "Binary",
    "Call",
    "Expression",
    "ListOf",
    "Literal",
    "Logical",
    "Name",
    "Node",
    "Unary",
    "Value",
    "parse_expression",
]

Value: TypeAlias = "str | int | float | bool | tuple[Value, ...] | None"

MAX_SOURCE_LENGTH = 2000
MAX_DEPTH = 40

FUNCTION_NAMES = frozenset(
    {
        "between",
        "coalesce",
        "contains",
        "digits",
        "endswith",
        "int",
        "left",
        "len",
        "lower",
        "matches",
        "number",
        "right",
        "startswith",
        "str",
        "upper",
    }
)

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})
_TWO_CHAR = frozenset({"==", "!=", "<=", ">="})
_ONE_CHAR = frozenset("+-*/%<>()[],")


# --- syntax tree -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: Value
    pos: int


@dataclass(frozen=True, slots=True)
class Name:
    """A variable reference such as `customer.vip_level`; a missing variable reads as null."""

    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "not"
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic (`+ - * / %`) and comparisons (`== != < <= > >= in`, `not in`)."""

    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Logical:
    op: str  # "and" or "or"; short-circuit
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class ListOf:
    items: tuple[Node, ...]
    pos: int


Node: TypeAlias = Literal | Name | Unary | Binary | Logical | Call | ListOf


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression: its source text (kept for messages and storage) and its tree."""

    source: str
    root: Node

    def names(self) -> frozenset[str]:
        """Every variable the expression reads."""
        found: set[str] = set()
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Name):
                found.add(node.name)
            elif isinstance(node, Unary):
                stack.append(node.operand)
            elif isinstance(node, Binary | Logical):
                stack.extend((node.left, node.right))
            elif isinstance(node, Call | ListOf):
                stack.extend(node.args if isinstance(node, Call) else node.items)
        return frozenset(found)

    def __str__(self) -> str:
        return self.source


# --- tokenizer ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "number", "string", "name", "keyword", "op", "end"
    text: str
    value: Value
    pos: int


# ASCII only: str.isdigit() is also true of "¹" or "٣", which int() then refuses (found by
# the expression fuzzer).
_DIGITS = frozenset("0123456789")


def _is_name_start(ch: str) -> bool:
    return ch == "_" or ("a" <= ch.lower() <= "z")


def _is_name_char(ch: str) -> bool:
    return _is_name_start(ch) or ch.isdigit()


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"'}


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in " \t\r\n":
            i += 1
        elif ch in _DIGITS:
            start = i
            while i < n and source[i] in _DIGITS:
                i += 1
            is_float = i + 1 < n and source[i] == "." and source[i + 1] in _DIGITS
            if is_float:
                i += 1
                while i < n and source[i] in _DIGITS:
                    i += 1
            text = source[start:i]
            if i < n and _is_name_char(source[i]):
                raise ExpressionSyntaxError("malformed number", source=source, position=start)
            value: Value = float(text) if is_float else int(text)
            tokens.append(Token("number", text, value, start))
        elif ch in "'\"":
            start, i = i, i + 1
            chars: list[str] = []
            while True:
                if i >= n:
                    raise ExpressionSyntaxError(
                        "unterminated string", source=source, position=start
                    )
                c = source[i]
                if c == ch:
                    i += 1
                    break
                if c == "\\":
                    if i + 1 >= n or source[i + 1] not in _ESCAPES:
                        raise ExpressionSyntaxError(
                            "unknown escape in string", source=source, position=i
                        )
                    chars.append(_ESCAPES[source[i + 1]])
                    i += 2
                else:
                    chars.append(c)
                    i += 1
            tokens.append(Token("string", source[start:i], "".join(chars), start))
        elif _is_name_start(ch):
            start = i
            while True:
                while i < n and _is_name_char(source[i]):
                    i += 1
                # A dot joins name segments: `customer.vip_level`.
                if i + 1 < n and source[i] == "." and _is_name_start(source[i + 1]):
                    i += 1
                    continue
                break
            text = source[start:i]
            kind = "keyword" if text in KEYWORDS else "name"
            tokens.append(Token(kind, text, None, start))
        elif source[i : i + 2] in _TWO_CHAR:
            tokens.append(Token("op", source[i : i + 2], None, i))
            i += 2
        elif ch in _ONE_CHAR:
            tokens.append(Token("op", ch, None, i))
            i += 1
        else:
            raise ExpressionSyntaxError(
                _UNEXPECTED_CHAR_OP if ch in "&|!" else _UNEXPECTED_CHAR,
                source=source,
                position=i,
                char=repr(ch),
            )
    tokens.append(Token("end", "", None, n))
    return tokens


# The parser's reasons are message ids of the UI catalog (`SYNTAX_TEMPLATES`): a form says
# them in the user's language (ADR 0125).
_UNEXPECTED = "unexpected %(found)s"
_UNEXPECTED_CHAR = "unexpected character %(char)s"
_UNEXPECTED_CHAR_OP = "unexpected character %(char)s (use 'and', 'or', 'not')"
SYNTAX_TEMPLATES = (
    "malformed number",
    "unterminated string",
    "unknown escape in string",
    _UNEXPECTED_CHAR,
    _UNEXPECTED_CHAR_OP,
    "expected %(expected)s, found %(found)s",
    "empty expression",
    _UNEXPECTED,
    "expression nested too deeply",
    "comparisons do not chain; join them with 'and'",
    "unknown function %(name)s",
    "expression ends too early",
    "expression longer than %(limit)s characters",
)


# --- parser ------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def error(
        self, template: str, pos: int | None = None, **params: str | int
    ) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(
            template,
            source=self.source,
            position=self.token.pos if pos is None else pos,
            **params,
        )

    def at(self, text: str) -> bool:
        tok = self.token
        return tok.kind in ("op", "keyword") and tok.text == text

    def advance(self) -> Token:
        tok = self.token
        self.index += 1
        return tok

    def expect(self, text: str) -> Token:
        if not self.at(text):
            found = self.token.text or "end of expression"
            raise self.error(
                "expected %(expected)s, found %(found)s", expected=repr(text), found=repr(found)
            )
        return self.advance()

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise self.error("empty expression")
        node = self.or_expr()
        if self.token.kind != "end":
            raise self.error(_UNEXPECTED, found=repr(self.token.text))
        return node

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression nested too deeply")

    def or_expr(self) -> Node:
        self.nested()
        node = self.and_expr()
        while self.at("or"):
            pos = self.advance().pos
            node = Logical("or", node, self.and_expr(), pos)
        self.depth -= 1
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.at("and"):
            pos = self.advance().pos
            node = Logical("and", node, self.not_expr(), pos)
        return node

    def not_expr(self) -> Node:
        if self.at("not"):
            pos = self.advance().pos
            self.nested()
            operand = self.not_expr()
            self.depth -= 1
            return Unary("not", operand, pos)
        return self.comparison()

    def comparison_op(self) -> str | None:
        tok = self.token
        if tok.kind == "op" and tok.text in COMPARISONS:
            return tok.text
        if self.at("in"):
            return "in"
        if self.at("not") and self.tokens[self.index + 1].text == "in":
            return "not in"
        return None

    def comparison(self) -> Node:
        left = self.sum()
        op = self.comparison_op()
        if op is None:
            return left
        pos = self.advance().pos
        if op == "not in":
            self.advance()
        node = Binary(op, left, self.sum(), pos)
        if self.comparison_op() is not None:
            raise self.error("comparisons do not chain; join them with 'and'")
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at("+") or self.at("-"):
            tok = self.advance()
            node = Binary(tok.text, node, self.product(), tok.pos)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*") or self.at("/") or self.at("%"):
            tok = self.advance()
            node = Binary(tok.text, node, self.unary(), tok.pos)
        return node

    def unary(self) -> Node:
        if self.at("-"):
            pos = self.advance().pos
            self.nested()
            operand = self.unary()
            self.depth -= 1
            if isinstance(operand, Literal) and type(operand.value) in (int, float):
                return Literal(-operand.value, pos)  # type: ignore[operator]
            return Unary("-", operand, pos)
        return self.primary()

    def items(self, closing: str) -> tuple[Node, ...]:
        found: list[Node] = []
        if not self.at(closing):
            found.append(self.or_expr())
            while self.at(","):
                self.advance()
                found.append(self.or_expr())
        self.expect(closing)
        return tuple(found)

    def primary(self) -> Node:
        tok = self.token
        if tok.kind in ("number", "string"):
            self.advance()
            return Literal(tok.value, tok.pos)
        if tok.kind == "keyword" and tok.text in ("true", "false", "null"):
            self.advance()
            return Literal({"true": True, "false": False, "null": None}[tok.text], tok.pos)
        if tok.kind == "name":
            self.advance()
            if self.at("("):
                if tok.text not in FUNCTION_NAMES:
                    raise self.error("unknown function %(name)s", tok.pos, name=repr(tok.text))
                self.advance()
                return Call(tok.text, self.items(")"), tok.pos)
            return Name(tok.text, tok.pos)
        if self.at("("):
            self.advance()
            node = self.or_expr()
            self.expect(")")
            return node
        if self.at("["):
            self.advance()
            return ListOf(self.items("]"), tok.pos)
        if tok.kind == "end":
            raise self.error("expression ends too early")
        raise self.error(_UNEXPECTED, found=repr(tok.text))


def parse_expression(source: str) -> Expression:
    """Parse `source`; raise `ExpressionSyntaxError` naming the column of the first problem."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionSyntaxError(
            "expression longer than %(limit)s characters",
            source=source[:40] + "…",
            position=MAX_SOURCE_LENGTH,
            limit=MAX_SOURCE_LENGTH,
        )
    return Expression(source, _Parser(source).parse())

"""The condition language: tokenizer, parser, evaluator and static checks."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.flows.errors import ExpressionEvalError, ExpressionSyntaxError, IssueCode
from hotline.flows.evaluate import evaluate, evaluate_bool
from hotline.flows.expression import Binary, Literal, Name, parse_expression
from hotline.flows.typecheck import Type, check_expression

SCOPE = {
    "caller.number": "01088886666",
    "customer.vip_level": 3,
    "customer.name": "王芳",
    "now.hour": 14,
    "menu.main": "2",
    "ratio": 2.5,
    "flag": True,
}


def value(source: str) -> object:
    return evaluate(parse_expression(source), SCOPE)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("customer.vip_level >= 3 and now.hour < 18", True),
        ("startswith(caller.number, '010')", True),
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("-2 * (3 + 4) % 5", 1),
        ("7 / 2", 3.5),
        ("'ab' + \"cd\"", "abcd"),
        ("menu.main in ['1', '2']", True),
        ("menu.main not in ['1', '2']", False),
        ("'88' in caller.number", True),
        ("not flag or now.hour == 14", True),
        ("nobody.set == null", True),
        ("nobody.set >= 3", False),  # null orders as false, it never fails
        ("not nobody.set", True),
        ("1 == 1.0", True),
        ("'1' == 1", False),  # kinds differ: not equal, no error
        ("len(caller.number)", 11),
        ("right(caller.number, 4)", "6666"),
        ("left(caller.number, 3)", "010"),
        ("digits('+86 138-0013-8000')", "8613800138000"),
        ("int('42') + 1", 43),
        ("number('2.5') * 2", 5.0),
        ("str(customer.vip_level) + '级'", "3级"),
        ("coalesce(nobody.set, customer.vip_level, 0)", 3),
        ("between(now.hour, 9, 18)", True),
        ("matches(caller.number, '0[0-9]{10}')", True),
        ("upper('vip') == 'VIP' and lower('A') == 'a'", True),
        ("contains(customer.name, '芳') and endswith(caller.number, '66')", True),
        ("'it\\'s'", "it's"),
    ],
)
def test_expressions_evaluate(source: str, expected: object) -> None:
    assert value(source) == expected


def test_and_or_short_circuit_so_the_right_side_may_be_wrong() -> None:
    assert value("false and 1 / 0 > 1") is False
    assert value("true or 'x' > 1") is True


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("caller.number > 5", "cannot compare a string with a number"),
        ("1 / 0", "division by zero"),
        ("'a' - 1", "cannot use -"),
        ("customer.vip_level and true", "needs true/false"),
        ("int('abc')", "cannot read"),
        ("left(caller.number, 'x')", "whole number"),
        ("1 in 5", "needs a list or a string"),
    ],
)
def test_evaluation_errors_are_typed_and_name_the_expression(source: str, message: str) -> None:
    with pytest.raises(ExpressionEvalError, match=message) as info:
        value(source)
    assert source in info.value.message
    assert info.value.code == "flow.expression.eval"


def test_conditions_must_be_boolean() -> None:
    assert evaluate_bool(parse_expression("nobody.set"), SCOPE) is False
    with pytest.raises(ExpressionEvalError, match="a condition needs true/false"):
        evaluate_bool(parse_expression("customer.vip_level"), SCOPE)


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("a < b < c", "comparisons do not chain", 7),
        ("a && b", "use 'and', 'or', 'not'", 3),
        ("(1 + 2", "expected ')'", 7),
        ("eval('1')", "unknown function 'eval'", 1),
        ("__import__('os')", "unknown function", 1),
        ("'open", "unterminated string", 1),
        ("12abc", "malformed number", 1),
        ("1 +", "ends too early", 4),
        ("", "empty expression", 1),
        ("a.b.", "unexpected character '.'", 4),
        ("x = 1", "unexpected character '='", 3),
    ],
)
def test_syntax_errors_name_the_column(source: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression(source)
    assert message in info.value.reason
    assert info.value.position + 1 == column
    assert info.value.code == "flow.expression.syntax"


def test_deep_nesting_and_huge_sources_are_refused() -> None:
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
        parse_expression("(" * 200 + "1" + ")" * 200)
    with pytest.raises(ExpressionSyntaxError, match="longer than"):
        parse_expression("1 + " * 1000 + "1")


def test_the_tree_keeps_names_and_positions() -> None:
    expr = parse_expression("customer.vip_level >= -3")
    assert expr.root == Binary(">=", Name("customer.vip_level", 0), Literal(-3, 22), 19)
    assert expr.names() == {"customer.vip_level"}
    assert str(parse_expression(" 1 ")) == " 1 "


@given(st.text(max_size=60))
def test_arbitrary_text_either_parses_or_raises_a_syntax_error(source: str) -> None:
    with contextlib.suppress(ExpressionSyntaxError):
        parse_expression(source)


_ints = st.integers(min_value=-1000, max_value=1000)


@st.composite
def arithmetic(draw: st.DrawFn, depth: int = 0) -> tuple[str, int]:
    if depth > 3 or draw(st.booleans()):
        n = draw(_ints)
        return (f"({n})" if n < 0 else str(n)), n
    op = draw(st.sampled_from(["+", "-", "*"]))
    left_src, left = draw(arithmetic(depth + 1))
    right_src, right = draw(arithmetic(depth + 1))
    result = {"+": left + right, "-": left - right, "*": left * right}[op]
    return f"({left_src} {op} {right_src})", result


@given(arithmetic())
def test_integer_arithmetic_matches_python(case: tuple[str, int]) -> None:
    source, expected = case
    assert evaluate(parse_expression(source), {}) == expected


# --- static checks ---------------------------------------------------------------------------

TYPES = {
    "caller.number": Type.STRING,
    "customer.vip_level": Type.INTEGER,
    "menu.main": Type.STRING,
    "flag": Type.BOOLEAN,
    "lookup.anything": Type.ANY,
}


def problems(source: str) -> list[str]:
    _, found = check_expression(parse_expression(source), TYPES.get)
    return [p.message for p in found]


def test_static_check_infers_types() -> None:
    assert check_expression(parse_expression("1 + 2"), TYPES.get)[0] is Type.INTEGER
    assert check_expression(parse_expression("1 / 2"), TYPES.get)[0] is Type.NUMBER
    assert check_expression(parse_expression("len('x') > 0"), TYPES.get)[0] is Type.BOOLEAN
    assert check_expression(parse_expression("coalesce(null, 'a')"), TYPES.get)[0] is Type.STRING
    assert problems("customer.vip_level >= 3 and flag and lookup.anything > 'x'") == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("menu.main == 1", "a string is never equal to a number (quote the digits: '1')"),
        ("caller.number > 5", "cannot compare a string with an integer"),
        ("customer.vip_level and flag", "'and' needs true/false, got an integer"),
        ("not caller.number", "'not' needs true/false"),
        ("-caller.number", "cannot negate a string"),
        ("'a' + 1", "cannot add a string and an integer"),
        ("flag * 2", "cannot use * on a boolean and an integer"),
        ("left(caller.number)", "left() takes 2 argument(s), got 1"),
        ("len(5)", "len() argument 1 must be list or string, not an integer"),
        ("1 in 2", "'in' needs a list or a string, not an integer"),
        ("5 in caller.number", "cannot look for an integer in a string"),
        ("matches(caller.number, '[')", "bad regular expression"),
    ],
)
def test_static_check_finds_type_mistakes(source: str, message: str) -> None:
    assert any(message in p for p in problems(source)), problems(source)


def test_unknown_variables_have_their_own_code() -> None:
    _, found = check_expression(parse_expression("custmer.vip_level > 1"), TYPES.get)
    assert [(p.code, p.position) for p in found] == [(IssueCode.VARIABLE_UNKNOWN, 0)]


@pytest.mark.parametrize("source", ["1¹", "²", "٣ + 1", "x == 1٣"])
def test_non_ascii_digits_are_a_syntax_error(source: str) -> None:
    # Found by the expression fuzzer: str.isdigit() accepts them, int() does not.
    from hotline.flows.errors import FlowError

    with pytest.raises(FlowError):
        parse_expression(source)

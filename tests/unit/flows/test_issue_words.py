"""What is wrong in an expression, a regular expression or a prompt's braces is said in the
user's language, not only where it is (ADR 0127): each problem has a template of the UI
catalog, its values, and the kinds of value it names (`*_type`) are words of the catalog too."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hotline.flows import check_flow
from hotline.flows.errors import (
    EXPRESSION_TEMPLATES,
    ISSUE_TEMPLATES,
    REGEX_TEMPLATES,
    TYPE_WORDS,
    FlowIssue,
    regex_problem,
)
from hotline.web.error_text import ErrorText
from hotline.web.i18n import Catalogs

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def text() -> ErrorText:
    return ErrorText(Catalogs())


def condition(when: str) -> dict[str, Any]:
    return {
        "name": "t",
        "start": "c",
        "variables": {"tier": {"type": "integer", "default": 0}},
        "nodes": {
            "c": {"type": "condition", "branches": [{"when": when, "next": "e"}], "otherwise": "e"},
            "e": {"type": "hangup"},
        },
    }


def said(text: ErrorText, issue: FlowIssue, language: str) -> str:
    details = {"template": issue.template, "params": dict(issue.params)}
    return text.render(language, issue.code, issue.message, details, 422)


def only_issue(document: dict[str, Any]) -> FlowIssue:
    issues = check_flow(document, queues=set(), calendars=set()).issues
    assert len(issues) == 1, issues
    return issues[0]


@pytest.mark.parametrize(
    ("when", "english", "chinese"),
    [
        ("x > 1", "unknown variable 'x' at column 1 of 'x > 1'", "变量“x”不存在"),
        ("(tier > 1", "expected ')', found the end of the expression", "缺少“)”"),
        ("tier > 1)", "unexpected ')' at column 9", "此处不应出现“)”"),
        ("tier && 1", "unexpected character '&'", "请用 and、or、not"),
        ("shout(tier)", "unknown function 'shout'", "没有名为“shout”的函数"),
        ("'gold", "unterminated string", "字符串缺少结尾的引号"),
        (
            "tier == '1'",
            "a number is never equal to a string (quote",
            "数字永远不等于文本（数字请加引号",
        ),
        (
            "tier > 'a'",
            "cannot compare an integer with a string using >",
            "不能用 > 比较整数和文本",
        ),
        ("len(tier) > 1", "len() argument 1 must be list or string, not an integer", "列表或文本"),
        ("left('a') == 'a'", "left() takes 2 argument(s), got 1", "需要 2 个参数，这里有 1 个"),
        ("tier and true", "'and' needs true/false, got an integer", "需要真/假值，这里是整数"),
        ("tier + 1", "'tier + 1' gives an integer; this field needs a boolean", "结果是整数"),
        ("matches('a', '(b')", "unclosed parenthesis at position 1", "第 1 个字符处的括号未闭合"),
    ],
)
def test_an_expressions_problem_is_said_in_both_languages(
    text: ErrorText, when: str, english: str, chinese: str
) -> None:
    issue = only_issue(condition(when))
    assert issue.template in ISSUE_TEMPLATES, issue
    assert issue.message == issue.template % dict(issue.params)
    assert english in said(text, issue, "en")
    zh = said(text, issue, "zh-CN")
    assert chinese in zh, zh
    assert zh != "无效"
    if issue.code != "flow.expression.type" or "gives" not in issue.message:
        assert f"表达式“{when}”第 " in zh, zh  # where it is, then what is wrong
    # No English left but the flow's own words (its source, names, functions and operators).
    leftover = LATIN_WORD.findall(zh.replace(when, ""))
    assert set(leftover) <= {"and", "or", "not", "shout", "len", "left"}, zh


@pytest.mark.parametrize(
    ("pattern", "english", "chinese"),
    [
        ("([0-9]+", "unclosed parenthesis at position 1", "第 1 个字符处的括号未闭合"),
        ("[0-9+", "unclosed '[' at position 1", "“[”未闭合"),
        ("*12", "nothing to repeat at position 1", "前面没有可重复的内容"),
        ("12)", "')' without its '(' at position 3", "“)”没有对应的“(”"),
        (r"\q", r"unknown escape \q at position 1", r"转义 \q 无法识别"),
        ("[9-0]", "bad range 9-0 at position 2", "范围 9-0 无效"),
        ("(?<=a+)b", "look-behind requires fixed-width pattern at position 1", "第 1 个字符处有误"),
    ],
)
def test_a_bad_pattern_says_what_is_wrong_and_where(
    text: ErrorText, pattern: str, english: str, chinese: str
) -> None:
    document = {
        "name": "t",
        "start": "c",
        "nodes": {
            "c": {"type": "collect", "prompt": {"tts": "请输入"}, "variable": "pin"}
            | {"pattern": pattern, "next": "e"},
            "e": {"type": "hangup"},
        },
    }
    issue = only_issue(document)
    assert (issue.code, issue.node, issue.field) == ("flow.pattern.invalid", "c", "pattern")
    assert issue.template in REGEX_TEMPLATES
    assert english in said(text, issue, "en")
    zh = said(text, issue, "zh-CN")
    assert chinese in zh, zh
    assert zh.startswith("正则表达式"), zh


def test_a_prompts_braces_are_said_in_both_languages(text: ErrorText) -> None:
    document = {
        "name": "t",
        "start": "p",
        "nodes": {
            "p": {"type": "play", "prompt": {"tts": "您好 {x:loud}"}, "next": "e"},
            "e": {"type": "hangup"},
        },
    }
    issues = check_flow(document, queues=set(), calendars=set()).issues
    zh = [said(text, i, "zh-CN") for i in issues]
    assert "{x:loud} 中的格式“loud”无法识别（可用：digits）" in zh, zh


def test_every_template_and_word_has_its_chinese() -> None:
    zh = Catalogs().translated("zh-CN")
    missing = [t for t in (*ISSUE_TEMPLATES, *TYPE_WORDS) if t not in zh]
    assert missing == []
    assert set(EXPRESSION_TEMPLATES) <= zh


def test_a_patterns_unforeseen_problem_still_names_its_position() -> None:
    template, params = regex_problem(re.error("something new", "abc", 2))
    assert template == REGEX_TEMPLATES[-1]
    assert params == {"problem": "something new", "position": 3}

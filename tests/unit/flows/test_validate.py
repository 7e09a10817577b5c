"""Schema and graph validation: every issue names node id and field, all are collected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hotline.flows.errors import (
    ISSUE_TEMPLATES,
    FlowInvalid,
    FlowIssue,
    FlowSyntaxError,
    IssueCode,
)
from hotline.flows.loader import parse_flow, read_document, read_flow_file
from hotline.flows.prompts import PromptRef, fill_template, resolve_prompts, template_fields
from hotline.flows.schema import MenuNode, Prompt
from hotline.flows.skills import parse_skills
from hotline.flows.validate import check_flow, ensure_valid, validate_flow

DATA = Path(__file__).parents[2] / "data" / "flows"
PROMPTS = DATA / "prompts"
EXAMPLES = Path(__file__).parents[3] / "examples" / "flows"


def where(issues: tuple[FlowIssue, ...] | list[FlowIssue]) -> list[tuple[str, str | None, str]]:
    return [(i.code, i.node, i.field) for i in issues]


def flow_data(**nodes: dict[str, Any]) -> dict[str, Any]:
    return {"name": "t", "start": next(iter(nodes)), "nodes": nodes}


def issues_of(data: dict[str, Any], **kwargs: Any) -> list[tuple[str, str | None, str]]:
    return where(check_flow(data, **kwargs).issues)


BYE = {"type": "hangup"}


def test_the_examples_and_test_flows_are_valid() -> None:
    paths = sorted(EXAMPLES.glob("*.yaml"))
    assert {p.name for p in paths} >= {"main.yaml", "order-status.yaml", "web-chat.yaml"}
    for path in [*paths, DATA / "valid_small.yaml"]:
        result = check_flow(read_flow_file(path), prompts_root=PROMPTS)
        assert result.ok, [str(i) for i in result.issues]


def test_every_graph_mistake_is_reported_with_node_and_field() -> None:
    result = check_flow(read_flow_file(DATA / "invalid_all.yaml"), prompts_root=PROMPTS)
    assert where(result.issues) == [
        (IssueCode.PROMPT_MISSING, "welcome", "prompt.file"),
        (IssueCode.NODE_UNKNOWN, "menu", "options.1"),
        (IssueCode.LOOP_NO_WAIT, "check_a", "branches.0.next"),
        (IssueCode.EXPRESSION_SYNTAX, "check_a", "branches.0.when"),
        (IssueCode.EXPRESSION_TYPE, "check_b", "assign.tries"),
        (IssueCode.NODE_UNREACHABLE, "orphan", "id"),
    ]
    loop = result.issues[2]
    assert "check_a → check_b → check_a" in loop.message
    assert "column 17" in result.issues[3].message


def test_schema_errors_name_node_and_field_and_references_are_still_checked() -> None:
    data = read_flow_file(DATA / "invalid_schema.json")
    data["nodes"]["bye"] = {"type": "play", "prompt": "再见", "next": "ghost"}
    result = check_flow(data)
    assert result.flow is None
    assert where(result.issues) == [
        (IssueCode.SCHEMA, "welcome", "volume"),
        (IssueCode.SCHEMA, "menu", "timeout"),
        (IssueCode.SCHEMA, "odd", "type"),
        (IssueCode.NODE_UNKNOWN, "bye", "next"),
    ]
    assert "unknown node type 'teleport'" in result.issues[2].message
    assert result.issues[0].message == "unknown field"


def test_schema_messages_hide_pydantic_internals() -> None:
    data = flow_data(a={"type": "play", "prompt": {"tts": 5}, "next": "b"}, b=BYE)
    data["nodes"]["Bad id!"] = BYE
    data["nodes"]["c"] = {"type": "menu", "prompt": "x"}
    found = issues_of(data)
    assert (IssueCode.SCHEMA, "a", "prompt.0.tts") in found
    assert (IssueCode.SCHEMA, "Bad id!", "id") in found
    assert (IssueCode.SCHEMA, "c", "options") in found
    assert all("[" not in field for _, _, field in found)


def test_flow_level_problems_have_no_node() -> None:
    found = issues_of({"name": "Not Valid", "start": "a", "nodes": {"a": BYE}, "timezone": "X/Y"})
    assert (IssueCode.SCHEMA, None, "name") in found
    assert (IssueCode.SCHEMA, None, "timezone") in found
    assert issues_of({"name": "t", "start": "zz", "nodes": {"a": BYE}})[0] == (
        IssueCode.NODE_UNKNOWN,
        None,
        "start",
    )


def test_yaml_numbers_in_text_fields_are_read_as_text() -> None:
    flow = parse_flow(
        read_document(
            "name: t\nstart: m\ndids: [4001]\nnodes:\n"
            "  m: {type: menu, prompt: hi, options: {1: b, 0: b}}\n"
            "  b: {type: set, assign: {x: 5, y: true}, next: h}\n"
            "  h: {type: hangup}\n"
        )
    )
    menu = flow.nodes["m"]
    assert isinstance(menu, MenuNode)
    assert list(menu.options) == ["1", "0"]
    assert flow.dids == ("4001",)


def test_unreadable_documents_raise_syntax_errors_with_lines() -> None:
    with pytest.raises(FlowSyntaxError) as info:
        read_document("name: t\nnodes: [\n", source="x.yaml")
    assert info.value.line == 3
    with pytest.raises(FlowSyntaxError, match="not valid JSON"):
        read_document("{", fmt="json")
    with pytest.raises(FlowInvalid, match="a flow is a mapping"):
        parse_flow(["not", "a", "mapping"])


def test_loops_that_wait_are_fine_and_instant_ones_are_not() -> None:
    waiting = flow_data(
        m={"type": "menu", "prompt": "hi", "options": {"1": "s"}},
        s={"type": "set", "assign": {"x": "1"}, "next": "m"},
    )
    assert issues_of(waiting) == []
    # A queue with no `unavailable` branch can return at once, so queue → no_answer is instant.
    instant = flow_data(
        q={"type": "queue", "queue": "sales", "no_answer": "c"},
        c={"type": "condition", "branches": [{"when": "true", "next": "q"}], "otherwise": "q"},
    )
    assert issues_of(instant) == [(IssueCode.LOOP_NO_WAIT, "q", "no_answer")]
    self_loop = flow_data(s={"type": "set", "assign": {"x": "1"}, "next": "s"})
    assert issues_of(self_loop) == [(IssueCode.LOOP_NO_WAIT, "s", "next")]


def test_prompt_checks() -> None:
    data = flow_data(
        a={"type": "play", "prompt": [{"tts": {"en": "Hi"}}, {}], "next": "b"},
        b={
            "type": "play",
            "prompt": {"tts": {"fr": "Salut", "zh-CN": "{nobody} {{ok}} {x:loud}"}},
            "next": "c",
        },
        c={"type": "play", "prompt": {"file": "../etc/passwd"}, "next": "d"},
        d={"type": "play", "prompt": {"language": "en", "tts": "Press 9."}, "next": "e"},
        e=BYE,
    )
    data["languages"] = ["zh-CN"]
    assert issues_of(data) == [
        (IssueCode.PROMPT_EMPTY, "a", "prompt.0"),
        (IssueCode.LANGUAGE_UNKNOWN, "a", "prompt.0.tts.en"),
        (IssueCode.PROMPT_EMPTY, "a", "prompt.1"),
        (IssueCode.LANGUAGE_UNKNOWN, "b", "prompt.tts.fr"),
        (IssueCode.EXPRESSION_SYNTAX, "b", "prompt.tts.zh-CN"),
        (IssueCode.VARIABLE_UNKNOWN, "b", "prompt.tts.zh-CN"),
        (IssueCode.VARIABLE_UNKNOWN, "b", "prompt.tts.zh-CN"),
        (IssueCode.PROMPT_PATH, "c", "prompt.file"),
        (IssueCode.LANGUAGE_UNKNOWN, "d", "prompt.language"),
    ]


def test_node_rules() -> None:
    data = flow_data(
        h={"type": "hours", "calendar": "nope", "open": "l", "closed": "l"},
        l={"type": "lookup", "source": "webhook", "found": "c", "not_found": "c"},
        c={
            "type": "collect",
            "prompt": "x",
            "variable": "now.hour",
            "min_digits": 5,
            "max_digits": 2,
            "pattern": "(",
            "next": "q",
        },
        q={"type": "queue", "queue": "nosuch", "priority": "1.5", "no_answer": "t"},
        t={"type": "transfer", "to": "number", "target": "call-me", "on_failure": "k"},
        k={
            "type": "callback",
            "queue": "sales",
            "prompt": "p",
            "confirm_prompt": "c",
            "number_prompt": "n",
            "accept_key": "1",
            "decline_key": "1",
            "accepted": "v",
            "declined": "v",
        },
        v={"type": "set", "assign": {"flag": "'yes'"}, "next": "e"},
        e=BYE,
    )
    data["variables"] = {"flag": {"type": "boolean", "default": 3}}
    assert issues_of(data, queues={"sales"}, calendars={"工作时间"}) == [
        (IssueCode.SCHEMA, None, "variables.flag.default"),
        (IssueCode.CALENDAR_UNKNOWN, "h", "calendar"),
        (IssueCode.VALUE_RANGE, "l", "url"),
        (IssueCode.VALUE_RANGE, "c", "variable"),
        (IssueCode.PATTERN_INVALID, "c", "pattern"),
        (IssueCode.VALUE_RANGE, "c", "min_digits"),
        (IssueCode.EXPRESSION_TYPE, "q", "priority"),
        (IssueCode.QUEUE_UNKNOWN, "q", "queue"),
        (IssueCode.VALUE_RANGE, "t", "target"),
        (IssueCode.VALUE_RANGE, "k", "decline_key"),
        (IssueCode.EXPRESSION_TYPE, "v", "assign.flag"),
    ]


def test_a_queue_callback_branch_needs_a_callback_node_for_that_queue() -> None:
    offer = {
        "type": "callback",
        "queue": "support",
        "prompt": "p",
        "confirm_prompt": "c",
        "number_prompt": "n",
        "accepted": "q",
        "declined": "q",
    }
    data = flow_data(q={"type": "queue", "queue": "sales", "callback": "cb"}, cb=offer)
    assert issues_of(data) == [(IssueCode.VALUE_RANGE, "q", "callback")]
    data["nodes"]["cb"]["queue"] = "sales"
    assert issues_of(data) == []


def test_ensure_valid_raises_all_issues_at_once() -> None:
    flow = parse_flow(
        flow_data(
            a={"type": "play", "prompt": "x", "next": "gone"},
            b={"type": "play", "prompt": "{nobody}", "next": "a"},
        )
    )
    with pytest.raises(FlowInvalid) as info:
        ensure_valid(flow)
    assert len(info.value.issues) == 3
    assert info.value.code == "flow.invalid"
    assert info.value.details["issues"][0]["node"] == "a"
    assert "node 'a' field 'next': no node 'gone'" in str(info.value)
    assert validate_flow(flow) == list(info.value.issues)


# --- prompts -----------------------------------------------------------------------------------


def test_templates_fill_variables_and_read_digits_one_by_one() -> None:
    scope = {"ticket": 20315, "name": "王芳", "missing": None}
    text = "工单号 {ticket:digits}，{name}{missing}，{{literal}}"
    assert fill_template(text, scope) == "工单号 2 0 3 1 5，王芳，{literal}"
    fields, problems = template_fields("{a} {b:digits} {c:shout} { d")
    assert [f.name for f in fields] == ["a", "b", "c"]
    assert len(problems) == 2


def test_prompt_resolution_by_language() -> None:
    prompts = (
        Prompt(tts={"zh-CN": "您好 {n}", "en": "Hello {n}"}),
        Prompt(tts="只有中文"),
        Prompt(files={"en": "en/hi.wav"}, file="hi.wav"),
        Prompt(language="en", tts="For English, press 9."),
        Prompt(files={"en": "en/only.wav"}),
    )
    zh = resolve_prompts(prompts, language="zh-CN", default_language="zh-CN", scope={"n": 1})
    assert zh == (
        PromptRef("zh-CN", "您好 1"),
        PromptRef("zh-CN", "只有中文"),
        PromptRef("zh-CN", None, "hi.wav"),
        PromptRef("en", "For English, press 9."),
        PromptRef("en", None, "en/only.wav"),
    )
    en = resolve_prompts(prompts, language="en", default_language="zh-CN", scope={"n": 1})
    assert en[:3] == (
        PromptRef("en", "Hello 1"),
        PromptRef("zh-CN", "只有中文"),  # falls back to the default language's voice
        PromptRef("en", None, "en/hi.wav"),
    )


def test_a_queue_nodes_skills_are_a_name_or_name_at_least_a_level() -> None:
    def queue(*skills: str) -> dict[str, Any]:
        return flow_data(q={"type": "queue", "queue": "support", "skills": list(skills)})

    assert issues_of(queue("售后", "english>=5", "vip >= 10")) == []
    for bad in ("english>=x", "english>=0", "english>=11", ">=3", "english>3", "a>=b>=2"):
        result = check_flow(queue("售后", bad))
        assert where(result.issues) == [(IssueCode.SCHEMA, "q", "skills.1")], bad
        assert repr(bad) in result.issues[0].message


def test_skills_become_the_routers_minimums_the_stricter_one_kept() -> None:
    assert parse_skills(["售后", "english>=5", " english >= 3 "]) == {"售后": 1, "english": 5}
    with pytest.raises(ValueError, match="1–10"):
        parse_skills(["english>=٣"])  # digits, but not ASCII ones


def test_an_hours_node_may_name_one_of_the_centers_calendars() -> None:
    data = flow_data(h={"type": "hours", "calendar": "工作时间", "open": "e", "closed": "e"}, e=BYE)
    assert issues_of(data) == []  # offline: the center's names are not known
    assert issues_of(data, calendars={"工作时间"}) == []
    assert issues_of(data, calendars={"全天服务"}) == [
        (IssueCode.CALENDAR_UNKNOWN, "h", "calendar")
    ]


@pytest.mark.parametrize(
    "document",
    [
        {"name": "f", "start": "nowhere", "nodes": {"a": {"type": "play"}}},
        {"name": "f", "start": "a", "nodes": {"a": {"type": "nonsense"}, "b": {}}},
        {"name": "f", "start": "a", "nodes": {"a": {"type": "hangup", "colour": 1}}},
        {
            "name": "f",
            "start": "a",
            "nodes": {
                "a": {"type": "play", "prompt": {"tts": {"fr": "salut"}}, "next": "a"},
                "b": {"type": "transfer", "to": "number", "target": "call mum"},
            },
        },
        "not a mapping",
    ],
)
def test_every_issue_is_said_from_a_template_the_catalog_knows(document: object) -> None:
    """The flow editor says each issue in the user's language from its template (ADR 0125)."""
    from hotline.web.i18n import Catalogs  # the UI's catalog: the web layer says the issues

    issues = check_flow(document, queues=set(), calendars=set()).issues
    assert issues
    zh = Catalogs().translated("zh-CN")
    for issue in issues:
        assert issue.template in (*ISSUE_TEMPLATES, "%(problem)s"), issue
        assert issue.message == issue.template % dict(issue.params), issue
        assert issue.template == "%(problem)s" or issue.template in zh, issue


def test_a_misspelled_branch_is_one_message_at_its_node() -> None:
    """`main_mneu` for `main_menu`: named once at the branch, not again as every node behind
    it being unreachable; a node no branch names at all is still reported."""
    data = read_flow_file(EXAMPLES / "main.yaml")
    data["nodes"]["welcome"]["next"] = "main_mneu"
    assert issues_of(data) == [(IssueCode.NODE_UNKNOWN, "welcome", "next")]
    data["nodes"]["orphan"] = BYE
    assert issues_of(data) == [
        (IssueCode.NODE_UNKNOWN, "welcome", "next"),
        (IssueCode.NODE_UNREACHABLE, "orphan", "id"),
    ]

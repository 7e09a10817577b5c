"""Hints during service, the pure part: the names a rule reads, which rules hold for a
customer, texts in the agent's language, and the rules' own checks."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from hotline.crm.hints import (
    BUILT_IN_NAMES,
    HintRule,
    HintRuleIn,
    HintRuleInvalid,
    check_hint_rule,
    hint_scope,
    matching_hints,
    months_between,
)

TODAY = dt.date(2026, 12, 7)
CUSTOMER = {
    "name": "钱多多",
    "vip_level": 1,
    "tags": ["老客户"],
    "custom": {"device_bought": "2024-11-20", "plan": "金卡", "hobbies": ["阅读"]},
}
SUMMARY = {"contacts": 5, "open_tickets": 1, "tickets": 3, "csat_average": 4.5,
           "last_contact_at": 1_796_000_000.0 - 3 * 86400}  # fmt: skip
NOW = 1_796_000_000.0


def rule(condition: str, position: int = 0, name: str = "r", active: bool = True) -> HintRule:
    return HintRule(
        id=name,
        name=name,
        condition=condition,
        text_zh="已用 {customer.device_bought.months} 个月",
        text_en="{customer.device_bought.months} months",
        position=position,
        active=active,
    )


def test_whole_months_between_two_dates() -> None:
    assert months_between(dt.date(2024, 12, 7), TODAY) == 24
    assert months_between(dt.date(2024, 12, 8), TODAY) == 23
    assert months_between(dt.date(2026, 12, 7), TODAY) == 0


def test_the_scope_has_fields_dates_in_months_and_the_history() -> None:
    scope = hint_scope(CUSTOMER, SUMMARY, TODAY, NOW)
    assert scope["customer.device_bought"] == "2024-11-20"
    assert scope["customer.device_bought.months"] == 24
    assert "customer.plan.months" not in scope  # not a date
    assert scope["customer.hobbies"] == ("阅读",)
    assert (scope["customer.vip_level"], scope["customer.tags"]) == (1, ("老客户",))
    assert (scope["customer.contacts"], scope["customer.open_tickets"]) == (5, 1)
    assert scope["customer.days_since_last_contact"] == 3


def test_rules_that_hold_in_order_with_texts_in_the_agents_language() -> None:
    scope = hint_scope(CUSTOMER, SUMMARY, TODAY, NOW)
    rules = [
        rule("customer.device_bought.months >= 24", position=2, name="upgrade"),
        rule("'老客户' in customer.tags and customer.vip_level >= 1", position=1, name="thanks"),
        rule("customer.open_tickets == 0", name="quiet"),
        rule("customer.vip_level >= 0", name="off", active=False),
        rule("customer.plan > 3", name="type-mismatch"),  # text against a number: no hint
        rule("customer.unknown_field >= 1", name="missing"),  # null: false
    ]
    shown = matching_hints(rules, scope, "zh-CN")
    assert [h["rule_id"] for h in shown] == ["thanks", "upgrade"]
    assert shown[1]["text"] == "已用 24 个月"
    assert matching_hints(rules, scope, "en")[1]["text"] == "24 months"


FIELDS = {"device_bought": "date", "plan": "text", "hobbies": "multi_choice"}


def test_a_rule_must_parse_and_read_only_the_customers_known_names() -> None:
    good = HintRuleIn(
        name="x", condition="customer.device_bought.months >= 24 and customer.vip_level >= 1",
        text_zh="已用 {customer.device_bought.months} 个月", text_en="{customer.plan}",
    )  # fmt: skip
    check_hint_rule(good, FIELDS)
    for field, value, template, params in (
        ("condition", "caller.number == '1'", "reads only customer.… names, not %(name)s",
         {"name": "caller.number"}),
        ("text_zh", "用了 {queue.wait} 秒", "reads only customer.… names, not %(name)s",
         {"name": "queue.wait"}),
        ("text_en", "unclosed {customer.name", "%(problem)s", None),
        ("condition", "customer.device_bougth.months > 1",
         "customer.%(key)s: the customer has no such field", {"key": "device_bougth"}),
        ("text_en", "{customer.planet}", "customer.%(key)s: the customer has no such field",
         {"key": "planet"}),
        ("condition", "customer.plan.months > 1",
         "customer.%(key)s.months: only a date field counts months, and %(key)s is not one",
         {"key": "plan"}),
        ("condition", "customer.vip_level.months > 1", "%(name)s: a hint cannot read this name",
         {"name": "customer.vip_level.months"}),
        ("condition", "customer.device_bought.days > 1", "%(name)s: a hint cannot read this name",
         {"name": "customer.device_bought.days"}),
    ):  # fmt: skip
        with pytest.raises(HintRuleInvalid) as refused:
            check_hint_rule(good.model_copy(update={field: value}), FIELDS)
        assert refused.value.details["field"] == field
        assert refused.value.details["template"] == template
        if params is not None:
            assert refused.value.details["params"] == params
    with pytest.raises(ValidationError):
        HintRuleIn.model_validate({"name": "x", "condition": " ", "text_zh": "x", "text_en": "x"})


def test_a_condition_that_does_not_parse_is_refused_with_the_parsers_reason() -> None:
    rule = HintRuleIn(name="x", condition="customer.vip_level >=", text_zh="x", text_en="x")
    with pytest.raises(HintRuleInvalid) as refused:
        check_hint_rule(rule, FIELDS)
    details = refused.value.details
    assert details["field"] == "condition"
    assert details["template"] == "%(reason)s (column %(column)s)"
    assert details["params"]["column"] == 22
    assert details["params"]["reason"]["template"] == "expression ends too early"
    assert "expression ends too early (column 22)" in refused.value.message


def test_every_built_in_name_is_in_the_scope() -> None:
    scope = hint_scope({"name": "x"}, {}, TODAY, NOW)
    assert {n.removeprefix("customer.") for n in scope} == BUILT_IN_NAMES

"""Errors in the user's language (ADR 0122): validation errors by pydantic's type, duplicates
by their `*.taken` code, known codes by name, the rest by status — never English in zh-CN,
never a raw code; fields named as the forms name them."""

from __future__ import annotations

import re

import pytest

from hotline.channels.chat.errors import ChatSettingsInvalid
from hotline.channels.chat.settings import parse_config
from hotline.dialer.errors import DialerError
from hotline.dialer.script import apply_answers, parse_script
from hotline.web.error_text import ErrorText
from hotline.web.i18n import Catalogs

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def text() -> ErrorText:
    return ErrorText(Catalogs())


def test_a_duplicate_names_the_field_in_the_users_language(text: ErrorText) -> None:
    details = {"field": "name", "value": "售前"}
    message = "a skill with name '售前' already exists"
    zh = text.render("zh-CN", "skill.name.taken", message, details, 409)
    en = text.render("en", "skill.name.taken", message, details, 409)
    assert zh == "名称“售前”已存在"
    assert en == "Name “售前” is already taken"


def test_pydantic_errors_become_sentences_with_the_forms_labels(text: ErrorText) -> None:
    details = {
        "errors": [
            {"field": "extension", "type": "string_pattern_mismatch", "ctx": {"pattern": "^\\d+$"}},
            {"field": "display_name", "type": "string_too_long", "ctx": {"max_length": 64}},
        ]
    }
    zh = text.render("zh-CN", "invalid_input", "extension: String should match", details, 422)
    assert "String should" not in zh
    assert "格式不正确" in zh
    assert "最多 64 个字符" in zh
    assert not re.search(r"[A-Za-z]{3,}", zh), zh
    en = text.render("en", "invalid_input", "x", details, 422)
    assert "does not have the expected form" in en


def test_list_items_are_counted_from_one(text: ErrorText) -> None:
    details = {"field": "phones[1]", "value": "12ab"}
    zh = text.render("zh-CN", "customer.phone.invalid", "phones[1]: '12ab' …", details, 422)
    assert "第 2 项" in zh
    assert "12ab" in zh
    assert "customer.phone.invalid" not in zh


def test_a_list_whose_items_failed_is_not_also_said_to_be_too_short(text: ErrorText) -> None:
    details = {
        "errors": [
            {"field": "questions[1].text_zh", "type": "string_too_short", "ctx": {"min_length": 1}},
            {"field": "questions", "type": "too_short", "ctx": {"min_length": 1}},
        ]
    }  # fmt: skip
    en = text.render("en", "invalid_input", "questions[1].text_zh: too short", details, 422)
    assert en == "Question (Chinese) (item 2) is too short (at least 1 characters)"
    alone = {"errors": [details["errors"][1]]}  # an empty list: said
    assert "Questions" in text.render("en", "invalid_input", "questions: too short", alone, 422)


def test_an_unknown_code_falls_back_to_its_status_never_to_english_or_the_code(
    text: ErrorText,
) -> None:
    zh = text.render("zh-CN", "widget.broken", "the widget is broken", {}, 409)
    assert HAN.search(zh)
    assert "widget" not in zh
    assert text.render("en", "widget.broken", "the widget is broken", {}, 409) == (
        "the widget is broken"
    )
    field = text.render("zh-CN", "widget.bad", "name: bad", {"field": "name"}, 422)
    assert field == "名称无效"


def test_a_rule_across_fields_is_one_sentence_without_a_field_name(text: ErrorText) -> None:
    details = {"errors": [{"field": "body", "type": "time_off_reversed", "ctx": {}}]}
    zh = text.render("zh-CN", "invalid_input", "ends_at must be after starts_at", details, 422)
    en = text.render("en", "invalid_input", "ends_at must be after starts_at", details, 422)
    assert zh == "结束时间必须晚于开始时间。"
    assert en == "The end must be after the start."


def test_fields_of_forms_outside_the_admin_are_named_as_those_forms_name_them(
    text: ErrorText,
) -> None:
    details = {"errors": [{"field": "week_start", "type": "date_parsing", "ctx": {}}]}
    zh = text.render("zh-CN", "invalid_input", "week_start: Input should be a date", details, 422)
    assert "week_start" not in zh
    assert zh.startswith("起始周一"), zh
    en = text.render("en", "invalid_input", "x", details, 422)
    assert en == "Week starting is not a date"


def test_a_phone_refused_with_a_reason_names_the_item_and_says_the_reason(
    text: ErrorText,
) -> None:
    details = {"field": "phones[0]", "value": "call mum", "reason": "phone.invalid"}
    zh = text.render("zh-CN", "customer.phone.invalid", "phones[0]: call mum: …", details, 422)
    en = text.render("en", "customer.phone.invalid", "phones[0]: call mum: …", details, 422)
    assert zh == "电话（第 1 项）“call mum”：不是有效的电话号码"
    assert en == "Phones (item 1) “call mum”: not a valid phone number"


def test_a_message_with_its_template_is_said_from_the_catalog(text: ErrorText) -> None:
    """A flow's issue (ADR 0125): its template is the message id, its values fill it; a
    template the catalog lacks reads "is not valid" in zh-CN, never English."""
    details = {"template": "no node '%(target)s'", "params": {"target": "nowhere"}}
    assert text.render("zh-CN", "flow.node.unknown", "x", details, 422) == "没有名为“nowhere”的节点"
    assert text.render("en", "flow.node.unknown", "x", details, 422) == "no node 'nowhere'"
    odd = {"template": "%(problem)s", "params": {"problem": "Input should be a valid integer"}}
    assert text.render("zh-CN", "flow.schema.invalid", "x", odd, 422) == "无效"
    assert (
        text.render("en", "flow.schema.invalid", "x", odd, 422) == "Input should be a valid integer"
    )


def test_a_catalog_sentence_with_a_field_is_said_as_written_in_english_too(
    text: ErrorText,
) -> None:
    details = {"field": "file", "size": 11 << 20}
    message = "The file is larger than attachments may be."
    assert text.render("en", "ticket.attachment.too_large", message, details, 422) == message
    zh = text.render("zh-CN", "ticket.attachment.too_large", message, details, 422)
    assert zh == "文件超过了附件大小上限。"


def test_a_template_may_have_values_named_like_the_renderers_own_arguments(
    text: ErrorText,
) -> None:
    """A flow issue's `language` (or `message`) value is the template's, never the renderer's."""
    details = {
        "template": "nothing to play in the pinned language %(language)s",
        "params": {"language": "fr"},
    }
    en = text.render("en", "flow.prompt.language", "x", details, 422)
    assert en == "nothing to play in the pinned language fr"
    assert "fr" in text.render("zh-CN", "flow.prompt.language", "x", details, 422)


def test_a_time_off_with_one_zone_given_is_refused_in_words(text: ErrorText) -> None:
    """A time without a zone is the center's, one with a zone that instant: the two together
    are refused as such (they were compared, a TypeError, a 500)."""
    from pydantic import ValidationError

    from hotline.workforce.schemas import RequestIn

    with pytest.raises(ValidationError) as caught:
        RequestIn.model_validate(
            {
                "kind": "time_off",
                "starts_at": "2030-01-02T09:00",
                "ends_at": "2030-01-02T17:00:00+08:00",
            }
        )
    kind = caught.value.errors()[0]["type"]
    assert kind == "time_off_zones_mixed"
    details = {"errors": [{"field": "body", "type": kind, "ctx": {}}]}
    assert text.render("zh-CN", "invalid_input", "x", details, 422) == (
        "开始和结束时间须同为本中心时间，或同时带时区。"
    )
    naive = RequestIn.model_validate(
        {"kind": "time_off", "starts_at": "2030-01-02T09:00", "ends_at": "2030-01-02T17:00"}
    )
    assert naive.starts_at is not None
    assert naive.starts_at.tzinfo is None  # the service reads it in the tenant's zone


def test_a_refused_hint_rule_names_the_field_and_says_the_parsers_reason(
    text: ErrorText,
) -> None:
    """A reason inside the message (the condition parser's) is said from its own template."""
    from hotline.crm.hints import HintRuleIn, HintRuleInvalid, check_hint_rule

    rule = HintRuleIn(name="x", condition="customer.vip_level >= 1 &", text_zh="x", text_en="x")
    with pytest.raises(HintRuleInvalid) as refused:
        check_hint_rule(rule, {})
    error = refused.value
    zh = text.render("zh-CN", error.code, error.message, error.details, 422)
    en = text.render("en", error.code, error.message, error.details, 422)
    assert zh == "条件（基于客户字段与历史）：无法识别的字符“&”（请用 and、or、not）（第 25 列）"
    assert en == (
        "Condition (on the customer's fields and history): unexpected character '&' "
        "(use 'and', 'or', 'not') (column 25)"
    )
    unknown = HintRuleInvalid("text_en", "customer.%(key)s: the customer has no such field",
                              key="planet")  # fmt: skip
    assert text.render("zh-CN", unknown.code, unknown.message, unknown.details, 422) == (
        "英文提示：customer.planet：客户没有这个字段"
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("dialer.campaign.not_found", 404),
        ("dialer.campaign.state", 409),
        ("dialer.list.not_found", 404),
        ("dialer.list.attached", 409),
        ("dialer.record.not_found", 404),
    ],
)
def test_the_dialers_errors_are_said_in_both_languages(
    text: ErrorText, code: str, status: int
) -> None:
    zh = text.render("zh-CN", code, "english", {}, status)
    en = text.render("en", code, "english", {}, status)
    assert HAN.search(zh)
    assert "外呼" in zh or "名单" in zh or "记录" in zh
    assert en != "english"
    assert not HAN.search(en)


def test_a_bad_chat_setting_is_said_in_the_users_language_naming_its_field(
    text: ErrorText,
) -> None:
    for raw, zh_said, en_said in [
        (
            {"allowed_origins": ["shop"]},
            "允许嵌入的网站：“shop”不是网站地址，应类似 https://shop.example.cn",
            "Allowed sites: “shop” is not a site address like https://shop.example.cn",
        ),
        ({"identity_secret": "x"}, "身份签名密钥至少需要 32 个字符。", "at least 32 characters"),
        ({"file_max_mb": 99}, "文件大小上限（MB）", "Largest file (MB) must be at most 15"),
    ]:
        with pytest.raises(ChatSettingsInvalid) as bad:
            parse_config(raw)
        error = bad.value
        zh = text.render("zh-CN", error.code, error.message, error.details, 422)
        en = text.render("en", error.code, error.message, error.details, 422)
        assert zh_said in zh
        assert HAN.search(zh)
        assert en_said in en


def test_a_script_question_is_named_by_its_text_not_its_key(text: ErrorText) -> None:
    """An agent saving a campaign call's answers is told which question, as the script asks it."""

    question = {"key": "interested", "text_zh": "您对新套餐感兴趣吗？", "text_en": "Interested?"}
    question |= {"type": "choice", "choices": ["yes", "no"], "required": True}
    script = parse_script({"questions": [question]})
    with pytest.raises(DialerError) as refused:
        apply_answers(script, {}, {})
    error = refused.value
    zh = text.render("zh-CN", error.code, error.message, error.details, 422)
    en = text.render("en", error.code, error.message, error.details, 422)
    assert zh.startswith("“您对新套餐感兴趣吗？”")
    assert HAN.search(zh.split("”", 1)[1])  # the reason in Chinese too
    assert en == "“Interested?”: an answer is required"
    assert "interested" not in zh

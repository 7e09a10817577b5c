"""The centre's web chat settings (ADR 0194): the sites that may embed the widget, the pre-chat
form's rules and the greetings, each bad value naming its field with a type the UI can say;
a visitor's session reads them afresh, so a change applies to the next visitor."""

from __future__ import annotations

import asyncio

import pytest

from hotline.channels.chat.errors import ChatSettingsInvalid
from hotline.channels.chat.settings import ChatConfig, origin_of, parse_config
from tests.unit.channels.test_chat_offline import Socket
from tests.unit.channels.test_visitor_session import TENANT, service
from tests.unit.interactions.harness import until


@pytest.mark.parametrize(
    ("given", "origin"),
    [
        ("https://Shop.Example.cn/", "https://shop.example.cn"),
        ("https://shop.example.cn:443", "https://shop.example.cn"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("shop.example.cn", None),
        ("https://shop.example.cn/page", None),
        ("ftp://shop.example.cn", None),
        ("https://user@shop.example.cn", None),
        ("https://shop.example.cn:99999", None),
    ],
)
def test_a_site_is_a_scheme_and_a_host(given: str, origin: str | None) -> None:
    assert origin_of(given) == origin


def test_listed_sites_only_when_any_are_listed() -> None:
    assert ChatConfig().allows_origin(None)
    config = parse_config(
        {"allowed_origins": ["https://shop.example.cn/", "https://shop.example.cn"]}
    )
    assert config.allowed_origins == ["https://shop.example.cn"]
    assert config.allows_origin("https://SHOP.example.cn")
    assert not config.allows_origin("https://elsewhere.example")
    assert not config.allows_origin(None)


def test_bad_values_name_their_field_and_what_is_wrong() -> None:
    with pytest.raises(ChatSettingsInvalid) as bad:
        parse_config({"allowed_origins": ["shop.example.cn"]})
    assert bad.value.details["field"] == "allowed_origins"
    assert bad.value.details["errors"][0]["type"] == "chat_origin_invalid"
    assert bad.value.details["errors"][0]["ctx"] == {"value": "shop.example.cn"}
    with pytest.raises(ChatSettingsInvalid) as rule:
        parse_config({"prechat_phone": "always"})
    assert rule.value.details["errors"][0]["field"] == "prechat_phone"
    with pytest.raises(ChatSettingsInvalid) as secret:
        parse_config({"identity_secret": "short"})
    assert secret.value.details["errors"][0] == {
        "field": "identity_secret",
        "message": "the identity secret needs at least 32 characters",
        "type": "chat_secret_short",
        "ctx": {"min": 32},
    }


def test_the_pre_chat_form_and_the_greeting_in_the_visitors_language() -> None:
    config = parse_config(
        {"prechat_phone": "required", "prechat_email": "hidden", "greeting_zh": " 您好 ",
         "greeting_en": "Hi"}
    )  # fmt: skip
    assert config.visitor_form("zh-CN") == {
        "greeting": "您好",
        "prechat": {"name": "optional", "phone": "required", "email": "hidden"},
    }
    assert config.visitor_form("en")["greeting"] == "Hi"
    assert config.missing_prechat({"name": "Ann", "phone": " "}) == "phone"
    assert config.missing_prechat({"phone": "13800138000"}) is None


async def test_the_next_visitor_gets_the_settings_as_they_are_now() -> None:
    current = {"config": ChatConfig()}

    async def settings(tenant_id: str) -> ChatConfig:
        return current["config"]

    chat, _, _ = service(settings)
    first = Socket()
    one = asyncio.create_task(chat.session(TENANT).run(first.receive, first.send))
    first.say(type="availability", language="en")
    await until(lambda: bool(first.frames))
    assert first.frames[0]["greeting"] == ""
    first.inbox.put_nowait(None)
    await one

    current["config"] = parse_config({"prechat_phone": "required", "greeting_en": "Hi there"})
    second = Socket()
    two = asyncio.create_task(chat.session(TENANT).run(second.receive, second.send))
    second.say(type="availability", language="en")
    await until(lambda: bool(second.frames))
    assert second.frames[0]["greeting"] == "Hi there"
    second.say(type="hello", language="en", name="Ann")
    await until(lambda: len(second.frames) == 2)
    assert (second.frames[1]["type"], second.frames[1]["field"]) == ("error", "phone")
    await two  # no chat opened: the session ends

    third = Socket()
    three = asyncio.create_task(chat.session(TENANT).run(third.receive, third.send))
    third.say(type="hello", language="en", name="Ann", phone="13800138000")
    await until(lambda: any(f["type"] == "welcome" for f in third.frames))
    third.inbox.put_nowait(None)
    await three

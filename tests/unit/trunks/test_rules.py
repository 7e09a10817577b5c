"""The rules of a trunk's values (hotline.trunks.check_trunk): each bad value is refused naming
its field with a sentence the UI translates; good values come back trimmed."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from hotline.trunks import StoredTrunk, TrunkInvalid, TrunkValues, check_trunk, model
from hotline.web.error_text import ErrorText
from hotline.web.i18n import Catalogs

GOOD = TrunkValues(
    name="carrier-1", host="sip.carrier.example", port=5060, transport="udp",
    username="trunk1", password="s3cret", register=True, register_expires=3600,
    codecs=("PCMA", "PCMU"), inbound_sources=("198.51.100.7", "198.51.100.8:5080"),
)  # fmt: skip


def test_good_values_come_back_trimmed() -> None:
    values = replace(GOOD, name=" carrier-1 ", host=" 10.0.0.1 ", codecs=(" pcma ",))
    checked = check_trunk(values)
    assert (checked.name, checked.host, checked.codecs) == ("carrier-1", "10.0.0.1", ("PCMA",))
    assert check_trunk(replace(GOOD, host="[2001:db8::1]")).host == "[2001:db8::1]"
    assert check_trunk(replace(GOOD, name="电信中继")).name == "电信中继"


@pytest.mark.parametrize(
    ("change", "field", "template"),
    [
        ({"name": "a b"}, "name", "use 1 to 64 letters, digits, dots, dashes or underscores"),
        ({"host": ""}, "host", "is required"),
        ({"host": "http://carrier"}, "host", "“%(value)s” is not a host name or IP address"),
        ({"host": "300.1.1.1"}, "host", "“%(value)s” is not a host name or IP address"),
        ({"host": "-bad-.example"}, "host", "“%(value)s” is not a host name or IP address"),
        ({"port": 0}, "port", "must be between 1 and 65535"),
        ({"port": 70000}, "port", "must be between 1 and 65535"),
        ({"transport": "sctp"}, "transport", "must be UDP, TCP or TLS"),
        ({"username": "a b"}, "username", "must not contain spaces, “:”, “@” or angle brackets"),
        ({"username": ""}, "username", "is required to register"),
        ({"from_domain": "x y"}, "from_domain", "“%(value)s” is not a host name or IP address"),
        ({"register_expires": 59}, "register_expires",
         "must be between %(min)s and %(max)s seconds"),
        ({"register_expires": 86_401}, "register_expires",
         "must be between %(min)s and %(max)s seconds"),
        ({"codecs": ()}, "codecs", "choose at least one codec"),
        ({"codecs": ("G729",)}, "codecs",
         "“%(value)s” is not a codec Hotline speaks (PCMU, PCMA)"),
        ({"codecs": ("PCMU", "pcmu")}, "codecs", "names a codec twice"),
        ({"inbound_sources": ("198.51.100.7:99999",)}, "inbound_sources",
         "“%(value)s” is not a host or host:port"),
        ({"inbound_sources": ("not a host",)}, "inbound_sources",
         "“%(value)s” is not a host or host:port"),
        ({"did_from": "from"}, "did_from", "must be the Request-URI or the To header"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_naming_the_field(
    change: dict[str, object], field: str, template: str
) -> None:
    with pytest.raises(TrunkInvalid) as refused:
        check_trunk(replace(GOOD, **change))  # type: ignore[arg-type]
    assert refused.value.field == field
    assert refused.value.details["template"] == template
    assert refused.value.code == "trunk.invalid"


def test_a_trunk_that_does_not_register_needs_no_user() -> None:
    assert check_trunk(replace(GOOD, register=False, username="")).username == ""


def test_a_change_without_a_password_keeps_the_stored_one() -> None:
    stored = StoredTrunk("01J", "t1", GOOD)
    assert stored.with_values(replace(GOOD, password=None)).values.password == "s3cret"
    assert stored.with_values(replace(GOOD, password="new")).values.password == "new"
    sip = stored.sip_trunk()
    assert (sip.tenant_id, sip.register, sip.codecs, sip.password) == (
        "t1", True, ("PCMA", "PCMU"), "s3cret",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "zh", "en"),
    [
        ({"host": "http://x"}, "服务器地址：“http://x”不是主机名或 IP 地址",
         "Host: “http://x” is not a host name or IP address"),
        ({"register_expires": 30}, "注册有效期（秒）：必须在 60 到 86400 秒之间",
         "Registration interval (seconds): must be between 60 and 86400 seconds"),
        ({"codecs": ("G729",)}, "编解码器：“G729”不是 Hotline 支持的编解码器（PCMU、PCMA）",
         "Codecs: “G729” is not a codec Hotline speaks (PCMU, PCMA)"),
        ({"transport": "sctp"}, "传输协议：必须是 UDP、TCP 或 TLS",
         "Transport: must be UDP, TCP or TLS"),
    ],
)  # fmt: skip
def test_each_refusal_is_said_in_the_users_language(
    change: dict[str, object], zh: str, en: str
) -> None:
    text = ErrorText(Catalogs())
    with pytest.raises(TrunkInvalid) as refused:
        check_trunk(replace(GOOD, **change))  # type: ignore[arg-type]
    error = refused.value
    said = {
        lang: text.render(lang, error.code, error.message, error.details, 422)
        for lang in ("zh-CN", "en")
    }
    assert said == {"zh-CN": zh, "en": en}


def test_every_refusal_has_its_chinese_sentence() -> None:
    translated = Catalogs().translated("zh-CN")
    source = Path(model.__file__).read_text()
    templates = re.findall(r'TrunkInvalid\(\s*"\w+",\s*"((?:[^"\\]|\\.)*)"', source)
    assert len(templates) >= 14
    assert [t for t in templates if t not in translated] == []

"""Opt-out words, templates, a center's settings, receipts read from deliver_sm, webhook
signatures, and the submit_sm PDUs of a long Chinese message (golden)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotline.channels.sms.encoding import split
from hotline.channels.sms.errors import SmsEncodingError, SmsInvalid, SmsSignatureInvalid
from hotline.channels.sms.http_provider import parse_inbound, parse_receipt
from hotline.channels.sms.model import SmsStatus
from hotline.channels.sms.optout import Keyword, classify
from hotline.channels.sms.settings import parse_config
from hotline.channels.sms.smpp import address_of, receipt_of
from hotline.channels.sms.smpp_pdu import decode, encode
from hotline.channels.sms.templates import render
from hotline.webhooks.signing import sign
from tests.unit.channels.test_sms_encoding import LONG_CHINESE

DATA = Path(__file__).parents[2] / "data" / "sms"
SECRET = "s" * 32


@pytest.mark.parametrize(
    "text",
    [
        "退订",
        "STOP",
        "stop",
        " Stop. ",
        "TD",
        "td",
        "Ｔ Ｄ".replace(" ", ""),
        "UNSUBSCRIBE",
        "退订！",
        "取消订阅",
    ],
)
def test_opt_out_words(text: str) -> None:
    assert classify(text) is Keyword.OPT_OUT


@pytest.mark.parametrize("text", ["please don't stop", "退订了吗？我没有退订", "STOPPED", "hi"])
def test_a_sentence_is_not_an_opt_out(text: str) -> None:
    assert classify(text) is Keyword.NONE


def test_resume_word_and_a_centers_own_words() -> None:
    assert classify("start") is Keyword.RESUME
    assert classify("QUIT", ["QUIT"], []) is Keyword.OPT_OUT
    assert classify("STOP", ["QUIT"], []) is Keyword.NONE


TEMPLATES = {
    "overflow": {
        "zh-CN": "排队人数较多，请点击自助服务：{link}",
        "en": "Long queue: help yourself at {link}",
    },
    "en_only": {"en": "Hello {name}"},
}


def test_templates_render_in_the_language_asked() -> None:
    assert render(TEMPLATES, "overflow", "zh-CN", {"link": "https://h.test/s"}).endswith(
        "https://h.test/s"
    )
    assert render(TEMPLATES, "overflow", "en", {"link": "L"}) == "Long queue: help yourself at L"
    assert render(TEMPLATES, "en_only", "zh-CN", {"name": "Li"}) == "Hello Li"  # the other one


def test_templates_refuse_what_they_cannot_fill() -> None:
    with pytest.raises(SmsInvalid) as caught:
        render(TEMPLATES, "overflow", "en", {})
    assert caught.value.code == "sms.template.invalid"
    assert caught.value.details["missing"] == ["link"]
    with pytest.raises(SmsInvalid) as caught:
        render(TEMPLATES, "nope", "en", {})
    assert caught.value.code == "sms.template.unknown"


GOOD = {
    "provider": "http",
    "http": {"url": "https://sms.example/send", "api_key": "k", "webhook_secret": SECRET},
    "sender_ids": ["Hotline", "+8610123456"],
    "templates": TEMPLATES,
}


def test_settings_parse_and_name_the_bad_field() -> None:
    config = parse_config(GOOD)
    assert config.default_sender == "Hotline"
    assert "退订" in config.opt_out_words
    cases = [
        ({**GOOD, "provider": "carrier-pigeon"}, "sms.provider.unknown", "provider"),
        ({**GOOD, "http": {**GOOD["http"], "url": "ftp://x"}}, "sms.provider.url", "http.url"),
        ({**GOOD, "provider": "smpp"}, "sms.provider.smpp", "smpp"),
        ({**GOOD, "sender_ids": []}, "sms.sender.unknown", "sender_ids"),
        ({**GOOD, "templates": {"x": {"fr": "Bonjour"}}}, "sms.language.unknown", "templates.x"),
        ({**GOOD, "templates": {"x": {"en": "Hi {0}"}}}, "sms.template.invalid", "text"),
        ({**GOOD, "opt_out_words": [""]}, "sms.optout.word", "opt_out_words"),
        ({**GOOD, "opt_out_words": []}, "sms.optout.word", "opt_out_words"),
    ]
    for raw, code, field in cases:
        with pytest.raises(SmsInvalid) as caught:
            parse_config(raw)
        assert (caught.value.code, caught.value.details["field"]) == (code, field), raw


def test_receipts_from_text_and_from_tlvs() -> None:
    text = (
        b"id:smsc-7 sub:001 dlvr:001 submit date:2612070000 done date:2612070001"
        b" stat:DELIVRD err:000 text:"
    )
    pdu = decode(encode("deliver_sm", 5, esm_class=0x04, short_message=text))
    receipt = receipt_of(pdu, 10.0)
    assert receipt is not None
    assert (receipt.provider_id, receipt.status, receipt.error) == (
        "smsc-7",
        SmsStatus.DELIVERED,
        None,
    )
    failed = decode(
        encode(
            "deliver_sm",
            6,
            esm_class=0x04,
            short_message=text.replace(b"DELIVRD", b"UNDELIV").replace(b"err:000", b"err:034"),
        )
    )
    receipt = receipt_of(failed, 10.0)
    assert receipt is not None
    assert (receipt.status, receipt.error) == (SmsStatus.FAILED, "err:034")
    assert (
        receipt_of(decode(encode("deliver_sm", 7, esm_class=0x04, short_message=b"hello")), 1.0)
        is None
    )


def test_addresses() -> None:
    assert address_of("+8613800000000") == {"ton": 1, "npi": 1, "addr": "8613800000000"}
    assert address_of("10086") == {"ton": 0, "npi": 1, "addr": "10086"}
    assert address_of("Hotline") == {"ton": 5, "npi": 0, "addr": "Hotline"}


def test_submit_sm_pdus_of_a_long_chinese_message_match_the_golden_file() -> None:
    layout = split(LONG_CHINESE, reference=0x2A)
    pdus = [
        encode(
            "submit_sm",
            100 + i,
            source_addr_ton=5,
            source_addr_npi=0,
            source_addr="Hotline",
            dest_addr_ton=1,
            dest_addr_npi=1,
            destination_addr="8613800000000",
            esm_class=part.esm_class,
            data_coding=layout.data_coding,
            registered_delivery=1,
            short_message=part.short_message,
        )
        for i, part in enumerate(layout.parts)
    ]
    golden = (DATA / "long-chinese-submit_sm.hex").read_text().split()
    assert [p.hex() for p in pdus] == golden
    for raw in pdus:  # and they read back to the same fields
        pdu = decode(raw)
        assert pdu.get("data_coding") == 8
        assert pdu.get("destination_addr") == "8613800000000"
        assert encode("submit_sm", pdu.sequence, **{k: v for k, v in pdu.fields.items()
                                                     if k != "sm_length"}) == raw  # fmt: skip


def _signed(
    body: dict[str, object], *, secret: str = SECRET, at: int = 1000
) -> tuple[dict[str, str], bytes]:
    raw = json.dumps(body).encode()
    return {"x-hotline-signature": sign(secret, at, raw), "x-hotline-timestamp": str(at)}, raw


def test_webhooks_check_the_signature_before_reading() -> None:
    headers, raw = _signed({"id": "p1", "from": "+8613800000000", "to": "10690", "text": "你好"})
    sms = parse_inbound(SECRET, headers, raw, now=1001.0)
    assert (sms.sender, sms.text, sms.provider_ids) == ("+8613800000000", "你好", ("p1",))
    bad_headers, _ = _signed({"x": 1}, secret="t" * 32)
    with pytest.raises(SmsSignatureInvalid):
        parse_inbound(SECRET, bad_headers, raw, now=1001.0)
    with pytest.raises(SmsSignatureInvalid):
        parse_inbound(SECRET, {}, raw, now=1001.0)
    with pytest.raises(SmsSignatureInvalid):  # too old: a replay
        parse_inbound(SECRET, headers, raw, now=5000.0)
    headers, raw = _signed({"id": "p1", "status": "DELIVERED"})
    assert parse_receipt(SECRET, headers, raw, now=1000.0).status is SmsStatus.DELIVERED
    headers, raw = _signed({"id": "p1", "status": "lost-in-space"})
    with pytest.raises(SmsEncodingError):
        parse_receipt(SECRET, headers, raw, now=1000.0)

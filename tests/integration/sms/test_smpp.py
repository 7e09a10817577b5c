"""The SMPP provider against the SMSC double on loopback: bind, submit_sm (a long Chinese
message arrives joined), deliver_sm inbound (parts joined) and receipts, enquire_link both
ways, reconnect after the SMSC drops the link."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from hotline.channels.sms.encoding import split
from hotline.channels.sms.errors import SmsProviderError
from hotline.channels.sms.model import DeliveryReceipt, InboundSms, OutboundSms, SmsStatus
from hotline.channels.sms.settings import SmppProviderConfig
from hotline.channels.sms.smpp import SmppProvider
from hotline.egress import EgressPolicy
from tests.smsc import Smsc
from tests.unit.channels.test_sms_encoding import LONG_CHINESE


class Recorder:
    def __init__(self) -> None:
        self.messages: list[InboundSms] = []
        self.receipts: list[DeliveryReceipt] = []
        self.changed = asyncio.Event()

    async def inbound(self, sms: InboundSms) -> None:
        self.messages.append(sms)
        self.changed.set()

    async def receipt(self, receipt: DeliveryReceipt) -> None:
        self.receipts.append(receipt)
        self.changed.set()

    async def until(self, predicate: object) -> None:
        async with asyncio.timeout(10):
            while not predicate():  # type: ignore[operator]
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def smsc() -> AsyncIterator[Smsc]:
    server = await Smsc().start()
    yield server
    await server.stop()


def _provider(smsc: Smsc, events: Recorder, **overrides: object) -> SmppProvider:
    config = SmppProviderConfig.model_validate(
        {
            "host": "127.0.0.1",
            "port": smsc.port,
            "system_id": "hotline",
            "password": "secret",
            "reconnect_s": 0.05,
            **overrides,
        }
    )
    return SmppProvider(config, events, now=time.time, response_timeout_s=5)


async def test_a_long_chinese_message_reaches_the_smsc_joined_and_its_receipts_come_back(
    smsc: Smsc,
) -> None:
    events = Recorder()
    provider = _provider(smsc, events)
    try:
        result = await provider.send(
            OutboundSms(to="+8613800000000", sender="Hotline", text=LONG_CHINESE, reference=7)
        )
        assert result.parts == 2
        assert result.encoding == "ucs2"
        assert result.provider_ids == ("smsc-1", "smsc-2")
        assert smsc.joined() == [LONG_CHINESE]
        first = smsc.submitted[0].pdu
        assert first.get("destination_addr") == "8613800000000"
        assert first.get("dest_addr_ton") == 1
        assert first.get("source_addr") == "Hotline"
        assert first.get("source_addr_ton") == 5
        assert first.get("registered_delivery") == 1
        await events.until(lambda: len(events.receipts) == 2)
        assert {r.provider_id for r in events.receipts} == {"smsc-1", "smsc-2"}
        assert {r.status for r in events.receipts} == {SmsStatus.DELIVERED}
    finally:
        await provider.close()


async def test_inbound_parts_are_joined_and_acknowledged(smsc: Smsc) -> None:
    events = Recorder()
    provider = _provider(smsc, events)
    try:
        await provider.wait_bound(5)
        text = "我想查询一下我的订单状态。" * 8
        layout = split(text, reference=99)
        answers = await smsc.deliver(
            "+8613911112222",
            "10690",
            [(p.short_message, p.esm_class, layout.data_coding) for p in layout.parts],
        )
        assert [a.status for a in answers] == [0] * len(layout.parts)
        assert len(events.messages) == 1
        sms = events.messages[0]
        assert (sms.sender, sms.recipient, sms.text) == ("+8613911112222", "10690", text)
        assert sms.parts == len(layout.parts) == len(sms.provider_ids)
        answers = await smsc.deliver("+8613911112222", "10690", [(b"STOP", 0, 0)])
        assert events.messages[-1].text == "STOP"
    finally:
        await provider.close()


async def test_enquire_link_both_ways(smsc: Smsc) -> None:
    events = Recorder()
    provider = _provider(smsc, events, enquire_link_s=0.05)
    try:
        await provider.wait_bound(5)
        await smsc.wait(lambda: smsc.enquire_links >= 2)
        answer = await smsc.enquire()
        assert answer.command == "enquire_link_resp"
    finally:
        await provider.close()


async def test_the_provider_binds_again_after_the_smsc_drops_the_link(smsc: Smsc) -> None:
    events = Recorder()
    provider = _provider(smsc, events)
    try:
        await provider.wait_bound(5)
        smsc.drop_links()
        await smsc.wait(lambda: smsc.binds >= 2)
        await provider.wait_bound(5)
        result = await provider.send(OutboundSms(to="+8613800000000", sender="Hotline", text="hi"))
        assert result.provider_ids == ("smsc-1",)
        assert smsc.joined() == ["hi"]
        assert provider.binds >= 2
    finally:
        await provider.close()


async def test_a_wrong_password_is_not_bound_and_sending_says_so(smsc: Smsc) -> None:
    events = Recorder()
    provider = _provider(smsc, events, password="wrong")
    try:
        with pytest.raises(SmsProviderError) as caught:
            await provider.send(OutboundSms(to="+8613800000000", sender="Hotline", text="hi"))
        assert caught.value.retry
        assert smsc.submitted == []
    finally:
        await provider.close()


async def test_the_egress_guard_decides_which_smsc_may_be_reached(smsc: Smsc) -> None:
    config = SmppProviderConfig.model_validate(
        {
            "host": "127.0.0.1",
            "port": smsc.port,
            "system_id": "hotline",
            "password": "secret",
            "reconnect_s": 0.05,
        }
    )
    refused = SmppProvider(
        config, Recorder(), now=time.time, response_timeout_s=0.5, policy=EgressPolicy.of([])
    )
    try:
        with pytest.raises(SmsProviderError):
            await refused.send(OutboundSms(to="+8613800000000", sender="Hotline", text="hi"))
        assert smsc.binds == 0
    finally:
        await refused.close()
    allowed = SmppProvider(
        config, Recorder(), now=time.time, policy=EgressPolicy.of(["127.0.0.0/8"])
    )
    try:
        result = await allowed.send(OutboundSms(to="+8613800000000", sender="Hotline", text="hi"))
        assert result.provider_ids == ("smsc-1",)
    finally:
        await allowed.close()

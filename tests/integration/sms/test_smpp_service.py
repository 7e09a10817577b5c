"""SMS over SMPP through the service, on both databases: a center's settings bind a session to
the SMSC double; a long Chinese message sent splits into UCS-2 parts, arrives joined and is
delivered (receipts per part); inbound messages over deliver_sm are stored before they are
acknowledged and reach the inbox joined; TD opts the sender out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from hotline.channels.sms import InMemorySmsInbox, SmsOptedOut
from hotline.channels.sms.encoding import split
from hotline.store.sms_tables import sms_parts
from hotline.store.tables import tenants
from tests.integration.api.conftest import Api
from tests.smsc import Smsc
from tests.unit.channels.test_sms_encoding import LONG_CHINESE

CUSTOMER = "+8613911112222"


@pytest.fixture
async def smsc() -> AsyncIterator[Smsc]:
    server = await Smsc().start()
    yield server
    await server.stop()


async def test_send_receive_receipts_and_opt_out_over_smpp(sms_api: Api, smsc: Smsc) -> None:
    services = sms_api.services
    async with services.uow(write=False) as uow:
        tenant = str(await uow.conn.scalar(select(tenants.c.id).where(tenants.c.slug == "demo")))
    inbox = InMemorySmsInbox()
    services.sms.inbox = inbox
    await services.sms.save_config(
        tenant,
        {
            "provider": "smpp",
            "smpp": {"host": "127.0.0.1", "port": smsc.port, "system_id": "hotline",
                     "password": "secret"},
            "sender_ids": ["10690123"],
        },
    )  # fmt: skip
    await smsc.wait(lambda: smsc.binds == 1)

    sent = await services.sms.send(tenant, CUSTOMER, text=LONG_CHINESE, purpose="message")
    assert (sent["status"], sent["parts"], sent["encoding"]) == ("sent", 2, "ucs2")
    assert smsc.joined() == [LONG_CHINESE]
    await smsc.wait(lambda: smsc.receipts_acknowledged == 2)  # answered once applied
    assert (await services.sms.messages(tenant))[0]["status"] == "delivered"
    async with services.uow(write=False) as uow:
        parts = (await uow.conn.execute(select(sms_parts.c.provider_id, sms_parts.c.status))).all()
    assert sorted(parts) == [("smsc-1", "delivered"), ("smsc-2", "delivered")]

    text = "请问我的退款什么时候到账？订单号是 2612070001，谢谢。" * 4
    layout = split(text, reference=200)
    answers = await smsc.deliver(
        CUSTOMER, "10690123", [(p.short_message, p.esm_class, 8) for p in layout.parts]
    )
    assert [a.status for a in answers] == [0] * len(layout.parts)  # acknowledged once stored
    assert [(s.sender, s.text, s.parts) for _, s in inbox.received] == [
        (CUSTOMER, text, len(layout.parts))
    ]
    stored = await services.sms.messages(tenant, number=CUSTOMER)
    assert stored[0]["direction"] == "in"
    assert stored[0]["text"] == text

    await smsc.deliver(CUSTOMER, "10690123", [(b"TD", 0, 0)])
    with pytest.raises(SmsOptedOut):
        await services.sms.send(tenant, CUSTOMER, text="hi", purpose="message")
    assert len(smsc.submitted) == 2

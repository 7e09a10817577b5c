"""Preview dialing over the database: the agent takes the next record (their callback
first), sees the opening with merge fields, finishes with an outcome and the script's answers
(saved into the record, all or nothing), skips, and a lapsed lease gives the record back."""

from __future__ import annotations

import pytest

from hotline.clock import FakeClock
from hotline.dialer.errors import DialerError
from hotline.dialer.model import Campaign, CampaignStatus, DialMode, RecordStatus
from hotline.dialer.outcomes import Outcome
from hotline.dialer.preview import LEASE_S, PreviewDesk
from hotline.ids import new_id
from hotline.store.dialer_repo import SqlCallListRecords, SqlDialerStore
from tests.integration.imports.conftest import Env

SCRIPT = {
    "opening_zh": "您好，{name}！",
    "opening_en": "Hello {name}!",
    "questions": [
        {"key": "renew", "text_zh": "续费吗？", "text_en": "Renew?", "type": "choice",
         "choices": ["yes", "no"], "next": {"no": None}, "required": True},
        {"key": "months", "text_zh": "几个月？", "text_en": "Months?", "type": "number"},
    ],
}  # fmt: skip


async def test_preview_take_finish_skip_and_lease(env: Env) -> None:
    clock = FakeClock(1_796_000_000.0)  # a Monday, 09:33 in Shanghai
    now = clock.now()
    campaign = Campaign(id=new_id(now), tenant_id=env.tenant_id, name="预览", queue_id="sales",
                        mode=DialMode.PREVIEW, script=SCRIPT)  # fmt: skip
    async with env.services.uow() as uow:
        lists = SqlCallListRecords(uow.conn, tenant_id=env.tenant_id, now=now)
        await lists.add([
            {"list": "A", "phone": "+8613800138001", "name": "王一", "custom.gender": "男"},
            {"list": "A", "phone": "+8613800138002", "name": "李二"},
            {"list": "A", "phone": "+8613800138003", "name": "张三"},
        ])  # fmt: skip
        store = SqlDialerStore(uow.conn, env.tenant_id)
        await store.add_campaign(campaign, now)
        list_id = await store.list_id("A", now)
        assert list_id is not None
        await store.attach_list(campaign.id, list_id, now)
        await uow.commit()

    async with env.services.uow() as uow:
        desk = PreviewDesk(SqlDialerStore(uow.conn, env.tenant_id), clock,
                           default_zone="Asia/Shanghai")  # fmt: skip
        with pytest.raises(DialerError):  # a draft campaign is not worked
            await desk.take(campaign.id, "a1", "zh-CN")
        await SqlDialerStore(uow.conn, env.tenant_id).set_status(
            campaign.id, CampaignStatus.RUNNING, now
        )
        card = await desk.take(campaign.id, "a1", "zh-CN")
        assert card is not None
        assert card.opening == "您好，王一！"
        assert [q.key for q in card.questions] == ["renew"]
        first = card.record
        with pytest.raises(DialerError) as caught:  # bad answers: nothing saved
            await desk.finish(first.id, "a1", outcome=Outcome.CONNECTED,
                              answers={"renew": "yes", "months": "a year"})  # fmt: skip
        assert caught.value.details["field"] == "answers.months"
        with pytest.raises(DialerError):
            await desk.finish(first.id, "a2", outcome=Outcome.CONNECTED)
        with pytest.raises(DialerError) as caught:  # talked, and the required one unanswered
            await desk.finish(first.id, "a1", outcome=Outcome.CONNECTED)
        assert caught.value.details["field"] == "answers.renew"
        done = await desk.finish(first.id, "a1", outcome=Outcome.CONNECTED,
                                 answers={"renew": "yes", "months": "12"})  # fmt: skip
        assert done.status is RecordStatus.DONE
        assert done.fields == {"name": "王一", "gender": "男", "renew": "yes", "months": 12}

        second = await desk.take(campaign.id, "a1", "en")
        assert second is not None
        assert second.opening == "Hello 李二!"
        # The callee asks to be called back in an hour, by this agent.
        await desk.finish(second.record.id, "a1", outcome=Outcome.CONNECTED,
                          answers={"renew": "no"}, callback_at=now + 3600)  # fmt: skip
        third = await desk.take(campaign.id, "a2", "en")
        assert third is not None
        assert third.record.phone == "+8613800138003"
        await desk.skip(third.record.id, "a2")
        await uow.commit()

    clock.advance(3600)
    async with env.services.uow() as uow:
        store = SqlDialerStore(uow.conn, env.tenant_id)
        desk = PreviewDesk(store, clock, default_zone="Asia/Shanghai")
        # a2 does not get a1's callback; a1 gets it before anything else.
        other = await desk.take(campaign.id, "a2", "en")
        assert other is not None
        assert other.record.phone == "+8613800138003"
        mine = await desk.take(campaign.id, "a1", "zh-CN")
        assert mine is not None
        assert mine.record.phone == "+8613800138002"
        assert mine.record.fields["renew"] == "no"
        assert await desk.take(campaign.id, "a1", "zh-CN") is None
        clock.advance(LEASE_S)
        assert await desk.release_stale(campaign.id) == 2
        again = await desk.take(campaign.id, "a1", "zh-CN")
        assert again is not None
        await uow.commit()

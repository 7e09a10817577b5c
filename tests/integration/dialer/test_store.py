"""Call lists through the import pipeline's `call_lists` target, campaigns with several lists
in order, do-not-call numbers and duplicates kept out, due records, outcomes written back and
the campaign's figures — on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.dialer.errors import DialerError, ListAlreadyAttached
from hotline.dialer.figures import Attempt
from hotline.dialer.model import Campaign, CampaignStatus, DialMode, ListOrder, RecordStatus
from hotline.dialer.outcomes import Outcome, RetryPolicy
from hotline.ids import new_id
from hotline.imports.service import Actor
from hotline.store.dialer_repo import SqlDialerStore
from hotline.store.import_targets import import_service
from tests.integration.imports.conftest import Env

ROWS = [
    "名单,手机,姓名,优先级,时区,性别",
    "续费,138 0013 8001,王一,5,,男",
    "续费,13800138002,李二,1,America/New_York,女",
    "续费,13800138002,李二,1,,",  # the same number again in the list: folded
    "续费,13800138003,张三,9,,",
    "续费,12345,坏号,,,",  # not a number: reported, not imported
    "续费,13800138004,赵四,,Mars/Base,",  # not a zone
    "新客,13800138003,张三,,,",  # also in 续费: one record in a campaign with both
    "新客,13800138005,陈五,,,",
    "新客,13800138006,刘六,,,",
]


async def import_lists(env: Env, tmp_path: Path) -> dict[str, int]:
    path = tmp_path / "lists.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    async with env.services.uow() as uow:
        service = import_service(
            uow.conn, tenant_id=env.tenant_id, runner=env.services.imports,
            clock=env.services.clock, actor=Actor(None, "tester"),
        )  # fmt: skip
        with path.open("rb") as f:
            row = await service.create("call_lists", path.name, f)
        await uow.commit()
    assert row["mapping"] == {"0": "list", "1": "phone", "2": "name", "3": "priority",
                              "4": "time_zone", "5": "custom.gender"}  # fmt: skip
    await env.configure(row["id"], on_errors="skip")
    counts = await env.run(row["id"], "commit")
    problems = {(p["row"], p["column"], p["code"]) for p in await env.problems(row["id"])}
    assert problems == {(6, "手机", "phone.invalid"), (7, "时区", "call_list.zone")}
    return counts.as_dict()


async def test_lists_campaign_hygiene_and_retries(env: Env, tmp_path: Path) -> None:
    counts = await import_lists(env, tmp_path)
    assert (counts["new"], counts["invalid"], counts["duplicates"]) == (6, 2, 1)
    clock = env.services.clock
    now = clock.now()
    campaign = Campaign(id=new_id(now), tenant_id=env.tenant_id, name="续费外呼",
                        mode=DialMode.PREDICTIVE, queue_id="sales")  # fmt: skip
    async with env.services.uow() as uow:
        store = SqlDialerStore(uow.conn, env.tenant_id)
        await store.add_campaign(campaign, now)
        with pytest.raises(DialerError):
            await store.add_campaign(campaign, now)
        lists = {item["name"]: item for item in await store.lists()}
        assert {k: v["entries"] for k, v in lists.items()} == {"续费": 3, "新客": 3}
        assert await store.add_dnc("+86 138 0013 8005", now) == "+8613800138005"
        await store.add_dnc("+8613800138001", now, campaign_id=campaign.id, reason="asked")
        new = await store.attach_list(campaign.id, lists["新客"]["id"], now)
        assert (new.added, new.dnc, new.duplicates) == (2, 1, 0)
        renew = await store.attach_list(
            campaign.id, lists["续费"]["id"], now, position=0, order=ListOrder.PRIORITY
        )
        assert (renew.added, renew.dnc, renew.duplicates) == (1, 1, 1)  # …8003 is in 新客
        with pytest.raises(ListAlreadyAttached):
            await store.attach_list(campaign.id, lists["续费"]["id"], now)
        await store.set_status(campaign.id, CampaignStatus.RUNNING, now)
        await uow.commit()

    async with env.services.uow() as uow:
        store = SqlDialerStore(uow.conn, env.tenant_id)
        assert (await store.campaign(campaign.id)).status is CampaignStatus.RUNNING
        due = await store.due(campaign.id, now, 10)
        assert [r.phone for r in due] == ["+8613800138002", "+8613800138003", "+8613800138006"]
        assert due[0].time_zone == "America/New_York"
        assert due[0].fields == {"name": "李二", "gender": "女"}
        policy = RetryPolicy()
        busy, dead, reached = due
        policy.apply(busy, Outcome.BUSY, now)
        policy.apply(dead, Outcome.INVALID, now, cause=None)
        policy.apply(reached, Outcome.CONNECTED, now)
        for r in due:
            await store.save(r, now)
        await store.add_attempt(campaign.id, busy.id, Attempt(now, Outcome.BUSY))
        await store.add_attempt(campaign.id, dead.id, Attempt(now, Outcome.INVALID))
        await store.add_attempt(
            campaign.id, reached.id, Attempt(now + 1, Outcome.CONNECTED, now, 120.0)
        )
        # A number put on the tenant's list later leaves the campaign at once.
        await store.add_dnc("+8613800138002", now)
        await uow.commit()

    async with env.services.uow() as uow:
        store = SqlDialerStore(uow.conn, env.tenant_id)
        assert await store.due(campaign.id, now + 3600, 10) == []
        figures = (await store.figures(campaign, now + 2)).as_dict()
        assert figures["by_status"] == {"dnc": 3, "invalid": 1, "done": 1}
        assert figures["by_outcome"] == {"busy": 1, "invalid": 1, "connected": 1}
        assert (figures["dials"], figures["connects"], figures["answered"]) == (3, 1, 1)
        assert figures["penetration"] == 1.0
        assert [a.outcome for a in await store.attempts(campaign.id, now)] == [Outcome.CONNECTED]
        await store.count_dial("+861010000001", "2026-12-07")
        await store.count_dial("+861010000001", "2026-12-07")
        assert await store.dials_on("2026-12-07") == {"+861010000001": 2}
        assert RecordStatus.DNC.value == "dnc"

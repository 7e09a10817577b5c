"""The e-mailed report carries the outbound campaigns section (issue 24, ADR 0208): a daily
subscription of the center's admin gets yesterday's campaigns that dialed — in the text, as a
second XLSX sheet and in the printed PDF, with the report screen's words and figures (the
day's talk occupancy, the list's penetration by the day's end); a campaign that dialed on
another day is not there, and an agent's own report has no campaigns. Mail goes to a local
SMTP server on loopback; SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.analytics.reports.service import Viewer
from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.config import Settings
from hotline.dialer.figures import STAFFED_SLICE_S, Attempt
from hotline.dialer.model import Campaign, DialMode, RecordStatus
from hotline.dialer.outcomes import Outcome
from hotline.ids import new_id
from hotline.jobs import JobHost, JobHostSettings, SmtpTarget
from hotline.reporting import DELIVER_KIND, ReportDelivery, delivery_cron, delivery_payload
from hotline.store.dialer_repo import SqlDialerStore
from hotline.store.dialer_tables import dialer_records
from hotline.store.tables import tenants
from hotline.web.i18n import Catalogs
from hotline.web.report_print import report_printer
from hotline.web.vendor import default_vendor_dir
from tests.conftest import require_tool
from tests.integration.jobs.test_report_delivery import Sink
from tests.pdf_reading import pdf_text
from tests.unit.reports.test_golden_day import THURSDAY

TENANT = "t1"
WEDNESDAY = THURSDAY - 86_400  # 2026-11-25 00:00 in Shanghai, the day the mail reports


async def _seed(engine: AsyncEngine) -> None:
    """续费 dialed on Wednesday (two persons talked 120 s and 60 s, one abandoned, one busy)
    with 1,200 staffed agent-seconds; 回访 dialed only on Tuesday."""
    async with engine.begin() as conn:
        await conn.execute(
            insert(tenants).values(
                id=TENANT, slug="t", name="t", language="zh-CN", timezone="Asia/Shanghai",
                region="CN", sip_domain="t.test", created_at=0.0, updated_at=0.0,
            )
        )  # fmt: skip
        store = SqlDialerStore(conn, TENANT)
        renew = Campaign(id=new_id(WEDNESDAY), tenant_id=TENANT, name="续费",
                         mode=DialMode.PREDICTIVE, queue_id="sales")  # fmt: skip
        visit = Campaign(id=new_id(WEDNESDAY + 1), tenant_id=TENANT, name="回访",
                         mode=DialMode.PROGRESSIVE, queue_id="sales")  # fmt: skip
        for campaign in (renew, visit):
            await store.add_campaign(campaign, WEDNESDAY - 7 * 86_400)
        at = WEDNESDAY + 10 * 3600
        for record_id, attempt in (
            ("r1", Attempt(at + 100, Outcome.CONNECTED, at + 40, 120.0, True, True)),
            ("r2", Attempt(at + 200, Outcome.CONNECTED, at + 150, 60.0, True, False)),
            ("r3", Attempt(at + 300, Outcome.ABANDONED, at + 295)),
            ("r4", Attempt(at + 400, Outcome.BUSY)),
        ):
            await store.add_attempt(renew.id, record_id, attempt)
        await store.add_attempt(visit.id, "v1", Attempt(WEDNESDAY - 3600, Outcome.CONNECTED,
                                                        WEDNESDAY - 3700, 90.0))  # fmt: skip
        for n in range(1, 9):  # 8 records, r1…r4 dialed: penetration 50 %
            await conn.execute(
                insert(dialer_records).values(
                    id=f"r{n}", tenant_id=TENANT, campaign_id=renew.id, list_id="l",
                    phone=f"+8613800138{n:03d}", fields={}, priority=0,
                    status=str(RecordStatus.PENDING), attempts=0, next_at=0.0, outcomes={},
                    created_at=WEDNESDAY - 86_400, updated_at=WEDNESDAY - 86_400,
                )
            )  # fmt: skip
        slot = at - at % STAFFED_SLICE_S
        await store.add_staffed(renew.id, {slot: 700.0, slot + STAFFED_SLICE_S: 500.0})


async def _deliver(
    engine: AsyncEngine, sink: Sink, viewer: Viewer, language: str, *, printed: bool,
    by: str = "queue",
) -> None:  # fmt: skip
    clock = FakeClock(THURSDAY + 7 * 3600 + 59 * 60)  # Thursday 07:59 in Shanghai
    host = JobHost(engine, EventBus(), clock, JobHostSettings(node_id="test"))
    target = SmtpTarget(host="127.0.0.1", port=sink.port, sender="reports@hotline.test")
    reports = Settings().reports
    printer = (
        report_printer(default_vendor_dir(), reports.chromium, timeout_s=120.0) if printed else None
    )
    host.register(DELIVER_KIND, ReportDelivery(target, Catalogs().gettext, printer))
    payload = delivery_payload(
        period="day", by=by, to=["boss@example.com"], language=language, viewer=viewer
    )
    async with engine.begin() as conn:
        await host.schedule_recurring(
            conn, DELIVER_KIND, cron=delivery_cron("day", "08:00"), timezone="Asia/Shanghai",
            key=f"report:{viewer.user_id}", tenant_id=TENANT, payload=payload,
        )  # fmt: skip
    clock.advance(60)
    assert await host.run_due() == 1


async def test_the_mailed_report_has_the_days_campaigns(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    require_tool("chromium")
    await _seed(engine)
    sink = Sink()
    sink.controller.start()
    try:
        boss = Viewer(TENANT, "boss", frozenset({"admin"}))
        await _deliver(engine, sink, boss, "zh-CN", printed=True)
        lead = Viewer(TENANT, "lead", frozenset({"supervisor"}))
        await _deliver(engine, sink, lead, "en", printed=False)
        agent = Viewer(TENANT, "a1", frozenset({"agent"}), "agent-1")
        await _deliver(engine, sink, agent, "en", printed=False, by="agent")
    finally:
        sink.controller.stop()

    zh, en, own = sink.messages
    body = zh.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    section = text[text.index("\n外呼活动\n") :]
    for line in ("外呼活动: 续费", "拨打次数: 4", "接通: 2", "放弃率（本周期）: 33.3%",
                 "坐席通话占用率（本周期）: 15.0%", "名单渗透率（截至周期末）: 50.0%"):  # fmt: skip
        assert f"\n{line}" in section or f"\n  {line}" in section, line
    assert "回访" not in text  # it dialed on Tuesday only
    sheet, printed = list(zh.iter_attachments())
    book = openpyxl.load_workbook(io.BytesIO(sheet.get_content()))
    assert book.sheetnames == ["2026-11-25", "外呼活动"]
    rows = list(book["外呼活动"].iter_rows(values_only=True))
    assert rows[0][:2] == ("统计周期", "2026-11-25")
    assert rows[1][0] == "外呼活动"
    assert rows[1][-2:] == ("坐席通话占用率（本周期）", "名单渗透率（截至周期末）")
    assert rows[2][:3] == ("续费", 4, 2)
    assert rows[2][-2:] == (180 / 1200, 0.5)
    pdf = tmp_path / "mailed.pdf"
    pdf.write_bytes(printed.get_content())
    words = pdf_text(pdf)
    for word in ("外呼活动", "续费", "33.3%", "15.0%", "50.0%"):
        assert word in words, word
    assert "回访" not in words

    body = en.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    for line in ("Campaign: 续费", "  Agent talk occupancy (period): 15.0%",
                 "  List penetration (at the period's end): 50.0%"):  # fmt: skip
        assert f"\n{line}\n" in text, line
    (sheet,) = list(en.iter_attachments())
    assert openpyxl.load_workbook(io.BytesIO(sheet.get_content())).sheetnames[1] == (
        "Outbound campaigns"
    )

    body = own.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Outbound campaigns" not in body.get_content()
    (sheet,) = list(own.iter_attachments())
    assert len(openpyxl.load_workbook(io.BytesIO(sheet.get_content())).sheetnames) == 1

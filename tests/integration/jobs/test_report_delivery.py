"""Scheduled delivery (issue 16): a daily report subscription fires at 08:00 in the tenant's
time zone on the job host and yesterday's report (the golden day) arrives at a local SMTP
sink, in Chinese, with the targets met or missed, the XLSX and the PDF (printed by headless
Chromium, read back with pdftotext and pdfimages) attached."""

from __future__ import annotations

import io
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.analytics.reports.service import Viewer
from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.config import Settings
from hotline.jobs import JobHost, JobHostSettings, SmtpTarget
from hotline.reporting import DELIVER_KIND, ReportDelivery, delivery_cron, delivery_payload
from hotline.store.report_rollup import ReportRollup
from hotline.store.tables import mail_log, tenants
from hotline.web.i18n import Catalogs
from hotline.web.report_print import report_printer, shown
from hotline.web.vendor import default_vendor_dir
from tests.conftest import require_tool
from tests.integration.store.test_report_rollup import TENANT, write_day
from tests.pdf_reading import pdf_images, pdf_text
from tests.server import free_port
from tests.unit.reports.test_golden_day import THURSDAY


class Sink:
    """An SMTP server on loopback that keeps every message it is handed."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


async def test_the_daily_report_arrives_at_eight(engine: AsyncEngine, tmp_path: Path) -> None:
    require_tool("chromium")
    async with engine.begin() as conn:
        await conn.execute(
            insert(tenants).values(
                id=TENANT, slug="t", name="t", language="zh-CN", timezone="Asia/Shanghai",
                region="CN", sip_domain="t.test", created_at=0.0, updated_at=0.0,
            )
        )  # fmt: skip
    await write_day(engine, tmp_path)
    await ReportRollup(engine).catch_up(TENANT)

    sink = Sink()
    sink.controller.start()
    try:
        clock = FakeClock(THURSDAY + 7 * 3600 + 59 * 60)  # Thursday 07:59 in Shanghai
        host = JobHost(engine, EventBus(), clock, JobHostSettings(node_id="test"))
        target = SmtpTarget(host="127.0.0.1", port=sink.port, sender="reports@hotline.test")
        reports = Settings().reports
        printer = report_printer(default_vendor_dir(), reports.chromium, timeout_s=120.0)
        host.register(DELIVER_KIND, ReportDelivery(target, Catalogs().gettext, printer))
        viewer = Viewer(TENANT, "boss", frozenset({"admin"}))
        payload = delivery_payload(
            period="day", by="queue", to=["boss@example.com"], language="zh-CN", viewer=viewer
        )
        async with engine.begin() as conn:
            await host.schedule_recurring(
                conn, DELIVER_KIND, cron=delivery_cron("day", "08:00"), timezone="Asia/Shanghai",
                key="report:daily", tenant_id=TENANT, payload=payload,
            )  # fmt: skip
        assert await host.run_due() == 0
        clock.advance(60)
        assert await host.run_due() == 1
    finally:
        sink.controller.stop()

    (message,) = sink.messages
    assert message["Subject"] == "日报 2026-11-25"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "技能组: support" in text
    assert "接通率: 0.8378  (未达标 0.85)" in text
    assert "平均应答速度（秒）: 15.1  (达标 20.0)" in text
    attachment, printed = list(message.iter_attachments())
    assert attachment.get_filename() == "report-queue-2026-11-25.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(attachment.get_content())).active
    assert sheet is not None
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["support"][2] == 40  # offered
    assert (printed.get_content_type(), printed.get_filename()) == (
        "application/pdf", "report-queue-2026-11-25.pdf",
    )  # fmt: skip
    pdf = tmp_path / "mailed.pdf"
    pdf.write_bytes(printed.get_content())
    text = pdf_text(pdf)
    for heading in ("日报", "关键指标", "按技能组", "来电原因前十"):
        assert heading in text, heading
    assert shown(round(31 / 37, 4), "rate") in text  # support's answer rate, 83.8%
    assert "未达标" in text
    assert len(pdf_images(pdf)) == 3  # its charts
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(mail_log)) == 1

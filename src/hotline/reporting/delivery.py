"""Scheduled delivery (issue 16): subscribers get the daily, weekly or monthly report by
e-mail at a set local time. A subscription is a recurring job of kind `reports.deliver` on the
job host (docs/jobs.md) in the tenant's time zone; its payload is the subscription. Each firing
reports the period that just ended (yesterday, last week, last month) in the language the
subscriber chose, as text with the targets met or missed, the figures as XLSX and the report
page printed as PDF with its charts (ADR 0174); for a subscriber who oversees the center, the
outbound campaigns that dialed in the period too — in the text, as a second sheet and in the
PDF, the report screen's figures and words (ADR 0208); it writes a `mail_log` row in the firing's
transaction and sends with `Message-ID` = the firing's idempotency key, as `mail.send` does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hotline.analytics.reports.errors import PdfUnavailable
from hotline.analytics.reports.periods import Period, period_of
from hotline.analytics.reports.service import ReportService, Viewer
from hotline.errors import InvalidInput
from hotline.ids import new_id
from hotline.jobs.context import JobContext
from hotline.jobs.errors import RetryLater
from hotline.jobs.mail import SmtpTarget, send_message
from hotline.reporting.campaigns import CAMPAIGN_COLUMNS, campaign_lines, campaign_report
from hotline.reporting.tables import (
    DIMENSION_LABELS,
    FIGURE_LABELS,
    Translate,
    shown,
    summary_lines,
    xlsx_bytes,
)
from hotline.store.dialer_repo import SqlDialerStore
from hotline.store.ops_tables import mail_log
from hotline.store.reports_repo import SqlReportContacts, SqlReportDirectory, SqlReportFacts
from hotline.store.tables import tenants

__all__ = [
    "DELIVER_KIND",
    "PERIODS",
    "SUBSCRIPTION_MANAGERS",
    "PrintReport",
    "ReportDelivery",
    "delivery_cron",
    "delivery_payload",
    "may_manage",
]

log = logging.getLogger(__name__)

PrintReport = Callable[[str, Mapping[str, Any]], Awaitable[bytes]]
"""(language, `ReportService.page`) → the report page printed as PDF."""

DELIVER_KIND = "reports.deliver"
PERIODS = ("day", "week", "month")
TITLES = {"day": "Daily report", "week": "Weekly report", "month": "Monthly report"}
HEADLINE = ("offered", "answered", "answer_rate", "service_level", "asa_s", "abandon_rate",
            "aht_s", "fcr", "csat")  # fmt: skip


def delivery_cron(period: str, at: str) -> str:
    """The cron of a subscription: every day, every Monday or every 1st at `at` ("HH:MM")."""
    try:
        hour, minute = (int(part) for part in at.split(":"))
    except ValueError:
        raise InvalidInput(
            "at: a time of day as HH:MM", details={"field": "at", "value": at}
        ) from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise InvalidInput("at: a time of day as HH:MM", details={"field": "at", "value": at})
    day = {"day": "* * *", "week": "* * 1", "month": "1 * *"}[period]
    return f"{minute} {hour} {day}"


def delivery_payload(
    *, period: str, by: str, to: Sequence[str], language: str, viewer: Viewer
) -> dict[str, Any]:
    """What a subscription's job carries: the report, its readers, and whose scope it has."""
    return {
        "period": period, "by": by, "to": list(to), "language": language,
        "user_id": viewer.user_id, "roles": sorted(viewer.roles), "agent_id": viewer.agent_id,
    }  # fmt: skip


SUBSCRIPTION_MANAGERS = frozenset({"admin", "supervisor"})
"""Roles that see and stop every report subscription of their center."""


def may_manage(payload: Mapping[str, Any], viewer: Viewer) -> bool:
    """Whether `viewer` sees and may stop the subscription with this payload: an admin or a
    supervisor any of her center's, anyone else only the ones she made herself (the tenant
    is checked where the job is found)."""
    if viewer.roles & SUBSCRIPTION_MANAGERS:
        return True
    return bool(viewer.user_id) and payload.get("user_id") == viewer.user_id


def finished_period(kind: str, at: float, zone: ZoneInfo) -> Period:
    """The day, week or month that ended before `at` (local)."""
    today = datetime.fromtimestamp(at, zone).date()
    before = {"day": today - timedelta(days=1), "week": today - timedelta(days=7),
              "month": today.replace(day=1) - timedelta(days=1)}[kind]  # fmt: skip
    return period_of(kind, before.isoformat(), zone)


def _value(value: Any) -> str:
    return "—" if value is None else str(value)


class ReportDelivery:
    """Handler of `reports.deliver`: `host.register(DELIVER_KIND, ReportDelivery(target, tr,
    print_report))`; without a printer (or when Chromium cannot print) the mail goes without
    its PDF and says so."""

    def __init__(
        self, target: SmtpTarget, translate: Translate, print_report: PrintReport | None = None
    ) -> None:
        self.target = target
        self.translate = translate
        self.print_report = print_report

    async def __call__(self, ctx: JobContext) -> None:
        if self.target.host is None:
            raise RetryLater(
                "未配置 SMTP 服务器 / no SMTP server is configured (smtp.host)", delay_s=3600.0
            )
        p = ctx.payload
        kind, by, language = str(p["period"]), str(p["by"]), str(p.get("language") or "zh-CN")
        to = [str(a) for a in p.get("to", [])]
        zone_name = await ctx.conn.scalar(
            select(tenants.c.timezone).where(tenants.c.id == ctx.tenant_id)
        )
        zone = ZoneInfo(str(zone_name or "Asia/Shanghai"))
        period = finished_period(kind, ctx.scheduled_at, zone)
        viewer = Viewer(ctx.tenant_id, str(p.get("user_id") or ""), frozenset(p.get("roles") or ()),
                        p.get("agent_id"))  # fmt: skip
        service = ReportService(
            SqlReportFacts(ctx.conn), SqlReportDirectory(ctx.conn), SqlReportContacts(ctx.conn),
            viewer, now=ctx.now,
        )  # fmt: skip
        page = await service.page(period, by)
        if service.overseer():  # the campaigns section, as the report screen and its PDF
            store = SqlDialerStore(ctx.conn, ctx.tenant_id)
            campaigns = await campaign_report(store, period.start, period.end)
            page = {**page, "campaigns": campaigns}
        report = page["summary"]
        outbound = {"period": period.as_dict(), "items": page.get("campaigns") or []}
        t = self.translate
        subject = f"{t(language, TITLES[kind])} {period.label}"
        loop = asyncio.get_running_loop()

        async def print_and_send() -> None:
            pdf = await self._pdf(language, page)
            message = self._message(
                report, language, subject, to, ctx.idempotency_key, pdf,
                file_name=f"report-{by}-{period.label}", sheet=period.label, outbound=outbound,
            )  # fmt: skip
            await loop.run_in_executor(None, send_message, self.target, message)

        # Printing and sending take seconds: no transaction is open meanwhile (ADR 0175). The
        # log row is written once the mail went, and commits with the firing's completion.
        await ctx.outside(print_and_send)
        await ctx.conn.execute(
            mail_log.insert().values(
                id=new_id(ctx.now), tenant_id=ctx.tenant_id, job_id=ctx.job_id,
                idempotency_key=ctx.idempotency_key, recipients=to, subject=subject,
                sent_at=ctx.now,
            )
        )  # fmt: skip

    def _message(
        self, report: dict[str, Any], language: str, subject: str, to: list[str], key: str,
        pdf: bytes | None, *, file_name: str, sheet: str, outbound: Mapping[str, Any],
    ) -> EmailMessage:  # fmt: skip
        t = self.translate
        message = EmailMessage()
        message["From"] = self.target.sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message["Message-ID"] = f"<{key}@hotline>"
        body = self._body(report, language, subject)
        campaigns = self._campaigns(outbound, language)
        if campaigns:
            body = f"{body.rstrip()}\n\n{campaigns}"
        if pdf is None and self.print_report is not None:
            body += "\n" + t(language, "The PDF could not be printed this time.")
        message.set_content(body)
        more = []
        if outbound["items"]:
            more.append((t(language, "Outbound campaigns"), campaign_lines(outbound, language, t)))
        attachment = xlsx_bytes(summary_lines(report, language, t), sheet=sheet, more=more)
        message.add_attachment(
            attachment, maintype="application",
            subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=f"{file_name}.xlsx",
        )  # fmt: skip
        if pdf is not None:
            message.add_attachment(
                pdf, maintype="application", subtype="pdf",
                filename=f"{file_name}.pdf",
            )  # fmt: skip
        return message

    async def _pdf(self, language: str, page: Mapping[str, Any]) -> bytes | None:
        if self.print_report is None:
            return None
        try:
            return await self.print_report(language, page)
        except PdfUnavailable as error:
            log.warning("scheduled report without its PDF: %s", error.details.get("reason"))
            return None

    def _body(self, report: dict[str, Any], language: str, subject: str) -> str:
        t = self.translate
        lines = [subject, ""]
        met, missed = t(language, "met"), t(language, "missed")
        for row in report["rows"]:
            lines.append(f"{t(language, DIMENSION_LABELS[report['by']])}: {row['key']}")
            for name in HEADLINE:
                verdict = row["targets"].get(name)
                mark = ""
                if verdict is not None and verdict["met"] is not None:
                    mark = f"  ({met if verdict['met'] else missed} {verdict['target']})"
                lines.append(
                    f"  {t(language, FIGURE_LABELS[name])}: {_value(row['figures'][name])}{mark}"
                )
            lines.append("")
        if report.get("fcr_provisional"):
            lines.append(t(language, "FCR is provisional: the repeat-contact window is not over."))
        return "\n".join(lines)

    def _campaigns(self, outbound: Mapping[str, Any], language: str) -> str:
        """The outbound campaigns that dialed in the period, as the printed report shows
        them (its columns, words and percentages); nothing when none did."""
        if not outbound["items"]:
            return ""
        t = self.translate
        lines = [t(language, "Outbound campaigns")]
        for item in outbound["items"]:
            lines.append(f"{t(language, 'Campaign')}: {item['name']}")
            for key, label, kind in CAMPAIGN_COLUMNS:
                lines.append(f"  {t(language, label)}: {shown(item['figures'][key], kind)}")
        return "\n".join(lines) + "\n"

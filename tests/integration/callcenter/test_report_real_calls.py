"""The reports from real calls (issue 16 acceptance, with the golden day of
tests/unit/reports): two sipp callers dial 4001 over real SIP and RTP, one hangs up after
3 s in the queue (a short abandon), the other is answered by a registered baresip agent; the
events the live system wrote are stored in the log and rolled up by the server's rollup, on
SQLite and PostgreSQL, and the day's figures are the hand-computed ones."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.analytics.reports.metrics import figures
from hotline.ids import AgentId
from hotline.store.engine import WRITE
from hotline.store.eventlog import write_events
from hotline.store.report_rollup import ReportRollup
from hotline.store.reports_repo import SqlReportFacts
from tests.data.callcenter.tones import AGENT1_HZ
from tests.integration.callcenter.phones import baresip_phone, sipp_caller
from tests.integration.callcenter.stack import AGENTS, TENANT, call_center
from tests.integration.sip.peers import free_port

pytestmark = [pytest.mark.sipp, pytest.mark.baresip]

SHORT, ANSWERED = "13800000001", "13800000002"


async def test_real_calls_give_the_hand_computed_figures(
    engine: AsyncEngine, tmp_path: Path, tts_cache: Path
) -> None:
    ports = [free_port(), free_port()]
    async with call_center(tmp_path, tts_cache, trunk_ports=ports) as center:
        extension, password = AGENTS["a1"]
        async with baresip_phone(
            tmp_path, "agent", user=extension, password=password, server_port=center.port,
            tone_hz=AGENT1_HZ,
        ):  # fmt: skip
            await center.login("a1", ready=False)
            # the first caller keys 2, waits in support and hangs up within 5 s: short
            async with sipp_caller(tmp_path, SHORT, center.port, ports[0], stay_s=3):
                await center.event("queue.abandoned", timeout=20)
                await center.event("interaction.ended", timeout=10)
            # the second is answered by a1's phone, talks, and hangs up
            async with sipp_caller(tmp_path, ANSWERED, center.port, ports[1], stay_s=8):
                await center.event("queue.entered", lambda e: len(center.of("queue.entered")) == 2)
                center.desk.set_available(AgentId("a1"))
                await center.event("queue.answered", timeout=15)
                await center.event(
                    "interaction.ended", lambda e: len(center.of("interaction.ended")) == 2,
                    timeout=30,
                )  # fmt: skip
                await center.event("agent.interaction_ended", timeout=10)
            center.desk.set_not_ready(AgentId("a1"), "break")
            await center.event(
                "agent.state_changed", lambda e: e.payload().get("reason") == "break"
            )
    played = list(center.sink.events)

    async with engine.connect() as conn:
        conn = await conn.execution_options(**WRITE)
        async with conn.begin():
            await write_events(conn, played)
    await ReportRollup(engine).catch_up(TENANT)

    zone = ZoneInfo("Asia/Shanghai")
    day = datetime.fromtimestamp(played[0].at, zone).replace(hour=0, minute=0, second=0)
    start, end = day.timestamp(), day.timestamp() + 2 * 86_400  # the calls may pass midnight
    async with engine.connect() as conn:
        facts = SqlReportFacts(conn)
        center_day = figures((await facts.totals(TENANT, "center", start, end, None))["all"])
        support = figures((await facts.totals(TENANT, "queue", start, end, None))["support"])
        agent = figures((await facts.totals(TENANT, "agent", start, end, None))["a1"])
    assert {k: center_day[k] for k in (
        "contacts", "offered", "answered", "abandoned", "short_abandoned", "answer_rate",
        "abandon_rate", "service_level", "fcr", "fcr_contacts",
    )} == {
        "contacts": 2, "offered": 2, "answered": 1, "abandoned": 1, "short_abandoned": 1,
        "answer_rate": 1.0, "abandon_rate": 0.0, "service_level": 1.0, "fcr": 1.0,
        "fcr_contacts": 1,
    }  # fmt: skip
    assert (support["offered"], support["answered"], support["short_abandoned"]) == (2, 1, 1)
    assert (agent["answered"], agent["handled"]) == (1, 1)
    assert agent["talk_s"] is not None
    assert agent["talk_s"] > 0

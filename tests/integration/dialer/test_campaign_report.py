"""The campaigns report (`/api/v1/reports/campaigns`, issue 24) over seeded dial-log rows: a
day's figures count only that day's attempts, the rolling window and the lifetime end at the
day's end, talk occupancy divides the day's agent seconds by the day's staffed slices (none:
"—"), list penetration is the list dialed by the day's end, the downloads carry the same
numbers under translated headers, and an agent may not see it."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from sqlalchemy import insert

from hotline.dialer.figures import STAFFED_SLICE_S, Attempt
from hotline.dialer.model import RecordStatus
from hotline.dialer.outcomes import Outcome
from hotline.store.dialer_repo import SqlDialerStore
from hotline.store.dialer_tables import dialer_records
from tests.conftest import require_tool
from tests.integration.api.conftest import Api
from tests.pdf_reading import pdf_text

DAY = "2026-03-10"


async def _seeded(api: Api) -> tuple[str, str]:
    """Two campaigns, one with dials the day before, on the day and the day after."""
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    made = {}
    for name, mode in (("续费", "predictive"), ("idle", "preview")):
        r = await admin.post("/api/v1/campaigns", json={"name": name, "mode": mode,
                                                         "queue_id": "sales"})  # fmt: skip
        made[name] = r.json()["id"]
    campaign, idle = made["续费"], made["idle"]
    r = await admin.patch(f"/api/v1/campaigns/{campaign}", json={"abandon_window_s": 30 * 86_400})
    assert r.status_code == 200, r.text
    params = {"period": "day", "date": DAY}
    empty = (await admin.get("/api/v1/reports/campaigns", params=params)).json()
    assert empty["items"] == []
    start, end = empty["period"]["start"], empty["period"]["end"]
    assert empty["period"]["first"] == DAY

    attempts = [
        Attempt(start - 100, Outcome.ABANDONED, start - 110),  # the day before
        Attempt(start + 100, Outcome.CONNECTED, start + 90, 120.0, True, True, "human", True, 1.5),
        Attempt(start + 200, Outcome.CONNECTED, start + 190, 60.0, True, False, "human", False,
                4.0),
        Attempt(start + 300, Outcome.ABANDONED, start + 295, 0.0, False, False, "human", True, 1.0),
        Attempt(start + 400, Outcome.MACHINE, start + 395, 0.0, False, False, "machine", True,
                2.0, True),
        Attempt(start + 500, Outcome.NO_ANSWER),
        Attempt(end + 100, Outcome.CONNECTED, end + 90, 30.0, True, True),  # the day after
    ]  # fmt: skip
    async with api.services.uow() as uow:
        store = SqlDialerStore(uow.conn, tenant)
        for i, attempt in enumerate(attempts):
            await store.add_attempt(campaign, f"rec-{i}", attempt)
        # The list: the 7 dialed, 2 never dialed, 1 on a DNC list, 1 made after the day.
        made = {f"rec-{i}": start - 1000 for i in range(10)} | {"rec-10": end + 50}
        for n, (record_id, at) in enumerate(made.items()):
            status = RecordStatus.DNC if record_id == "rec-9" else RecordStatus.PENDING
            await uow.conn.execute(
                insert(dialer_records).values(
                    id=record_id, tenant_id=tenant, campaign_id=campaign, list_id="l",
                    phone=f"+86138001380{n:02d}", fields={}, priority=0, status=str(status),
                    attempts=0, next_at=0.0, outcomes={}, created_at=at, updated_at=at,
                )
            )  # fmt: skip
        # Staffed: 1,000 agent-seconds in the day's slices, 300 in the next day's, none before.
        await store.add_staffed(campaign, {start: 600.0, start + 4 * STAFFED_SLICE_S: 400.0})
        await store.add_staffed(campaign, {end: 300.0})
        await uow.commit()
    return campaign, idle


async def test_a_days_campaign_figures_from_the_dial_log(api: Api) -> None:
    campaign, idle = await _seeded(api)
    params = {"period": "day", "date": DAY}
    supervisor = await api.login("supervisor")
    found = (await supervisor.get("/api/v1/reports/campaigns", params=params)).json()
    assert [(c["id"], c["name"], c["mode"]) for c in found["items"]] == [
        (campaign, "续费", "predictive")
    ]  # the idle campaign dialed nothing that day
    assert idle not in {c["id"] for c in found["items"]}
    f = found["items"][0]["figures"]
    assert (f["dials"], f["connects"], f["right_party"], f["conversions"]) == (5, 2, 2, 1)
    assert (f["answered_period"], f["abandoned_period"]) == (3, 1)
    assert math.isclose(f["abandon_rate_period"], 1 / 3)
    # The 30-day window and the lifetime end at the day's end: the day before counts, after not.
    assert (f["answered_window"], f["abandoned_window"]) == (4, 2)
    assert (f["answered"], f["abandoned"]) == (4, 2)
    assert f["abandon_rate_window"] == f["abandon_rate_lifetime"] == 0.5
    assert (f["amd_human"], f["amd_machine"], f["amd_unsure"], f["machine_messages"]) == (
        3,
        1,
        1,
        1,
    )
    assert math.isclose(f["amd_mean_decision_s"], (1.5 + 4.0 + 1.0 + 2.0) / 4)
    assert math.isclose(f["talk_occupancy"], 180 / 1000)  # the day's 180 s over its 1,000
    assert (f["staffed_s"], f["handle_s"]) == (1000.0, 180.0)
    # Dialed by the day's end: rec-0…rec-5 of 10 made by then, less rec-9 (DNC, never dialed).
    assert (f["records_dialed"], f["penetration"]) == (6, 6 / 9)
    assert f["by_outcome"] == {"connected": 2, "abandoned": 1, "machine": 1, "no_answer": 1}

    next_day = {"period": "day", "date": "2026-03-11"}
    after = (await supervisor.get("/api/v1/reports/campaigns", params=next_day)).json()
    g = after["items"][0]["figures"]
    assert (g["dials"], g["connects"], g["conversions"], g["answered_period"]) == (1, 1, 1, 1)
    assert (g["answered"], g["abandoned"]) == (5, 2)
    assert math.isclose(g["talk_occupancy"], 30 / 300)
    assert g["penetration"] == 7 / 10  # rec-6 dialed, rec-10 made that day
    day_before = {"period": "day", "date": "2026-03-09"}
    before = (await supervisor.get("/api/v1/reports/campaigns", params=day_before)).json()
    h = before["items"][0]["figures"]
    assert (h["dials"], h["talk_occupancy"], h["staffed_s"]) == (1, None, 0.0)  # no staffed time
    assert h["penetration"] == 1 / 9
    week = {"period": "week", "date": DAY}
    w = (await supervisor.get("/api/v1/reports/campaigns", params=week)).json()["items"][0]
    assert math.isclose(w["figures"]["talk_occupancy"], 210 / 1300)

    heads = {"zh-CN": ["外呼活动", "拨打次数", "接通"], "en": ["Campaign", "Dials", "Connects"]}
    for lang, head in heads.items():
        r = await supervisor.get("/api/v1/reports/campaigns",
                                 params={**params, "format": "csv", "lang": lang})  # fmt: skip
        assert r.status_code == 200, r.text
        assert f"report-campaigns-{DAY}" in r.headers["content-disposition"]
        lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert lines[1][:3] == head
        assert lines[2][:5] == ["续费", "5", "2", "2", "1"]
        assert lines[2][-2:] == ["0.18", str(6 / 9)]
    r = await supervisor.get("/api/v1/reports/campaigns", params={**params, "format": "xlsx"})
    assert r.status_code == 200
    assert r.content[:2] == b"PK"

    agent = await api.login("agent1")
    refused = await agent.get("/api/v1/reports/campaigns", params=params)
    assert (refused.status_code, refused.json()["code"]) == (403, "reports.forbidden")


async def test_the_printed_report_has_the_campaigns_section(api: Api, tmp_path: Path) -> None:
    require_tool("chromium")
    await _seeded(api)
    supervisor = await api.login("supervisor")
    for lang, title in (("en", "Outbound campaigns"), ("zh-CN", "外呼活动")):
        r = await supervisor.get(
            "/api/v1/reports/export", params={"period": "day", "date": DAY, "format": "pdf",
                                              "lang": lang}
        )  # fmt: skip
        assert r.status_code == 200, r.text
        pdf = tmp_path / f"campaigns-{lang}.pdf"
        pdf.write_bytes(r.content)
        text = pdf_text(pdf)
        for word in [
            title,
            "续费",
            "33.3%",
            "50.0%",
            "18.0%",
            "66.7%",
        ]:  # headers wrap in their cells
            assert word in text, (lang, word)
    agent = await api.login("agent1")
    asked = {"period": "day", "date": DAY, "format": "pdf", "lang": "en"}
    mine = await agent.get("/api/v1/reports/export", params=asked)
    assert mine.status_code == 200, mine.text
    pdf = tmp_path / "mine.pdf"
    pdf.write_bytes(mine.content)
    assert "Outbound campaigns" not in pdf_text(pdf)

"""QA evaluating in real Chromium, zh-CN and en (issue 20): the evaluator's waveform is drawn
from the stereo recording; a click on it anchors a comment at that time; submitting without a
critical item is refused naming it in her language; a failed critical item scores 0; the agent
disputes with a reason; a second evaluator (not the first) changes the score; and a
calibration's page shows the spread per question once both evaluators have submitted.
Screenshots in test-artifacts/."""

from __future__ import annotations

import math
import re
import struct
import time
import wave
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import insert

from hotline.interactions.ports import RecordingRow
from hotline.store.engine import WRITE, create_engine
from hotline.store.interactions_repo import SqlRecordingCatalog
from hotline.store.quality_tables import qa_tasks
from hotline.store.tables import interactions
from tests.integration.api.conftest import PASSWORD
from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

CARD: dict[str, Any] = {
    "name": "calls", "title_zh": "通话质检", "title_en": "Call quality",
    "sections": [{"key": "open", "title_zh": "开场", "title_en": "Opening", "items": [
        {"key": "greeting", "text_zh": "规范问候", "text_en": "Proper greeting"},
        {"key": "verified", "text_zh": "核实身份", "text_en": "Identity verified",
         "critical": True},
        {"key": "empathy", "text_zh": "同理心", "text_en": "Empathy", "kind": "scale",
         "scale": 5, "weight": 2, "allow_na": True},
    ]}],
}  # fmt: skip

CALIBRATION_REFUSED = "校准至少需要两位质检员。"
WORDS = {
    "zh-CN": {"missing": "请先回答“核实身份”再提交。", "submitted": "已提交", "disputed": "申诉中",
              "resolved": "已解决"},
    "en": {"missing": "Answer “Identity verified” before submitting.", "submitted": "Submitted",
           "disputed": "Disputed", "resolved": "Resolved"},
}  # fmt: skip


def _wav(path: Path, seconds: float = 4.0, rate: int = 8000) -> None:
    """Customer (left) speaks the first half, the agent (right) the second."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = bytearray()
    for n in range(int(seconds * rate)):
        tone = int(12000 * math.sin(2 * math.pi * 440 * n / rate))
        left, right = (tone, 0) if n < seconds * rate / 2 else (0, tone)
        frames += struct.pack("<hh", left, right)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


async def _seed(server: ServerProcess, tenant: str, agent: str, qa1: str, now: float) -> None:
    engine = create_engine(server.env["HOTLINE_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                for task in ("zh-CN", "en", "calibration"):
                    # the contact as its projection holds it: recordings are heard through it
                    await conn.execute(
                        insert(interactions).values(
                            id=f"call-{task}", tenant_id=tenant, channel="voice",
                            direction="inbound", caller_number="13800138001", queue_id="sales",
                            queues=["sales"], agent_id=agent, agents=[agent], segments=1,
                            started_at=now - 90, answered_at=now - 60, ended_at=now - 56,
                            outcome="completed", abandoned=False, voicemail=False,
                            callback=False, transferred=False, consulted=False, recorded=True,
                        )
                    )  # fmt: skip
                    await conn.execute(
                        insert(qa_tasks).values(
                            id=f"task-{task}", tenant_id=tenant, interaction_id=f"call-{task}",
                            work_id=f"w-{task}", agent_id=agent, rule="random",
                            week="2026-W49", assignee_id=qa1, state="open", created_at=now,
                        )
                    )  # fmt: skip
        for task in ("zh-CN", "en", "calibration"):
            key = f"{tenant}/2026/12/07/call-{task}-leg.wav"
            _wav(server.var_dir / "recordings" / key)
            await SqlRecordingCatalog(engine).add(
                RecordingRow(
                    tenant_id=tenant, interaction_id=f"call-{task}", recording_id=f"rec-{task}",
                    kind="call", path=key, duration_s=4.0, channels=2, sha256="0" * 64,
                    size_bytes=64044, paused_spans=(), started_at=now - 60,
                )
            )  # fmt: skip
    finally:
        await engine.dispose()


async def _answer(page: Page, key: str, value: str) -> None:
    await page.get_by_test_id(f"answer-{key}-{value}").check()


async def test_evaluate_comment_dispute_resolve_and_calibrate(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    admin = login(sqlite_server, "admin")
    tenant = admin.get("/api/v1/auth/me").json()["tenant_id"]
    users = {}
    for name, shown in (("qa1", "质检 李"), ("qa2", "质检 王")):
        body = {"username": name, "display_name": shown, "password": PASSWORD, "roles": ["qa"]}
        made = admin.post("/api/v1/users", json=body)
        assert made.status_code == 201, made.text
        users[name] = made.json()["id"]
    card = admin.post("/api/v1/quality/scorecards", json=CARD).json()
    assert admin.post(f"/api/v1/quality/scorecards/{card['id']}/publish").status_code == 200
    agent_login = login(sqlite_server, "agent1")
    agent = agent_login.get("/api/v1/auth/me").json()["agent_id"]
    await _seed(sqlite_server, tenant, agent, users["qa1"], time.time())
    qa1, qa2 = login(sqlite_server, "qa1"), login(sqlite_server, "qa2")

    for lang, words in WORDS.items():
        # from her task list: "Evaluate" starts the task's evaluation and opens it
        page, errors = await open_page(browser, sqlite_server, "qa1", lang=lang)
        await page.goto(f"{sqlite_server.url}/qa-tasks")
        task = page.locator(f"tr[data-id='task-{lang}']")
        await task.get_by_test_id("evaluate").click()
        await page.wait_for_url(re.compile(r"/qa-evaluations/\w+$"))
        evaluation = page.url.rsplit("/", 1)[1]
        url = f"{sqlite_server.url}/qa-evaluations/{evaluation}"
        root = page.get_by_test_id("evaluation")
        await expect(root).to_have_attribute("data-loaded", "true")
        waveform = page.get_by_test_id("waveform")
        await expect(waveform).to_have_attribute("data-drawn", "true")
        assert float(await waveform.get_attribute("data-duration") or 0) == pytest.approx(4.0)
        box = await waveform.bounding_box()
        assert box is not None
        await waveform.click(position={"x": box["width"] * 0.8, "y": box["height"] / 2})
        await expect(page.get_by_test_id("comment-at")).to_have_text("00:03")
        await page.get_by_test_id("comment-body").fill("没有核实身份 / no identity check")
        await page.get_by_test_id("comment-add").click()
        comment = page.get_by_test_id("comment")
        await expect(comment).to_have_count(1)
        await expect(comment.get_by_test_id("comment-by")).to_have_text(
            "质检 李"
        )  # a name, not an id
        assert float(await comment.get_attribute("data-at") or 0) == pytest.approx(3.2, abs=0.1)

        await _answer(page, "greeting", "yes")
        await _answer(page, "empathy", "4")
        await page.get_by_test_id("submit").click()
        await expect(page.get_by_test_id("card-error")).to_have_text(words["missing"])
        await _answer(page, "verified", "no")
        await page.get_by_test_id("submit").click()
        await expect(page.get_by_test_id("state")).to_have_text(words["submitted"])
        await expect(page.get_by_test_id("score")).to_have_text(re.compile(r"^0% · "))
        await expect(page.get_by_test_id("critical")).to_be_visible()
        await page.screenshot(path=str(ARTIFACTS / f"qa-evaluation-{lang}.png"), full_page=True)
        assert errors == []
        await page.context.close()

        # the agent: her evaluation in her list; she disputes it with a reason
        page, errors = await open_page(browser, sqlite_server, "agent1", lang=lang)
        await page.goto(f"{sqlite_server.url}/qa-evaluations")
        table = page.get_by_test_id("evaluations")
        await expect(table).to_have_attribute("data-loaded", "true")
        await table.locator(f"tr[data-id='{evaluation}'] [data-testid=open]").click()
        await expect(page.get_by_test_id("evaluation")).to_have_attribute("data-loaded", "true")
        await expect(page.get_by_test_id("comment")).to_have_count(1)
        await page.get_by_test_id("reason").fill("我在 0:02 核实了身份 / I verified at 0:02")
        await page.get_by_test_id("dispute").click()
        await expect(page.get_by_test_id("state")).to_have_text(words["disputed"])
        assert errors == []
        await page.context.close()

        # the second evaluator (not the first) changes the score
        page, errors = await open_page(browser, sqlite_server, "qa2", lang=lang)
        await page.goto(url)
        await expect(page.get_by_test_id("evaluation")).to_have_attribute("data-loaded", "true")
        await _answer(page, "verified", "yes")
        await page.get_by_test_id("resolution-note").fill("verified at 0:02")
        await page.get_by_test_id("change").click()
        await expect(page.get_by_test_id("state")).to_have_text(words["resolved"])
        # greeting yes, verified yes, empathy 4 of 5 (weight 2): (1 + 1 + 2 × 0.75) / 4
        await expect(page.get_by_test_id("score")).to_have_text("87.5%")
        await expect(page.get_by_test_id("outcome")).to_contain_text("0%")
        await page.screenshot(path=str(ARTIFACTS / f"qa-resolved-{lang}.png"), full_page=True)
        assert errors == []
        await page.context.close()

    # calibration, started from the QA tasks screen: both evaluators score the same contact;
    # one evaluator is not a calibration (refused, in the admin's Chinese)
    page, errors = await open_page(browser, sqlite_server, "admin", lang="zh-CN")
    await page.goto(f"{sqlite_server.url}/qa-tasks")
    await page.locator("tr[data-id='task-calibration']").get_by_test_id("calibrate").click()
    form = page.get_by_test_id("calibrate-form")
    await form.get_by_test_id("calibrate-evaluator").nth(0).check()
    await form.get_by_test_id("calibrate-start").click()
    await expect(page.get_by_test_id("list-error")).to_have_text(CALIBRATION_REFUSED)
    await form.get_by_test_id("calibrate-evaluator").nth(1).check()
    await form.get_by_test_id("calibrate-start").click()
    await expect(page.get_by_test_id("list-status")).to_have_text(
        "校准已开始：2 位质检员为此联络评分。"
    )
    assert errors == []
    await page.context.close()
    mine = {
        e["evaluator_id"]: e["id"]
        for client in (qa1, qa2)  # each her own draft of it
        for e in client.get("/api/v1/quality/evaluations").json()
        if e.get("calibration_id")
    }
    assert set(mine) == {users["qa1"], users["qa2"]}
    given = {"qa1": {"greeting": "yes", "verified": "yes", "empathy": 5},
             "qa2": {"greeting": "no", "verified": "yes", "empathy": 3}}  # fmt: skip
    for name, client in (("qa1", qa1), ("qa2", qa2)):
        done = client.post(f"/api/v1/quality/evaluations/{mine[users[name]]}/submit",
                           json={"answers": given[name]})  # fmt: skip
        assert done.status_code == 200, done.text
    # qa1 switched to English above: back to the demo's Chinese, as the first pass began
    assert qa1.put("/api/v1/auth/me/language", json={"language": "zh-CN"}).status_code == 200
    for lang in WORDS:
        page, errors = await open_page(browser, sqlite_server, "qa1", lang=lang)
        await page.goto(f"{sqlite_server.url}/qa-evaluations/{mine[users['qa1']]}")
        box = page.get_by_test_id("calibration")
        await expect(box).to_have_attribute("data-complete", "true")
        greeting = box.locator("tr[data-key=greeting]")
        await expect(greeting.get_by_test_id("min")).to_have_text("0")
        await expect(greeting.get_by_test_id("max")).to_have_text("100")
        await expect(greeting.get_by_test_id("stddev")).to_have_text("50")
        await expect(box.locator("tr[data-key=verified] [data-testid=stddev]")).to_have_text("0")
        await page.screenshot(path=str(ARTIFACTS / f"qa-calibration-{lang}.png"), full_page=True)
        assert errors == []
        await page.context.close()

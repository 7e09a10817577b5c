"""The link survey's page in real Chromium on a phone-sized screen (issue 20): the customer
opens the e-mailed link, sends without answering (the page says which question, in her
language), answers and is thanked; opening the link again says it was answered. In zh-CN and
en, with no script errors and nothing blocked by the page's CSP. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import insert, select

from hotline.jobs import MAIL_KIND
from hotline.store.engine import WRITE, create_engine
from hotline.store.tables import agent_segments, agents, jobs, users
from tests.integration.desktop.harness import ARTIFACTS
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

CONTACT = "01CONTACT0000000000000000C"
WORK = {"zh-CN": "01WORK1000000000000000000A", "en": "01WORK2000000000000000000B"}
WORDS = {
    "zh-CN": {"title": "服务满意度调查", "missing": "请回答这个问题。", "yes": "是",
              "thanks": "感谢您的评价！", "used": "该调查已提交过，谢谢！"},
    "en": {"title": "How did we do?", "missing": "Please answer this question.", "yes": "Yes",
           "thanks": "Thank you for your answers!",
           "used": "This survey was already answered. Thank you!"},
}  # fmt: skip


async def _links(server: ServerProcess) -> dict[str, str]:
    """Two agent segments of one contact (agent1, then agent2 after a transfer), and a link
    e-mailed for each: agent1's in Chinese, agent2's in English."""
    server.start("demo")
    server.stop()
    engine = create_engine(server.env["HOTLINE_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                found = await conn.execute(
                    select(agents.c.id, agents.c.tenant_id, users.c.username)
                    .join(users, users.c.id == agents.c.user_id)
                    .where(users.c.username.in_(["agent1", "agent2"]))
                    .order_by(users.c.username)
                )
                for seq, (agent_id, tenant_id, _name) in enumerate(found, start=1):
                    work = WORK["zh-CN" if seq == 1 else "en"]
                    await conn.execute(
                        insert(agent_segments).values(
                            tenant_id=tenant_id, work_seq=seq, agent_id=agent_id, work_id=work,
                            interaction_id=CONTACT, queue_id="support",
                            answered_at=1_795_000_000.0 + seq, hold_s=0.0,
                        )
                    )  # fmt: skip
    finally:
        await engine.dispose()
    server.start("demo")
    agent = server.login("agent1")
    for lang, work in WORK.items():
        body = {"interaction_id": CONTACT, "address": f"{lang}@example.com", "language": lang,
                "work_id": work}  # fmt: skip
        sent = agent.post("/api/v1/quality/survey-links", json=body)
        assert sent.status_code == 201, sent.text
    engine = create_engine(server.env["HOTLINE_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            mails = [p for (p,) in await conn.execute(
                select(jobs.c.payload).where(jobs.c.kind == MAIL_KIND))]  # fmt: skip
    finally:
        await engine.dispose()
    links = {}
    for mail in mails:
        lang = "zh-CN" if mail["to"] == ["zh-CN@example.com"] else "en"
        found_url = re.search(r"http://127\.0\.0\.1:\d+/s/\S+", mail["body"])
        assert found_url is not None, mail["body"]
        links[lang] = found_url.group(0)
    return links


async def _answer(browser: Browser, lang: str, link: str) -> None:
    words = WORDS[lang]
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, locale=lang, is_mobile=True, has_touch=True,
        device_scale_factor=2,
    )  # fmt: skip
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    # The page's own 422 (an answer missing) and 410 (answered) are what it should say.
    expected = re.compile(r"status of (422|410)")
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and not expected.search(m.text) else None
        ),
    )
    shots = ARTIFACTS / f"survey-{lang}"
    await page.goto(link)
    await expect(page.locator("h1")).to_have_text(words["title"])
    await page.screenshot(path=f"{shots}-form.png", full_page=True)
    # Sent without the rating: the page says so under that question.
    await page.locator("[data-question=solved] label", has_text=words["yes"]).click()
    await page.get_by_test_id("survey-send").click()
    await expect(page.get_by_test_id("survey-problem")).to_have_text(words["missing"])
    rating = page.locator("[data-question=rating]")
    await expect(rating).to_have_class(re.compile("invalid"))
    # the answer already given is kept
    await expect(page.locator("[data-question=solved] input[value='2']")).to_be_checked()
    await page.screenshot(path=f"{shots}-missing.png", full_page=True)
    await rating.locator("label", has_text="2").click()
    await page.locator("[data-question=nps] label", has_text="8").click()
    await page.locator("textarea").fill("态度很好" if lang == "zh-CN" else "Kind agent")
    await page.get_by_test_id("survey-send").click()
    await expect(page.get_by_test_id("survey-thanks")).to_have_text(words["thanks"])
    await page.screenshot(path=f"{shots}-thanks.png")
    await page.goto(link)
    await expect(page.get_by_test_id("survey-refused")).to_have_text(words["used"])
    await page.screenshot(path=f"{shots}-used.png")
    assert problems == [], problems
    await context.close()


async def test_a_customer_answers_the_survey_on_her_phone(browser: Browser, tmp_path: Path) -> None:
    var = tmp_path / "var"
    server = ServerProcess(var, f"sqlite+aiosqlite:///{var}/hotline.db")
    server.env["HOTLINE_QUALITY__PUBLIC_URL"] = server.url
    try:
        links = await _links(server)
        for lang, link in links.items():
            await _answer(browser, lang, link)
    finally:
        server.stop()

"""Browser defences in real Chromium against `hotline demo`: every page of every role works
under the strict Content-Security-Policy with no violation (admin forms, the flow editor, the
wallboard, the desktop with its browser phone, the API reference), carries the defensive
headers, and cannot be framed. A supervisor sets up an authenticator app on the account page
and logs in with its code, in zh-CN and in English, with wrong values on the way."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from hotline.web.admin import ENTITIES
from tests.integration.desktop.harness import ARTIFACTS
from tests.server import PASSWORD, ServerProcess

pytestmark = pytest.mark.browser

# Every violation the page reports, kept where the test can read it.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


async def context_for(browser: Browser) -> BrowserContext:
    context = await browser.new_context(viewport={"width": 1400, "height": 950})
    await context.add_init_script(WATCH_CSP)
    return context


async def log_in(page: Page, server: ServerProcess, username: str, lang: str = "zh-CN") -> None:
    await page.goto(f"{server.url}/login?lang={lang}")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{server.url}/")


async def until(page: Page, expression: str) -> None:
    for _ in range(100):
        if await page.evaluate(expression):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never true: {expression}")


async def violations(page: Page) -> list[str]:
    found: list[str] = await page.evaluate("window.__csp || []")
    return [f"{page.url}: {v}" for v in found]


async def visit(page: Page, url: str, problems: list[str]) -> None:
    response = await page.goto(url)
    assert response is not None
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    for directive in ("script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        if directive not in csp:
            problems.append(f"{url}: CSP lacks {directive!r}")
    expected = {
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
    }
    for name, value in expected.items():
        if headers.get(name) != value:
            problems.append(f"{url}: {name} is {headers.get(name)!r}")
    await page.wait_for_load_state("networkidle")
    problems += await violations(page)


async def test_every_page_works_under_the_csp_and_cannot_be_framed(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    url = sqlite_server.url
    problems: list[str] = []
    errors: list[str] = []

    context = await context_for(browser)
    page = await context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    await visit(page, f"{url}/login", problems)
    await log_in(page, sqlite_server, "admin")
    for path in ["/", "/account", "/interactions", "/missed", "/admin/flows", "/nowhere"]:
        await visit(page, url + path, problems)
    for slug, descriptor in ENTITIES.items():
        await visit(page, f"{url}/admin/{slug}", problems)
        create = page.get_by_test_id("create")
        if descriptor["write"] is not None and await create.count():
            await create.click()
            await expect(page.locator("dialog#editor")).to_be_visible()
            problems += await violations(page)
    # The flow editor draws its diagram and validates as the author types.
    await visit(page, f"{url}/admin/flows/main", problems)
    await expect(page.get_by_test_id("canvas").locator(".drawflow-node").first).to_be_visible()
    await page.get_by_test_id("tab-yaml").click()
    await expect(page.locator(".flow-graph .node").first).to_be_visible()
    # The API reference, served without a CDN.
    await visit(page, f"{url}/api/docs", problems)
    await expect(page.locator(".swagger-ui .info")).to_contain_text("Hotline")
    await expect(page.locator(".opblock").first).to_be_visible()
    problems += await violations(page)

    # A page elsewhere cannot frame Hotline (clickjacking).
    await page.goto("about:blank")
    # set_content returns at the outer page's load event, which waits for the iframe.
    await page.set_content(f'<iframe id="f" src="{url}/login"></iframe>')
    (inner,) = page.main_frame.child_frames
    assert inner.url.startswith("chrome-error://"), inner.url
    assert await page.frame_locator("#f").locator("#login-form").count() == 0
    await context.close()

    # The supervisor's wallboard and the agent's desktop with its browser phone (WebSocket and
    # WebRTC under connect-src 'self').
    board_context = await context_for(browser)
    board = await board_context.new_page()
    board.on("pageerror", lambda e: errors.append(str(e)))
    await log_in(board, sqlite_server, "supervisor")
    await visit(board, f"{url}/wallboard", problems)
    await expect(board.get_by_test_id("board-status")).to_have_text("实时")
    desk_context = await context_for(browser)
    desk = await desk_context.new_page()
    desk.on("pageerror", lambda e: errors.append(str(e)))
    await log_in(desk, sqlite_server, "agent1")
    await visit(desk, f"{url}/desktop", problems)
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("phone-status")).to_have_text("话机已连接")
    await expect(board.get_by_test_id("agents")).to_contain_text("坐席 李娜")
    await desk.get_by_test_id("desk-logout").click()
    await expect(desk.get_by_test_id("login-panel")).to_be_visible()
    problems += await violations(desk) + await violations(board)
    await desk_context.close()
    await board_context.close()

    assert problems == []
    assert errors == []


async def totp_round(
    browser: Browser, server: ServerProcess, lang: str, texts: dict[str, Any]
) -> None:
    context = await context_for(browser)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await log_in(page, server, "supervisor", lang)
    await page.get_by_test_id("language").select_option(lang)  # her profile's language
    await page.wait_for_load_state("networkidle")
    await page.get_by_test_id("me").click()
    await expect(page.locator("h1")).to_have_text(texts["account"])

    # Bad values first: two different new passwords, then a guessable one.
    form = page.locator("#password-form")
    await form.locator("input[name=current_password]").fill(PASSWORD)
    await form.locator("input[name=password]").fill("woaini5201314")
    await form.locator("input[name=again]").fill("woaini5201315")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#password-error")).to_have_text(texts["differ"])
    await form.locator("input[name=again]").fill("woaini5201314")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#password-error")).to_have_text(texts["guessable"])

    # Set up the authenticator: QR code drawn by the server, a wrong code, then the right one.
    await page.locator("#totp-start").click()
    qr = page.locator("#totp-qr")
    await expect(qr).to_be_visible()
    # (wait_for_function would evaluate a string in the page, which the CSP forbids)
    await until(page, "document.getElementById('totp-qr').naturalWidth > 100")
    secret = (await page.get_by_test_id("totp-secret").inner_text()).replace(" ", "")
    await page.screenshot(path=ARTIFACTS / f"account-totp-setup-{lang}.png", full_page=True)
    await page.get_by_test_id("totp-code").fill("000000")
    await page.locator("#totp-confirm-form button").click()
    await expect(page.locator("#totp-error")).to_have_text(texts["mismatch"])
    await page.get_by_test_id("totp-code").fill(pyotp.TOTP(secret).now())
    await page.locator("#totp-confirm-form button").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    await expect(codes).to_have_count(10)
    await expect(page.locator("#totp-on")).to_contain_text(texts["left"])
    recovery = await codes.first.inner_text()
    await page.screenshot(path=ARTIFACTS / f"account-totp-{lang}.png", full_page=True)
    await page.reload()
    await expect(page.locator("#totp-on")).to_be_visible()
    assert await codes.count() == 0  # shown once

    # Log out and in again: the code is asked for, a wrong one refused, the right one works.
    await page.locator("#logout").click()
    await page.wait_for_url(re.compile(r".*/login.*"))
    await page.fill("input[name=username]", "supervisor")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await expect(page.locator("#login-error")).to_have_text(texts["enter_code"])
    await expect(page.get_by_test_id("code")).to_be_focused()
    await page.get_by_test_id("code").fill("123456")
    await page.click("button[type=submit]")
    await expect(page.locator("#login-error")).to_have_text(texts["mismatch"])
    await page.screenshot(path=ARTIFACTS / f"login-totp-{lang}.png", full_page=True)
    # The code that confirmed the set-up is spent; the phone's next one (a step of clock drift
    # ahead) works.
    await page.get_by_test_id("code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{server.url}/")

    # Turn it off again, with a recovery code.
    await page.goto(f"{server.url}/account")
    manage = page.locator("#totp-manage-form")
    await manage.locator("input[name=code]").fill(recovery)
    await manage.locator("button[value=off]").click()
    await expect(page.locator("#totp-off")).to_be_visible()
    assert await violations(page) == []
    assert errors == []
    await context.close()


async def test_a_supervisor_sets_up_an_authenticator_and_logs_in_with_it(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    await totp_round(
        browser,
        sqlite_server,
        "zh-CN",
        {
            "account": "我的账户",
            "differ": "两次输入的新密码不一致。",
            "guessable": re.compile("密码太容易被猜到"),
            "mismatch": "验证码不正确，请输入最新的验证码。",
            "left": "还剩 10 个恢复码。",
            "enter_code": "请输入身份验证器中的验证码。",
        },
    )
    await totp_round(
        browser,
        sqlite_server,
        "en",
        {
            "account": "My account",
            "differ": "The two new passwords differ.",
            "guessable": re.compile("too easy to guess"),
            "mismatch": "The code does not match. Try the newest one.",
            "left": "10 recovery codes left.",
            "enter_code": "Enter the code from your authenticator app.",
        },
    )


async def test_a_login_before_the_page_script_runs_never_puts_the_password_in_an_address(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    """Seen in CI: a click that came before login.js bound the form sent it natively, as a GET
    with the password in the address. Until the script runs the button is disabled, Enter does
    nothing, and the form would post."""
    sqlite_server.start("demo")
    url = sqlite_server.url
    context = await context_for(browser)
    page = await context.new_page()
    held: list[Any] = []
    release = asyncio.Event()

    async def hold(route: Any) -> None:
        held.append(route)
        await release.wait()
        await route.continue_()

    await page.route(re.compile(r".*/static/js/login\.js.*"), hold)
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    # A module script holds DOMContentLoaded back: wait for the form only.
    await page.goto(f"{url}/login?lang=en", wait_until="commit")
    await page.fill("input[name=username]", "admin")
    await page.fill("input[name=password]", PASSWORD)
    submit = page.locator("button[type=submit]")
    await expect(submit).to_be_disabled()
    assert await page.locator("#login-form").get_attribute("method") == "post"
    await page.press("input[name=password]", "Enter")
    for _ in range(200):  # the page asked for its script, which is still held
        if held:
            break
        await asyncio.sleep(0.05)
    assert held, "the page never asked for login.js"
    release.set()
    await expect(submit).to_be_enabled()
    assert not [a for a in addresses if PASSWORD in a], addresses
    assert page.url.endswith("/login?lang=en"), page.url
    await submit.click()
    await page.wait_for_url(f"{url}/")
    await context.close()


async def test_a_form_sent_before_its_screen_script_runs_stays_on_the_page(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    """The account page's password form, submitted with Enter while the page's scripts are
    still on their way: nothing leaves the page (no address with the passwords, no navigation
    that would end a call on the desktop), and once the scripts run the form works."""
    sqlite_server.start("demo")
    url = sqlite_server.url
    context = await context_for(browser)
    page = await context.new_page()
    await log_in(page, sqlite_server, "agent1")
    held: list[Any] = []
    release = asyncio.Event()

    async def hold(route: Any) -> None:
        held.append(route)
        await release.wait()
        await route.continue_()

    await page.route(re.compile(r".*/static/js/(?!form-guard).*\.js.*"), hold)
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    await page.goto(f"{url}/account", wait_until="commit")
    await page.fill("input[name=current_password]", PASSWORD)
    await page.fill("input[name=password]", "a new secret 9 words")
    await page.fill("input[name=again]", "a new secret 9 wordz")
    await page.press("input[name=again]", "Enter")
    for _ in range(200):
        if held:
            break
        await asyncio.sleep(0.05)
    assert held, "the page never asked for its scripts"
    release.set()
    await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
    assert not [a for a in addresses if "secret" in a or PASSWORD in a], addresses
    assert page.url == f"{url}/account", page.url
    assert await page.locator("input[name=current_password]").input_value() == PASSWORD
    await page.press("input[name=again]", "Enter")  # now the page's script answers
    await expect(page.locator("#password-error")).to_have_text("两次输入的新密码不一致。")
    await context.close()

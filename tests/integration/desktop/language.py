"""What the language walks share: finding English on a zh-CN page (or Chinese on an English
one) that the tenant's own data does not explain, raw codes in what a page says, and
submitting a form with a bad value to read the error it shows."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from hotline.web.i18n import Catalogs
from hotline.web.messages import all_message_ids
from tests.integration.desktop.harness import items

# Words that are the same in both languages on purpose.
ALLOWED = {"Hotline", "Excel", "Google", "Microsoft", "Authenticator"}  # product names

# Runs in the page; returns what is an untranslated message id or English not from the data.
FIND_ENGLISH = "\n".join(
    line
    for line in (Path(__file__).with_name("find_english.js")).read_text().splitlines()
    if not line.startswith("//")  # Playwright calls the text only when it starts as a function
)


# Keys whose values are codes, ids or times, not words a person wrote: a page that shows one
# of them shows a raw code, however often the data holds it.
_CODE_KEYS = re.compile(
    r"^(id|.*_id|.*_ids|code|.*_code|status|state|reason|action|object|type|kind|role|roles|"
    r"channel|direction|outcome|event|events|language|lang|time_zone|.*_at|at|since|format|"
    r"phone|activity|source|field|scope|permissions|strategy|media|transport|mode|yaml)$"
)


def _values(value: Any, key: str = "") -> list[str]:
    """The strings and numbers of `value` a person wrote, skipping those under code keys."""
    if isinstance(value, dict):
        return [v for k, item in value.items() if not _CODE_KEYS.match(k) for v in _values(item, k)]
    if isinstance(value, list):
        return [v for item in value for v in _values(item, key)]
    if isinstance(value, bool) or value is None:
        return []
    return [str(value)]


def tenant_data(admin: httpx.Client) -> str:
    """Every value of the tenant's own data that a page may show (names, English labels,
    customer names, flow titles, numbers …), one a line: not the keys, nor the values of code
    keys (`_CODE_KEYS`), so a code shown on a page is not explained by the data holding it."""
    chunks: list[Any] = []
    for path in [
        "/api/v1/customers", "/api/v1/dispositions", "/api/v1/not-ready-reasons",
        "/api/v1/quick-replies", "/api/v1/users", "/api/v1/agents", "/api/v1/queues",
        "/api/v1/skills", "/api/v1/teams", "/api/v1/numbers", "/api/v1/calendars",
        "/api/v1/flows", "/api/v1/tickets", "/api/v1/audit", "/api/v1/ticket-departments",
    ]:  # fmt: skip
        chunks.append(items(admin, path))
    for flow in items(admin, "/api/v1/flows"):
        chunks.append(admin.get(f"/api/v1/flows/{flow['name']}/versions/{flow['version']}").json())
    # The center's articles, as the desk's suggestions show them (in the language they matched).
    for article in items(admin, "/api/v1/knowledge/articles"):
        chunks.append(admin.get(f"/api/v1/knowledge/articles/{article['id']}").json())
    return "\n".join(sorted({v for c in chunks for v in _values(c)}))


@functools.cache
def untranslatable_ids() -> tuple[str, ...]:
    """Message ids whose zh-CN text differs from the id (the others look the same anyway).
    Read once per test process: finding them extracts every template and module (~1–2 s),
    and a walk looks at a hundred pages."""
    catalog = Catalogs()
    return tuple(sorted(i for i in all_message_ids() if catalog.gettext("zh-CN", i) != i))


@functools.cache
def ui_words() -> str:
    """Every message id and its Chinese, one a line: what the UI itself says."""
    catalog = Catalogs()
    return "\n".join(f"{i}\n{catalog.gettext('zh-CN', i)}" for i in sorted(all_message_ids()))


async def english_on(page: Page, data: str) -> list[str]:
    problems: list[str] = await page.evaluate(
        FIND_ENGLISH, {"ids": list(untranslatable_ids()), "data": data, "allowed": sorted(ALLOWED)}
    )
    return [f"{page.url}: {p}" for p in problems] + await codes_on(page, data)


FIND_CODES = "\n".join(
    line
    for line in (Path(__file__).with_name("find_codes.js")).read_text().splitlines()
    if not line.startswith("//")
)


async def codes_on(page: Page, data: str) -> list[str]:
    """Raw codes anywhere on the page outside code (either language), the tenant's values
    (`tenant_data`, one a line) the only ones allowed to look like codes."""
    catalog = ui_words()
    problems: list[str] = await page.evaluate(
        FIND_CODES, {"values": data.split("\n"), "catalog": catalog}
    )
    return [f"{page.url}: {p}" for p in problems]


FIND_CHINESE = "\n".join(
    line
    for line in (Path(__file__).with_name("find_chinese.js")).read_text().splitlines()
    if not line.startswith("//")
)


async def chinese_on(page: Page, data: str) -> list[str]:
    # A language is named in itself (the users form offers 中文 and English).
    problems: list[str] = await page.evaluate(FIND_CHINESE, {"data": data + "\n中文"})
    return [f"{page.url}: {p}" for p in problems] + await codes_on(page, data)


# A code (`config.reason.unknown`, `invalid_input`) or a field's name (`week_start`, `body`).
RAW_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+(\.[a-z_]+)*\b|\b[a-z]+_[a-z_]+\b|\bbody\b")


async def refused(
    page: Page, form: str, box: str, values: dict[str, str], shot: Path
) -> tuple[str, list[str]]:
    """Fill the form's fields (selector → value; a select gets the value as a new option, so
    that it may be one the page never offers) with the browser's own checks off, submit it, and
    return the error the page shows, with a problem if it names a raw code. A screenshot of the
    page with its error goes to `shot`."""
    await page.locator(form).evaluate("f => { f.noValidate = true; }")
    error = page.locator(box)
    await error.evaluate("b => { b.hidden = true; b.textContent = ''; }")
    for selector, value in values.items():
        field = page.locator(selector)
        if await field.evaluate("e => e.tagName === 'SELECT' || ['date', 'datetime-local', "
                                "'time', 'number'].includes(e.type)"):  # fmt: skip
            await field.evaluate(
                """(e, v) => {
                  if (e.tagName === "SELECT" && ![...e.options].some((o) => o.value === v)) {
                    const option = document.createElement("option");
                    option.value = option.textContent = v;
                    option.dataset.raw = "";  // the test's own bad value, not the page's words
                    e.append(option);
                  }
                  e.value = v;
                }""",
                value,
            )
        else:
            await field.fill(value)
    await page.locator(form).evaluate("f => f.requestSubmit()")
    await expect(error).to_be_visible()
    await expect(error).not_to_be_empty()
    text = await error.inner_text()
    await page.screenshot(path=shot, full_page=True)
    return text, ([f"{page.url} {form}: raw code in {text!r}"] if RAW_CODE.search(text) else [])

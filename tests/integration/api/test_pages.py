"""The server-rendered pages: who is sent to the login page, who gets 403, who gets the page."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import Api

PAGES = ["/", "/desktop", "/wallboard", "/interactions", "/interactions/x", "/missed",
         "/admin/flows", "/admin/flows/main", "/admin/agents", "/reviews"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
async def test_a_visitor_goes_to_the_login_page_and_comes_back(api: Api, path: str) -> None:
    r = await api.app_client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == ("/login" if path == "/" else f"/login?next={path}")


async def test_each_role_gets_its_pages_and_403_for_the_others(api: Api) -> None:
    expected = {
        # The desktop is for users with an agent profile; the admin of the demo has none.
        "admin": {"/desktop": 403, "/wallboard": 200, "/admin/flows": 200, "/admin/agents": 200},
        "supervisor": {"/wallboard": 200, "/interactions": 200, "/missed": 200, "/reviews": 200},
        "agent1": {"/desktop": 200, "/interactions": 200, "/admin/users": 403},
    }
    for username, pages in expected.items():
        client = await api.login(username)
        for path, status in pages.items():
            r = await client.get(path)
            assert r.status_code == status, (username, path, r.status_code)
            assert r.headers["content-type"].startswith("text/html")
        await client.aclose()


async def test_an_unknown_admin_page_is_404_in_the_users_language(api: Api) -> None:
    admin = await api.login("admin")
    r = await admin.get("/admin/nothing-here")
    assert r.status_code == 404
    assert "<html" in r.text
    await admin.aclose()

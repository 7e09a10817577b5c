"""The mailbox API (issue 22): passwords are never returned and kept when left empty; bad
settings are refused naming the field, in the user's language; agents may not see mailboxes;
a test-connection to a closed port says which server failed."""

from __future__ import annotations

from typing import Any

from tests.integration.api.conftest import Api
from tests.ports import free_port

BOX: dict[str, Any] = {
    "address": "Help@Center.test",
    "display_name": "客服中心",
    "imap_host": "127.0.0.1",
    "imap_port": 993,
    "imap_username": "help",
    "imap_password": "imap-secret",
    "smtp_host": "127.0.0.1",
    "smtp_password": "smtp-secret",
}


async def test_mailboxes_keep_their_secrets_and_refuse_bad_settings(api: Api) -> None:
    admin = await api.login("admin")  # the demo's admin reads Chinese
    made = await admin.post("/api/v1/mailboxes", json=BOX)
    assert made.status_code == 201, made.text
    box = made.json()
    assert box["address"] == "help@center.test"
    assert "imap_password" not in box
    assert box["imap_password_set"]
    assert box["smtp_password_set"]

    taken = await admin.post("/api/v1/mailboxes", json={**BOX, "address": "help@center.test"})
    assert taken.status_code == 422
    assert taken.json()["code"] == "email.mailbox.address_in_use"
    assert taken.json()["details"]["field"] == "address"
    assert taken.json()["message"] == "已有其他邮箱使用此地址。"

    bad = await admin.post("/api/v1/mailboxes", json={**BOX, "address": "not-an-address"})
    assert bad.status_code == 422
    assert bad.json()["message"] == "邮箱地址不是有效的电子邮件地址。"
    unknown = await admin.post("/api/v1/mailboxes", json={**BOX, "imap_tls": "ssl"})
    assert unknown.status_code == 422  # none, starttls (ADR 0247) or tls
    assert unknown.json()["details"]["errors"][0]["field"] == "imap_tls"

    # a change with empty passwords keeps both
    port = free_port()
    changed = await admin.put(
        f"/api/v1/mailboxes/{box['id']}",
        json={**BOX, "imap_password": "", "smtp_password": "", "imap_tls": "none",
              "imap_port": port, "smtp_port": port, "smtp_tls": "none"},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["imap_password_set"]
    listed = (await admin.get("/api/v1/mailboxes")).json()["items"]
    assert [b["address"] for b in listed] == ["help@center.test"]

    tested = (await admin.post(f"/api/v1/mailboxes/{box['id']}/test")).json()
    assert tested["imap"]["ok"] is False
    assert tested["imap"]["code"] == "email.imap.unreachable"
    assert tested["smtp"]["code"] == "email.smtp.unreachable"

    agent = await api.login("agent1")
    assert (await agent.get("/api/v1/mailboxes")).status_code == 403
    missing = await agent.get("/api/v1/mails/01AAAAAAAAAAAAAAAAAAAAAAAA")
    assert missing.status_code == 404
    assert missing.json()["message"] == "没有这封邮件。"
    for client in (admin, agent):
        await client.aclose()

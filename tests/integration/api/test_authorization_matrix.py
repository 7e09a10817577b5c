"""Authorization matrix generated from the OpenAPI schema: every endpoint but the public ones
refuses an anonymous caller; an agent and a platform operator get 403 where their role lacks
the endpoint's `x-permission`; a user of tenant B — and the admins of two centers created at
runtime, by the operator's API and by the command line's service — gets 404 for every object
of tenant A, and 403 on the operator's endpoints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from hotline.app import tenant_service
from hotline.auth.roles import Permission, Role, allowed
from hotline.cli.tenants import _cli_actor
from hotline.store.tenant_repo import ensure_platform
from hotline.tenants import TenantIn
from tests.integration.api.conftest import PASSWORD, Api
from tests.integration.api.test_interactions import _seed, _wait_for
from tests.integration.api.test_tenants import operator
from tests.integration.email.rows import keep_a_mail

PUBLIC = {"public"}
# A valid body per collection, so a PUT reaches the tenant check instead of failing validation.
BODIES: dict[str, dict[str, Any]] = {
    "skills": {"name": "x"},
    "teams": {"name": "x"},
    "calendars": {"name": "x"},
    "holiday-calendars": {"name": "x"},
    "numbers": {"number": "9999", "flow": "main"},
    "dispositions": {"code": "x", "label_zh": "x", "label_en": "x"},
    "not-ready-reasons": {"code": "x", "label_zh": "x", "label_en": "x"},
    "agents": {"display_name": "x"},
    "queues": {"name": "x", "display_name": "x"},
    "users": {"display_name": "x", "roles": ["qa"]},
    "customers": {"name": "x"},
    "flows": {"text": "name: x"},
    "quick-replies": {"title": "x", "text": "x"},
    "tickets": {"status": "closed"},
    "ticket-departments": {"code": "x", "name": "x"},
    "ticket-categories": {"code": "x", "name_zh": "x", "name_en": "x"},
    "sla-policies": {"name": "x", "resolution_s": 3600},
    "webhooks": {"name": "x", "url": "https://example.com/hook"},
    "organizations": {"name": "x"},
    "custom-fields": {"key": "x", "label_zh": "x", "label_en": "x"},
    "mailboxes": {"address": "help@x.test", "imap_host": "127.0.0.1", "smtp_host": "127.0.0.1"},
    "trunks": {"name": "x", "host": "192.0.2.10"},
    "hint-rules": {
        "name": "x",
        "condition": "customer.vip_level > 1",
        "text_zh": "x",
        "text_en": "x",
    },
    "interactions": {"disposition": "resolved"},
    # the knowledge base: one body per sub-collection
    "knowledge/articles": {"title_en": "x", "body_en": "x"},
    "knowledge/categories": {"name_zh": "x", "name_en": "x"},
    # workforce management: one body per sub-collection
    "wfm/templates": {"name": "x", "minutes": 480, "earliest_start": 540, "latest_start": 600},
    "wfm/contracts": {},
    "wfm/plans": {"queue_id": "sales", "week_start": "2026-03-02"},
    "wfm/schedules": {"plan_id": "x"},
    "wfm/requests": {"approve": True},
}
# Actions under an object, by the path's end.
SUB_BODIES: dict[str, dict[str, Any]] = {
    "/assign": {"auto": True},
    "/comments": {"body": "x"},
    "/links": {"interaction_id": "x"},
    "/merge": {"into_id": "x"},
    "/responses": {"response": "offered"},
    "/used": {"interaction_id": "x", "how": "insert", "language": "zh"},
    "/status": {"action": "start"},  # a campaign's
    "/lists": {"list_id": "x"},  # a call list into a campaign
    "/finish": {"outcome": "busy"},  # a preview record
    "/disposition": {"disposition": "x"},  # a campaign call's, at wrap-up
    "/reassign": {"assignee_id": "x"},  # a QA task's
    "/messages": {"client_id": "x", "body": "x"},  # a chat message
    "/transfer": {"kind": "queue", "target": "x"},  # a chat's (and the desk's) transfer
}
# Path parameters that are not ids: flow versions and ticket numbers are numbers.
NUMERIC_PARAMS = {"version", "number"}


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, str]]:
    out = []
    for path, methods in openapi["paths"].items():
        for method, op in methods.items():
            out.append((method.upper(), path, op.get("x-permission", "public")))
    return out


def concrete(path: str, value: str = "01AAAAAAAAAAAAAAAAAAAAAAAA") -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: "1" if m.group(1) in NUMERIC_PARAMS else value, path)


async def _call(client: httpx.AsyncClient, method: str, path: str) -> httpx.Response:
    collection = path.split("/")[3] if path.startswith("/api/v1/") else ""
    if collection in ("wfm", "knowledge"):
        collection = "/".join(path.split("/")[3:5])
    body = BODIES.get(collection, {}) if method in {"POST", "PUT", "PATCH"} else None
    if path.endswith(("/rollback", "/followed-up")):
        body = {}
    for suffix, sub_body in SUB_BODIES.items():
        if path.endswith(suffix) and method == "POST":
            body = sub_body
    if "/qa-tasks/" in path and path.endswith("/cancel") and method == "POST":
        body = {"reason": "x"}
    if path.endswith(("/attachments", "/files")) and method == "POST":  # a multipart upload
        files = {"file": ("a.txt", b"a", "text/plain")}
        return await client.post(path, files=files, data={"client_id": "matrix-1"})
    return await client.request(method, path, json=body)


async def test_every_endpoint_names_its_permission_and_refuses_anonymous_callers(api: Api) -> None:
    openapi = (await api.app_client.get("/api/openapi.json")).json()
    ops = operations(openapi)
    public = {(m, p) for m, p, perm in ops if perm in PUBLIC}
    assert public == {
        ("GET", "/api/v1/health"),
        ("GET", "/api/v1/ready"),
        ("GET", "/metrics"),
        ("POST", "/api/v1/auth/login"),
        # the SMS gateway's webhooks: their HMAC signature is the credential (docs/sms.md)
        ("POST", "/api/v1/sms/http/inbound"),
        ("POST", "/api/v1/sms/http/receipts"),
        # a chat visitor's file: the conversation's token is the credential (ADR 0233)
        ("GET", "/api/v1/chat/visitor/files/{attachment_id}"),
    }
    for method, path, perm in ops:
        if perm in PUBLIC:
            continue
        r = await _call(api.app_client, method, concrete(path))
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert r.json()["code"].startswith("auth.")


async def _forbidden_where_the_role_lacks_it(client: httpx.AsyncClient, role: Role) -> int:
    openapi = (await client.get("/api/openapi.json")).json()
    forbidden = 0
    for method, path, perm in operations(openapi):
        if perm in PUBLIC or (method, path) == ("POST", "/api/v1/auth/logout"):
            continue
        r = await _call(client, method, concrete(path))
        may = perm == "authenticated" or allowed([role], Permission(perm))
        if may:  # a domain's own refusal (not a schedule of yours) is not the role's
            assert r.status_code != 403 or r.json()["code"] != "auth.forbidden", (method, path)
        else:
            forbidden += 1
            assert r.status_code == 403, (method, path, r.status_code, r.text)
            assert r.json()["code"] == "auth.forbidden"
    return forbidden


async def test_an_agent_gets_403_where_its_role_lacks_the_permission(api: Api) -> None:
    agent = await api.login("agent1")
    # all config writes, users, tokens, audit, events, the platform's tenants
    assert await _forbidden_where_the_role_lacks_it(agent, Role.AGENT) >= 20
    await agent.aclose()


async def test_a_platform_operator_reaches_no_center_data(api: Api) -> None:
    ops = await operator(api)
    assert await _forbidden_where_the_role_lacks_it(ops, Role.OPERATOR) >= 100
    await ops.aclose()


async def _demo_ids(api: Api, recording_dir: Path) -> dict[str, str]:
    admin = await api.login("admin")
    await admin.post("/api/v1/tickets", json={"subject": "x"})
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    agent = (await admin.get("/api/v1/agents")).json()["items"][0]["id"]
    await _seed(api, tenant, agent, recording_dir)
    await _wait_for(admin, 2)
    field = {"key": "card", "label_zh": "会员卡号", "label_en": "Card"}
    assert (await admin.post("/api/v1/custom-fields", json=field)).status_code == 201
    assert (await admin.post("/api/v1/organizations", json={"name": "o"})).status_code == 201
    hook = {"name": "crm", "url": "https://crm.example.com/hook"}
    assert (await admin.post("/api/v1/webhooks", json=hook)).status_code == 201
    hint = {**BODIES["hint-rules"], "name": "h"}
    assert (await admin.post("/api/v1/hint-rules", json=hint)).status_code == 201
    box = {**BODIES["mailboxes"], "address": "service@demo.test"}
    assert (await admin.post("/api/v1/mailboxes", json=box)).status_code == 201
    trunk = {**BODIES["trunks"], "name": "carrier"}
    assert (await admin.post("/api/v1/trunks", json=trunk)).status_code == 201
    ids = {}
    for collection in BODIES:
        if collection.startswith("wfm/"):
            continue
        items = (await admin.get(f"/api/v1/{collection}")).json()["items"]
        ids[collection] = items[0].get("id", items[0].get("name"))
    ids["tokens"] = (await admin.post("/api/v1/tokens", json={"name": "t"})).json()["id"]
    ids["mails"] = await keep_a_mail(api.services.engine, tenant, ids["mailboxes"])
    async with api.services.uow() as uow:
        ids["jobs"] = await api.services.jobs.schedule(
            uow.conn, "mail.send", due_at=4e9, tenant_id=tenant, payload={"to": ["a@b.c"]}
        )
        await uow.commit()
    upload = {"file": ("c.csv", "姓名,手机\n王芳,13800138000\n".encode())}
    ids["imports"] = (await admin.post("/api/v1/imports", files=upload)).json()["id"]
    mapping = {"name": "m", "columns": {"姓名": "name"}}
    ids["import-mappings"] = (await admin.post("/api/v1/import-mappings", json=mapping)).json()[
        "id"
    ]
    ids["knowledge"] = ids["knowledge/articles"]  # categories' paths get 404 with it too
    ids["flows"] = "main"
    ids["interactions"] = "answered"  # not "missed": that is also the worklist's path
    ids["worklist"] = "missed"
    ids["recordings"] = "rec-1"
    ids["desk"] = "answered"  # /desk/screenpop/{interaction_id}
    ids["chat"] = "01JNOSUCHCHAT0000000000000"  # /chat/conversations/{conversation_id}/…
    ids["supervise"] = agent  # /supervise/{agent_id}/…
    template = {"name": "t", "minutes": 480, "earliest_start": 540, "latest_start": 600}
    ids["wfm"] = (await admin.post("/api/v1/wfm/templates", json=template)).json()["id"]
    subscription = {"period": "day", "to": ["boss@example.com"]}
    ids["reports"] = (await admin.post("/api/v1/reports/subscriptions", json=subscription)).json()[
        "id"
    ]
    ids["sip"] = "192.0.2.1"  # /sip/bans/{source}: another tenant's SIP edge is not seen
    campaign = {"name": "c", "mode": "preview", "queue_id": "sales"}
    ids["campaigns"] = (await admin.post("/api/v1/campaigns", json=campaign)).json()["id"]

    ids["quality"] = await _quality_ids(api, admin, tenant)
    await admin.aclose()
    return ids


async def _quality_ids(api: Api, admin: httpx.AsyncClient, tenant: str) -> str:
    """A review and a survey of the demo center under one id (both are /quality/…/{id})."""
    from hotline.ids import new_id
    from hotline.quality import Review, ReviewState
    from hotline.store.quality_repo import SqlQuality

    now = api.services.clock.now()
    review_id = new_id(now)
    async with api.services.uow() as uow:
        await SqlQuality(uow.conn).add_review(
            Review(id=review_id, tenant_id=tenant, interaction_id="answered", agent_id=None,
                   work_id=None, supervisor_id=None, survey="ivr", question="rating", rating=1,
                   scale=5, state=ReviewState.OPEN, opened_at=now, due_at=now + 3600)
        )  # fmt: skip
        await uow.commit()
    survey = {"name": review_id, "title_zh": "回访", "title_en": "Follow-up",
              "questions": [{"key": "rating", "kind": "scale", "text_zh": "打分",
                             "text_en": "Rate"}]}  # fmt: skip
    assert (await admin.put("/api/v1/quality/surveys", json=survey)).status_code == 200
    return review_id


async def _runtime_admins(api: Api) -> list[tuple[httpx.AsyncClient, str]]:
    """The admins of two centers created while the API runs: one by the operator's API, one
    by the service the `hotline tenant create` command runs; each changed its password."""
    ops = await operator(api)
    body = {"name": "华南", "slug": "south", "sip_domain": "south.example"}
    made = (await ops.post("/api/v1/platform/tenants", json=body)).json()
    created = [(made["id"], "south", made["admin"]["one_time_password"])]
    await ops.aclose()
    async with api.services.uow() as uow:
        platform = await ensure_platform(uow.conn, api.services.clock.now())
        service = tenant_service(api.services, uow, _cli_actor(str(platform["id"])))
        row, password = await service.create(
            TenantIn(name="West", slug="west", sip_domain="west.example", language="en")
        )
        await uow.commit()
    created.append((str(row["id"]), "west", password))
    admins = []
    for tenant_id, slug, one_time in created:
        client = await api.login("admin", one_time, tenant=slug)
        body = {"current_password": one_time, "password": PASSWORD + "-" + slug}
        assert (await client.put("/api/v1/auth/me/password", json=body)).status_code == 200
        await client.aclose()
        admins.append((await api.login("admin", PASSWORD + "-" + slug, tenant=slug), tenant_id))
    return admins


async def test_a_user_of_another_tenant_gets_404_for_every_object(
    api: Api, second_tenant: str, tmp_path: Path
) -> None:
    api.services.settings.recording.directory = tmp_path
    ids = await _demo_ids(api, tmp_path)
    boss = await api.login("boss", tenant="other")
    openapi = (await api.app_client.get("/api/openapi.json")).json()
    for client, tenant_id in [(boss, second_tenant), *await _runtime_admins(api)]:
        checked = 0
        for method, path, perm in operations(openapi):
            params = re.findall(r"\{([^}]+)\}", path)
            if not params or perm in PUBLIC:  # no session: a token names the object
                continue
            collection = path.split("/")[3]
            if perm == Permission.TENANTS_MANAGE:  # the operator's: a center's admin gets 403
                r = await _call(client, method, concrete(path))
                assert r.status_code == 403, (method, path, r.status_code, r.text)
                continue
            r = await _call(client, method, concrete(path, ids[collection]))
            assert r.status_code == 404, (method, path, r.status_code, r.text)
            checked += 1
        assert checked >= 30
        for collection in (c for c in BODIES if not c.startswith("wfm/")):
            listed = (await client.get(f"/api/v1/{collection}")).json()["items"]
            assert ids[collection] not in {i.get("id", i.get("name")) for i in listed}, collection
        events = (await client.get("/api/v1/events")).json()["items"]
        assert all(e["tenant_id"] == tenant_id for e in events)
        await client.aclose()

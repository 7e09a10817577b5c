"""Every bad input the property-based run found answers with a field-named 4xx, never a 500,
on both databases: huge offsets and numbers, a skill listed twice, an empty reference, free-form
JSON too deep for the writer, a ticket pointing at no interaction, `%`/`_` that matched every
row, and the audit search that ignored its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.api.conftest import Api

EXAMPLES = Path(__file__).parents[3] / "examples" / "flows"
HUGE = 94416543127196871585364443136


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers",
        "/api/v1/teams",
        "/api/v1/not-ready-reasons",
        "/api/v1/queues",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/tickets",
    ],
)
async def test_a_huge_offset_is_a_named_422(api: Api, path: str) -> None:
    admin = await api.login("admin")
    r = await admin.get(path, params={"offset": HUGE})
    assert r.status_code == 422, r.text
    assert r.json()["details"]["errors"][0]["field"] == "offset"
    assert (await admin.get(path, params={"offset": 2**31 - 1})).json()["items"] == []
    await admin.aclose()


async def test_huge_sequence_and_version_numbers_are_422(api: Api) -> None:
    admin = await api.login("admin")
    r = await admin.get("/api/v1/events", params={"after_seq": 403231130293693120512})
    assert (r.status_code, r.json()["details"]["errors"][0]["field"]) == (422, "after_seq")
    r = await admin.get("/api/v1/flows/main/versions/130626623190856049260588112543744")
    assert (r.status_code, r.json()["details"]["errors"][0]["field"]) == (422, "version")
    await admin.aclose()


async def test_queue_with_a_skill_twice_or_absurd_limits_is_422(api: Api) -> None:
    admin = await api.login("admin")
    skill = (await admin.get("/api/v1/skills")).json()["items"][0]["id"]
    base = {"name": "vip", "display_name": "VIP"}
    twice = {**base, "skills": [{"skill_id": skill}, {"skill_id": skill, "min_proficiency": 2}]}
    r = await admin.post("/api/v1/queues", json=twice)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["errors"][0]["field"] == "skills"
    assert "listed twice" in r.json()["details"]["errors"][0]["message"]  # for developers
    assert r.json()["message"] == "技能无效"  # for the admin, in her language (ADR 0122)
    for field, value in (("max_length", 1e22), ("max_wait_s", 18446744073709551615)):
        r = await admin.post("/api/v1/queues", json={**base, field: value})
        assert (r.status_code, r.json()["details"]["errors"][0]["field"]) == (422, field)
    deep: object = 1
    for _ in range(50):
        deep = [deep]
    r = await admin.post("/api/v1/queues", json={**base, "options": {"x": deep}})
    assert (r.status_code, r.json()["details"]["errors"][0]["field"]) == (422, "options")
    assert "nested deeper" in r.json()["details"]["errors"][0]["message"]
    r = await admin.post("/api/v1/customers", json={"name": "x", "custom": {"n": 2**70}})
    assert (r.status_code, r.json()["details"]["errors"][0]["field"]) == (422, "custom")
    assert (await admin.get("/api/v1/queues", params={"q": "vip"})).json()["total"] == 0
    await admin.aclose()


async def test_ticket_references_must_exist_and_not_be_empty(api: Api) -> None:
    agent = await api.login("agent1")
    r = await agent.post("/api/v1/tickets", json={"subject": "退款", "customer_id": ""})
    assert (r.status_code, r.json()["details"]["errors"][0]["field"]) == (422, "customer_id")
    r = await agent.post(
        "/api/v1/tickets", json={"subject": "退款", "interaction_id": "01JZZZZZZZZZZZZZZZZZZZZZZZ"}
    )
    assert r.status_code == 422, r.text
    assert (r.json()["code"], r.json()["details"]["field"]) == (
        "ticket.interaction.unknown",
        "interaction_id",
    )
    assert (await agent.get("/api/v1/tickets")).json()["total"] == 0
    await agent.aclose()


async def test_percent_and_underscore_are_plain_characters_in_searches(api: Api) -> None:
    admin = await api.login("admin")
    assert (await admin.post("/api/v1/skills", json={"name": "100%_满意"})).status_code == 201
    for path in ("/api/v1/customers", "/api/v1/skills", "/api/v1/users", "/api/v1/queues"):
        for q in ("%", "_", "%%", "\\"):
            found = (await admin.get(path, params={"q": q})).json()
            if path.endswith("skills") and q in ("%", "_"):
                assert [s["name"] for s in found["items"]] == ["100%_满意"], (path, q)
            else:
                assert found["total"] == 0, (path, q, found["items"][:2])
    assert (await admin.get("/api/v1/skills", params={"q": "0%_满"})).json()["total"] == 1
    await admin.aclose()


async def test_the_audit_search_finds_its_text(api: Api) -> None:
    admin = await api.login("admin")
    everything = (await admin.get("/api/v1/audit", params={"limit": 500})).json()["total"]
    assert everything > 10  # the demo's seeding is audited
    created = (await admin.post("/api/v1/skills", json={"name": "投诉处理"})).json()
    found = (await admin.get("/api/v1/audit", params={"q": created["id"]})).json()
    assert found["total"] == 1
    assert found["items"][0]["entity_id"] == created["id"]
    assert (await admin.get("/api/v1/audit", params={"q": "queue"})).json()["total"] == 2
    assert (await admin.get("/api/v1/audit", params={"q": "%"})).json()["total"] == 0
    await admin.aclose()


async def test_flow_text_nested_too_deeply_is_a_syntax_error(api: Api) -> None:
    admin = await api.login("admin")
    for fmt, text in (
        ("yaml", "name: x\nnodes: " + "[" * 5000 + "]" * 5000),
        ("json", '{"name": "x", "nodes": ' + "[" * 5000 + "]" * 5000 + "}"),
        (
            "yaml",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
                for p, c in zip("abcde", "bcdef", strict=True)
            ),
        ),
    ):
        for path in ("/api/v1/flows/check", "/api/v1/flows"):
            r = await admin.post(path, json={"text": text, "format": fmt})
            assert r.status_code == 422, (path, fmt, r.text)
            assert r.json()["code"] == "flow.syntax"
    await admin.aclose()


async def test_nul_characters_and_oversized_bodies_are_refused_before_the_database(
    api: Api,
) -> None:
    admin = await api.login("admin")
    r = await admin.post("/api/v1/teams", json={"name": "a\x00b"})
    assert (r.status_code, r.json()["details"]["field"]) == (422, "name")
    r = await admin.post("/api/v1/customers", json={"name": "x", "phones": ["1", "13\x008"]})
    assert (r.status_code, r.json()["details"]["field"]) == (422, "phones[1]")
    r = await admin.get("/api/v1/interactions", params={"queue": "vb.\x00"})
    assert r.status_code == 422
    assert "NUL" in r.json()["message"]
    text = "\\u0000 is six characters"  # an escaped backslash is not a NUL
    assert (await admin.post("/api/v1/skills", json={"name": "x", "description": text})).is_success
    big = {"name": "y", "notes": "长" * (2 * 1024 * 1024)}
    r = await admin.post("/api/v1/customers", json=big)
    assert (r.status_code, r.json()["code"]) == (413, "request.too_large")
    await admin.aclose()


async def test_a_phone_longer_than_any_number_is_named(api: Api) -> None:
    admin = await api.login("admin")
    r = await admin.post("/api/v1/customers", json={"name": "x", "phones": ["0" * 63]})
    assert (r.status_code, r.json()["details"]["field"]) == (422, "phones[0]")
    r = await admin.post("/api/v1/customers", json={"name": "x", "emails": ["a@b.c" + "d" * 300]})
    assert (r.status_code, r.json()["details"]["errors"][0]["field"]) == (422, "emails[0]")
    await admin.aclose()


async def test_a_flow_with_a_long_name_is_published_and_audited(api: Api) -> None:
    admin = await api.login("admin")
    text = (
        (EXAMPLES / "order-status.yaml")
        .read_text()
        .replace("name: order-status", f"name: {'order-status-' * 3}x")
    )
    r = await admin.post("/api/v1/flows", json={"text": text})
    assert r.status_code == 201, r.text
    found = (await admin.get("/api/v1/audit", params={"q": "order-status-order"})).json()
    assert found["items"][0]["entity_id"] == f"{'order-status-' * 3}x"
    await admin.aclose()

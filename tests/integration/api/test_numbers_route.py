"""A number and its flow live in one place, the numbers table (ADR 0200): a number never
points at a missing flow, and a published flow's `dids` write that table or refuse the whole
publish."""

from __future__ import annotations

from tests.integration.api.conftest import Api

NIGHT = "name: night\ndids: ['4001']\nstart: bye\nnodes:\n  bye: {type: hangup}\n"


async def test_a_number_routes_only_to_a_published_flow(api: Api) -> None:
    admin = await api.login("admin")
    numbers = (await admin.get("/api/v1/numbers")).json()["items"]
    assert [(n["number"], n["flow"]) for n in numbers] == [("4001", "main")]
    did = numbers[0]["id"]

    r = await admin.put(f"/api/v1/numbers/{did}", json={"number": "4001", "flow": "nowhere"})
    assert (r.status_code, r.json()["code"]) == (422, "number.flow.unknown")
    assert r.json()["details"]["field"] == "flow"
    assert r.json()["message"] == "语音导航：没有名为“nowhere”的已发布语音导航"
    assert (await admin.get(f"/api/v1/numbers/{did}")).json()["flow"] == "main"

    r = await admin.put(f"/api/v1/numbers/{did}", json={"number": "4001", "flow": None})
    assert r.status_code == 200, r.text
    assert (await admin.get(f"/api/v1/numbers/{did}")).json()["flow"] is None
    await admin.aclose()


async def test_a_flows_numbers_are_written_to_the_one_table_at_publish(api: Api) -> None:
    admin = await api.login("admin")
    # A number the center does not have refuses the publish: no version, no route changed.
    r = await admin.post("/api/v1/flows", json={"text": NIGHT.replace("4001", "4999")})
    assert (r.status_code, r.json()["code"]) == (422, "number.not_ours")
    assert r.json()["details"]["field"] == "dids[0]"
    assert r.json()["message"] == "流程号码（第 1 项）：“4999”不是本中心的号码"
    assert [f["name"] for f in (await admin.get("/api/v1/flows")).json()["items"]] == ["main"]

    r = await admin.post("/api/v1/flows", json={"text": NIGHT})
    assert r.status_code == 201, r.text
    numbers = (await admin.get("/api/v1/numbers")).json()["items"]
    assert [(n["number"], n["flow"]) for n in numbers] == [("4001", "night")]
    audit = (await admin.get("/api/v1/audit", params={"entity": "did"})).json()["items"]
    assert audit[0]["action"] == "update"
    assert (audit[0]["before"]["flow"], audit[0]["after"]["flow"]) == ("main", "night")
    await admin.aclose()

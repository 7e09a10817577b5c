"""The designer's layout over HTTP: kept beside the published version, returned when the flow
or one of its versions is opened, moved without a new version, restricted to the version's
nodes, and never part of the document (the YAML and the content hash stay the same)."""

from __future__ import annotations

import yaml

from hotline.flows.loader import parse_flow
from hotline.flows.versioning import content_hash
from tests.integration.api.conftest import Api


async def test_a_layout_is_kept_beside_each_version_and_opens_with_it(api: Api) -> None:
    admin = await api.login("admin")
    main = (await admin.get("/api/v1/flows/main")).json()
    assert main["layout"] is None  # the seeded flow: laid out automatically
    text, digest = main["yaml"], main["content_hash"]

    # Same content, boxes placed: no new version, the places kept (a gone node's left out).
    layout = {"welcome": {"x": 620, "y": 15.4}, "main_menu": {"x": -40, "y": 300}}
    same = await admin.post(
        "/api/v1/flows", json={"text": text, "layout": {**layout, "gone": {"x": 1, "y": 1}}}
    )
    assert same.status_code == 201, same.text
    assert same.json()["version"] == 1
    opened = (await admin.get("/api/v1/flows/main")).json()
    assert opened["layout"] == {"welcome": {"x": 620, "y": 15}, "main_menu": {"x": -40, "y": 300}}
    assert (opened["yaml"], opened["content_hash"]) == (text, digest)  # the document unchanged
    graph = (
        await admin.post(
            "/api/v1/flows/designer/graph", json={"text": text, "layout": opened["layout"]}
        )
    ).json()["graph"]
    boxes = {n["id"]: (n["x"], n["y"]) for n in graph["nodes"]}
    assert (boxes["welcome"], boxes["main_menu"]) == ((620, 15), (-40, 300))

    # Version 2 with its own layout; version 1 keeps its own.
    document = opened["document"]
    document["description"] = "moved"
    changed = parse_flow(document)
    v2 = await admin.post(
        "/api/v1/flows",
        json={
            "text": yaml.safe_dump(document, allow_unicode=True),
            "format": "yaml",
            "layout": {"welcome": {"x": 1, "y": 2}},
        },
    )
    assert v2.status_code == 201, v2.text
    assert v2.json()["version"] == 2
    assert v2.json()["content_hash"] == content_hash(changed)
    assert (await admin.get("/api/v1/flows/main")).json()["layout"] == {"welcome": {"x": 1, "y": 2}}
    first = (await admin.get("/api/v1/flows/main/versions/1")).json()
    assert first["layout"]["welcome"] == {"x": 620, "y": 15}
    # Restoring version 1 brings its boxes back.
    await admin.post("/api/v1/flows/main/rollback", json={"to": 1})
    assert (await admin.get("/api/v1/flows/main")).json()["layout"]["main_menu"] == {
        "x": -40,
        "y": 300,
    }
    # A publish without a layout (the YAML view) moves nothing.
    again = await admin.post("/api/v1/flows", json={"text": text})
    assert again.json()["version"] == 1
    assert (await admin.get("/api/v1/flows/main")).json()["layout"]["welcome"]["x"] == 620

    # A position that is no number, or off any canvas, is refused and nothing is written.
    for bad in ({"welcome": {"x": "left", "y": 1}}, {"welcome": {"x": 1e9, "y": 1}}):
        refused = await admin.post("/api/v1/flows", json={"text": text, "layout": bad})
        assert refused.status_code == 422, refused.text
        assert "layout" in refused.text
    assert (await admin.get("/api/v1/flows/main")).json()["layout"]["welcome"]["x"] == 620
    await admin.aclose()


async def test_an_agent_may_not_place_boxes(api: Api) -> None:
    agent = await api.login("agent1")
    main = await agent.post(
        "/api/v1/flows", json={"text": "name: x", "layout": {"a": {"x": 1, "y": 1}}}
    )
    assert main.status_code == 403
    await agent.aclose()

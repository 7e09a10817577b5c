"""The designer's endpoints: the palette, graph ⇄ YAML with the same meaning, the diff against
the active version, the test console through the interpreter and its spoken prompts."""

from __future__ import annotations

import wave
from io import BytesIO

import yaml

from hotline.flows.loader import parse_flow
from hotline.flows.schema import NODE_TYPES
from hotline.flows.versioning import content_hash
from tests.integration.api.conftest import Api


async def test_palette_graph_and_back_diff_console_speech(api: Api) -> None:
    admin = await api.login("admin")
    palette = (await admin.get("/api/v1/flows/palette")).json()["items"]
    assert [e["type"] for e in palette] == list(NODE_TYPES)  # every node type, in order
    main = (await admin.get("/api/v1/flows/main")).json()

    graph = (await admin.post("/api/v1/flows/designer/graph", json={"text": main["yaml"]})).json()
    graph = graph["graph"]
    assert {n["id"] for n in graph["nodes"]} == set(main["document"]["nodes"])
    text = (await admin.post("/api/v1/flows/designer/text", json={"graph": graph})).json()["text"]
    assert content_hash(parse_flow(yaml.safe_load(text))) == main["content_hash"]

    # Nothing changed: the diff says so.
    same = (await admin.post("/api/v1/flows/diff", json={"text": text})).json()
    assert (same["active_version"], same["same"], same["lines"]) == (1, True, [])
    # A node's prompt changed and a node gone: named, and the lines shown.
    document = yaml.safe_load(text)
    document["nodes"]["welcome"]["prompt"] = {"tts": {"zh-CN": "您好。", "en": "Hello."}}
    del document["nodes"]["holiday_notice"]
    document["nodes"]["hours_check"].pop("holiday")
    changed = yaml.safe_dump(document, allow_unicode=True)
    diff = (await admin.post("/api/v1/flows/diff", json={"text": changed})).json()
    assert set(diff["changed"]) == {"hours_check", "welcome"}
    assert diff["removed"] == ["holiday_notice"]
    assert "+        zh-CN: 您好。" in diff["lines"]
    bad = await admin.post("/api/v1/flows/diff", json={"text": "name: [x"})
    assert bad.status_code == 422

    # The console: keys typed, what the caller hears, where the flow waits.
    walked = (
        await admin.post(
            "/api/v1/flows/console", json={"text": text, "answers": ["not_found"], "language": "en"}
        )
    ).json()
    assert walked["awaiting"] == "digits"  # the demo is open 24×7: in the menu
    said = [line["text"] for line in walked["lines"] if line["kind"] == "say"]
    assert said[0] == "Welcome to the Hotline service center."

    spoken = await admin.post("/api/v1/flows/speech", json={"text": said[0], "language": "en"})
    assert spoken.status_code == 200, spoken.text
    assert spoken.headers["content-type"] == "audio/wav"
    with wave.open(BytesIO(spoken.content)) as audio:
        assert audio.getframerate() == 8000
        assert audio.getnframes() > 8000  # more than a second of speech
    await admin.aclose()


async def test_an_agent_may_not_use_the_designer(api: Api) -> None:
    agent = await api.login("agent1")
    assert (await agent.get("/api/v1/flows/palette")).status_code == 403
    await agent.aclose()

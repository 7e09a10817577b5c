"""Issue 10's acceptance against the real `hotline demo` server: 王芳 calls support from a baresip
phone; agent1 (browser phone) answers, consults agent3 (baresip phone 1003) with a note, joins
all three, leaves the three-way call and saves her own wrap-up; agent3 finishes, 王芳 rates the
call 4, agent3 saves hers. The contacts list, the contact's page, the figures and the
recording then say: one contact, answered once center-wide, offered once in support (the
consultation rings agent3's personal line, which is no queue), two agent segments each with its
own disposition and notes, the CSAT on agent3, and one two-channel recording — sealed on disk
(`recording.encrypt`), played back decrypted."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from hotline.media.wav import read_wav
from hotline.vault.sealed import MAGIC
from tests.data.callcenter.tones import AGENT1_HZ, AGENT2_HZ
from tests.integration.desk.conftest import (
    WANG_FANG,
    Desk,
    caller,
    has_tone,
    log_in_browser_agent,
    press,
)
from tests.integration.desk.test_desk_calls import agent3_phone
from tests.server import ServerProcess

pytestmark = [pytest.mark.baresip, pytest.mark.slow]

NOTE = "客户要求核对账单，请协助"


@pytest.fixture
def sealed_desk(tmp_path: Path) -> Iterator[Desk]:
    """The demo with recordings encrypted at rest."""
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_RECORDING__ENCRYPT="true",
        HOTLINE_RECORDING__KEY_DIR=str(tmp_path / "keys"),
    )
    server.start("demo")
    try:
        desk = Desk(server)
        desk.open_all_hours()
        yield desk
    finally:
        server.stop()


async def test_consult_then_three_way_call_is_one_contact_with_two_segments(
    sealed_desk: Desk, tmp_path: Path
) -> None:
    desk = sealed_desk
    agent1, agent3 = desk.login("agent1"), desk.login("agent3")
    a1, a3 = desk.agent_id("agent1"), desk.agent_id("agent3")
    async with (
        desk.browser_phone("agent1", AGENT1_HZ),
        agent3_phone(desk, tmp_path, ready=False),
        caller(desk, tmp_path) as customer,
    ):
        log_in_browser_agent(desk)
        await press(desk, customer, "2")  # support
        ringing = await desk.desk_of(
            "agent1", lambda d: (d["current"] or {}).get("phase") == "ringing"
        )
        iid = ringing["current"]["interaction_id"]
        assert agent1.post("/api/v1/desk/answer").json()["current"]["phase"] == "connected"
        assert agent3.post("/api/v1/desk/state", {"state": "available"}).status_code == 200
        consulting = agent1.post(
            "/api/v1/desk/transfer",
            {"kind": "consult", "target_kind": "agent", "target": a3, "note": NOTE},
        )
        assert consulting.status_code == 200, consulting.text
        await desk.desk_of(
            "agent1",
            lambda d: ((d["current"] or {}).get("consult") or {}).get("phase") == "connected",
        )
        joined = agent1.post("/api/v1/desk/conference")
        assert joined.status_code == 200, joined.text
        await desk.until(lambda: bool(desk.events("call.conferenced")))
        await asyncio.sleep(1.5)  # all three talk

        # agent1 leaves the three-way call; 王芳 and agent3 go on.
        assert agent1.post("/api/v1/desk/hangup").status_code == 200
        await desk.desk_of("agent1", lambda d: d["wrap_up"] is not None)
        await desk.until(lambda: agent1.get(f"/api/v1/interactions/{iid}").status_code == 200)
        mine = agent1.post(
            f"/api/v1/interactions/{iid}/wrapup",
            {"disposition": "follow_up", "notes": "已转交三方处理"},
        )
        assert mine.status_code == 200, mine.text
        assert agent1.post("/api/v1/desk/wrapup/end").json()["state"] == "available"
        await desk.desk_of("agent3", lambda d: (d["current"] or {}).get("phase") == "connected")
        await asyncio.sleep(1.5)  # agent3 alone with 王芳

        # agent3 ends the call from its desk; 王芳 hears the survey and presses 4.
        assert agent3.post("/api/v1/desk/hangup").status_code == 200
        await desk.until(
            lambda: any(
                e["interaction_id"] == iid and e["payload"]["node"] == "survey"
                for e in desk.events("flow.node_entered")
            )
        )
        await asyncio.sleep(0.5)
        await customer.keys("4")
        await desk.until(lambda: bool(desk.events("flow.survey_answered")), timeout=20)
        await desk.desk_of("agent3", lambda d: d["wrap_up"] is not None)
        theirs = agent3.post(
            f"/api/v1/interactions/{iid}/wrapup",
            {"disposition": "complaint", "notes": "账单投诉已登记"},
        )
        assert theirs.status_code == 200, theirs.text
        await desk.until(
            lambda: any(e["interaction_id"] == iid for e in desk.events("interaction.ended")),
            timeout=20,
        )

    admin = desk.login("admin")
    # The contacts list: one row for 王芳's call, whichever filter finds it.
    listed = await _eventually(
        desk,
        lambda: admin.client.get("/api/v1/interactions", params={"q": WANG_FANG}).json()["items"],
        lambda rows: rows and rows[0]["csat"] is not None,
    )
    assert [row["id"] for row in listed] == [iid]
    for who in (a1, a3):  # each agent's own list has it
        by_agent = admin.client.get("/api/v1/interactions", params={"agent_id": who}).json()[
            "items"
        ]
        assert [row["id"] for row in by_agent] == [iid]

    # The contact's page.
    detail = admin.get(f"/api/v1/interactions/{iid}").json()
    assert (detail["queues"], detail["agents"], len(detail["segments"])) == (
        ["support"],
        [a1, a3],
        2,
    )
    assert (detail["csat"], detail["csat_agent_id"]) == (4, a3)
    assert [(w["queue_id"], w["via"]) for w in detail["work_items"]] == [  # the visits
        ("support", "flow"),
        ("@agent", "consult"),
    ]
    consult = detail["work_items"][1]
    assert (consult["note"], consult["result"], consult["agent_id"]) == (NOTE, "conference", a3)
    segments = sorted(detail["segments"], key=lambda s: s["answered_at"])
    assert [(s["agent_id"], s["disposition"], s["notes"], s["csat"]) for s in segments] == [
        (a1, "follow_up", "已转交三方处理", None),
        (a3, "complaint", "账单投诉已登记", 4),
    ]

    # The figures: one offered in support, one answered center-wide, the CSAT on agent3.
    board = await _wallboard(desk)
    support = board["queues"]["support"]["today"]
    center = board["center"]["all"]["today"]
    assert (support["offered"], support["answered"]) == (1, 1)
    assert (center["offered"], center["answered"]) == (1, 1)
    assert board["agents"][a3]["csat_answers"] == 1
    assert board["agents"][a1]["csat_answers"] == 0
    assert (board["agents"][a1]["handled"], board["agents"][a3]["handled"]) == (1, 1)

    # One recording of the whole contact: the customer left, the center right — agent1 first,
    # agent3 last (then the survey).
    [recording] = [r for r in detail["recordings"] if r["kind"] == "call"]
    assert recording["channels"] == 2
    [stored] = (tmp_path / "var" / "recordings").rglob("*.wav")
    assert stored.read_bytes()[: len(MAGIC)] == MAGIC  # sealed at rest
    wav = tmp_path / "contact.wav"
    wav.write_bytes(admin.get(f"/api/v1/recordings/{recording['id']}").content)
    center_side = read_wav(wav).samples[:, 1]
    seconds = [center_side[i : i + 8000] for i in range(0, len(center_side) - 8000, 4000)]
    with_a1 = [k for k, w in enumerate(seconds) if has_tone(w, AGENT1_HZ)]
    with_a3 = [k for k, w in enumerate(seconds) if has_tone(w, AGENT2_HZ)]
    assert with_a1
    assert with_a3
    assert with_a1[0] < with_a3[-1]
    assert with_a3[-1] > with_a1[-1]


async def _eventually(desk: Desk, fetch: Any, ok: Any, timeout: float = 20.0) -> Any:
    found: list[Any] = []

    def probe() -> bool:
        found[:] = [fetch()]
        return bool(ok(found[0]))

    try:
        await desk.until(probe, timeout)
    except TimeoutError:
        raise AssertionError(f"not reached: {found}") from None
    return found[0]


async def _wallboard(desk: Desk) -> dict[str, Any]:
    """The supervisor's wallboard snapshot, as the page receives it."""
    supervisor = desk.login("supervisor")
    async with connect(
        desk.ws + "/api/v1/wallboard", additional_headers={"Cookie": supervisor.cookie}
    ) as ws:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        with contextlib.suppress(Exception):
            await ws.close()
    assert message["type"] == "wallboard.snapshot"
    return message

"""Acceptance (issue 17, the caller's side) against the real `hotline demo`: 张伟 calls from his
phone (a baresip caller), keys 1 in the example flow `tickets` and the flow opens a ticket in
售后部 about the call; his phone hears the number prompt (speech where it plays), the events
keep the prompt's text with the number digit by digit, and the ticket exists through the API,
linked to the call and to him. On his next call he keys 2 and the ticket's number, and hears
its status. All on 127.0.0.1: real SIP, RTP, espeak-ng prompts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import yaml

from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import Phone, baresip_phone
from tests.integration.desktop.harness import eventually, items, login
from tests.server import ServerProcess

pytestmark = [pytest.mark.baresip, pytest.mark.slow]

FLOW = Path(__file__).parents[3] / "examples" / "flows" / "tickets.yaml"
NUMBER = "13700137003"  # 张伟, a demo customer
RATE = 8000


def flow_events(client: httpx.Client, interaction_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(
        "/api/v1/events", params={"interaction_id": interaction_id, "limit": 1000}
    ).json()["items"]
    return found


def first(found: list[dict[str, Any]], kind: str, **payload: Any) -> dict[str, Any]:
    for event in found:
        if event["type"] == kind and all(event["payload"].get(k) == v for k, v in payload.items()):
            return event
    raise AssertionError(f"no {kind} {payload} in {[e['type'] for e in found]}")


def speech_windows(samples: np.ndarray, start_s: float, end_s: float) -> tuple[int, int]:
    """Of the 250 ms windows between the two times, how many carry sound (RMS > 300 of 32767)."""
    part = samples[int(start_s * RATE) : int(end_s * RATE)].astype(np.float64)
    size = RATE // 4
    windows = [part[i : i + size] for i in range(0, len(part) - size + 1, size)]
    loud = sum(1 for w in windows if float(np.sqrt(np.mean(w * w))) > 300)
    return loud, len(windows)


async def call(caller: Phone, server: ServerProcess, admin: httpx.Client, keys: str) -> str:
    """Dial the flow, key `keys` into its menu; the new contact's id."""
    before = {e["interaction_id"] for e in items(admin, "/api/v1/events", type="leg.answered")}
    await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
    await caller.wait_event("CALL_ESTABLISHED")

    def answered() -> list[str]:
        rows = items(admin, "/api/v1/events", type="flow.node_entered")
        return [e["interaction_id"] for e in rows if e["interaction_id"] not in before
                and e["payload"]["node"] == "menu"]  # fmt: skip

    (interaction_id,) = await eventually(answered, bool)
    await asyncio.sleep(1.0)  # into the menu prompt: the key interrupts it
    await caller.keys(keys)
    return str(interaction_id)


async def test_a_caller_opens_a_ticket_hears_its_number_then_hears_its_status(
    sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    flow = yaml.safe_load(FLOW.read_text(encoding="utf-8"))
    flow.update(name="main", dids=["4001"])  # the demo's number: its flow `main`, this version
    admin.post(
        "/api/v1/flows", json={"text": json.dumps(flow), "format": "json", "note": "tickets"}
    ).raise_for_status()
    (customer,) = items(admin, "/api/v1/customers/lookup", phone=NUMBER)

    async with baresip_phone(
        tmp_path, "caller", user=NUMBER, display="张伟", server_port=server.sip_port,
        tone_hz=CUSTOMER_HZ,
    ) as caller:  # fmt: skip
        interaction_id = await call(caller, server, admin, "1")
        await caller.wait_event("CALL_CLOSED", timeout=90)  # the flow says goodbye, hangs up
        found = await eventually(
            lambda: flow_events(admin, interaction_id),
            lambda rows: any(e["type"] == "interaction.ended" for e in rows),
        )
        heard, rate = caller.heard()
        assert rate == RATE

        # Second call: 2, then the number and '#'.
        created = first(found, "ticket.created")
        number = str(created["payload"]["number"])
        second = await call(caller, server, admin, "2")
        await eventually(
            lambda: flow_events(admin, second),
            lambda rows: any(e["payload"].get("node") == "ask_number" for e in rows),
        )
        await asyncio.sleep(1.0)
        await caller.keys(number + "#")
        await caller.wait_event("CALL_CLOSED", timeout=90)
        status_call = await eventually(
            lambda: flow_events(admin, second),
            lambda rows: any(e["type"] == "interaction.ended" for e in rows),
        )

    # The number prompt: its text, digit by digit, in the events; speech where it played.
    spoken = first(found, "flow.prompt_spoken", node="report")
    digits = " ".join(number)
    assert spoken["payload"]["language"] == "zh-CN"
    assert f"工单号为 {digits}。" in spoken["payload"]["text"]
    answered = first(found, "leg.answered")
    goodbye = first(found, "flow.node_entered", node="goodbye")
    start_s = spoken["at"] - answered["at"] + 0.3
    end_s = goodbye["at"] - answered["at"] - 0.3
    assert end_s - start_s > 8  # the number twice, in Chinese
    loud, windows = speech_windows(heard, start_s, end_s)
    assert loud >= windows * 0.6, (loud, windows)

    # The ticket, through the API: about this call, for 张伟, in 售后部 as the node says.
    ticket = admin.get(f"/api/v1/tickets/by-number/{number}").json()
    assert (ticket["department"], ticket["category"], ticket["priority"]) == (
        "售后部", "repair", "high",
    )  # fmt: skip
    assert ticket["subject"] == f"语音报修 {NUMBER}"
    assert ticket["customer_id"] == customer["id"]
    assert ticket["interaction_id"] == interaction_id
    assert ticket["created_by"] is None
    detail = admin.get(f"/api/v1/tickets/{ticket['id']}").json()
    assert [link["interaction_id"] for link in detail["links"]] == [interaction_id]

    # The status, read to him on the second call.
    status = first(status_call, "flow.prompt_spoken", node="status")
    assert status["payload"]["text"] == f"工单 {digits} 的当前状态是：处理中。"
    assert first(status_call, "flow.digits_collected", node="ask_number")["payload"]["digits"] == (
        number
    )

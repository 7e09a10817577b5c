"""Acceptance (issue 23, the voice bot): a caller (baresip) reaches a flow whose bot node listens
through PocketSphinx; once the log says the bot listens, the phone switches its audio to an
espeak-ng recording of "operator"; the recognized word is in the log (`speech.recognized`, the
bot's turn) and the bot hands the caller to a person — the support queue. All on 127.0.0.1:
real SIP, RTP, the real engine and its English model."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_tool
from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.desktop.harness import eventually, items, login
from tests.server import ServerProcess

pytestmark = [pytest.mark.baresip, pytest.mark.slow]

FLOW: dict[str, Any] = {
    "format": 1,
    "name": "main",
    "dids": ["4001"],  # the demo's number
    "language": "en",
    "start": "bot",
    "nodes": {
        # no greeting: the bot listens from the answer on, whenever the caller speaks
        "bot": {"type": "bot", "timeout": 20, "hand_off": "person", "no_reply": "bye"},
        "person": {"type": "queue", "queue": "support", "max_wait": 30, "no_answer": "bye"},
        "bye": {"type": "hangup"},
    },
}


def spoken(path: Path, words: str) -> Path:
    """`words` as an espeak-ng US-English recording, 8 kHz mono, with silence around it (the
    phone hangs up when its file ends: a minute of silence keeps the call up)."""
    espeak, sox = require_tool("espeak-ng"), require_tool("sox")
    raw = path.with_suffix(".raw.wav")
    subprocess.run([espeak, "-v", "en-us", "-s", "130", "-w", str(raw), words], check=True)
    subprocess.run(
        [sox, str(raw), "-r", "8000", "-c", "1", "-b", "16", str(path), "pad", "0.3", "60"],
        check=True,
    )
    return path


def silence(path: Path, seconds: float = 120.0) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(seconds * 8000))
    return path


def of(client: Any, interaction_id: str) -> list[dict[str, Any]]:
    return items(client, "/api/v1/events", interaction_id=interaction_id, limit=1000)


async def test_a_caller_says_operator_and_the_voice_bot_routes_to_a_person(
    sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    admin.post(
        "/api/v1/flows", json={"text": json.dumps(FLOW), "format": "json", "note": "voice bot"}
    ).raise_for_status()
    before = {e["interaction_id"] for e in items(admin, "/api/v1/events", type="leg.answered")}
    words = spoken(tmp_path / "operator.wav", "operator")
    async with baresip_phone(
        tmp_path, "caller", user="13900139099", server_port=server.sip_port,
        tone_hz=CUSTOMER_HZ, source=silence(tmp_path / "quiet.wav"),
    ) as caller:  # fmt: skip
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await caller.wait_event("CALL_ESTABLISHED")

        def listening() -> list[dict[str, Any]]:
            rows = items(admin, "/api/v1/events", type="speech.listening")
            return [e for e in rows if e["interaction_id"] not in before]

        await eventually(listening, bool, timeout=30)
        await caller.command("ausrc", f"aufile,{words}")  # the caller speaks

        def bot_turns() -> list[dict[str, Any]]:
            rows = items(admin, "/api/v1/events", type="flow.bot_turn")
            return [e for e in rows if e["interaction_id"] not in before]

        (turn,) = await eventually(bot_turns, bool, timeout=40)
        interaction_id = turn["interaction_id"]
        found = await eventually(
            lambda: of(admin, interaction_id),
            lambda rows: any(e["type"] == "queue.entered" for e in rows),
            timeout=30,
        )
        await caller.hangup()

    (heard,) = [e for e in found if e["type"] == "speech.recognized"]
    assert heard["payload"]["engine"] == "pocketsphinx"
    assert "operator" in heard["payload"]["text"]
    assert heard["payload"]["ended_by"] == "done"
    assert "operator" in turn["payload"]["question"]
    assert (turn["payload"]["outcome"], turn["payload"]["reason"]) == ("hand_off", "requested")
    (handed,) = [e for e in found if e["type"] == "flow.bot_handed_off"]
    assert handed["payload"]["reason"] == "requested"
    entered = next(e for e in found if e["type"] == "queue.entered")
    assert entered["at"] >= handed["at"]

"""Acceptance (issue 6) with real peers: a baresip caller on DID 4001 hears the greeting, keys
2, waits in `support` with music and announcements, reaches voicemail after the queue's wait,
leaves a message — and the WAV, the events and the e-mail at the SMTP sink all exist."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import numpy as np
import pytest

from hotline.ids import QueueId
from hotline.interactions import InteractionEnded, VoicemailRecorded
from hotline.routing import QueueConfig
from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.callcenter.softphone import tone_level
from tests.integration.callcenter.stack import MOH_HZ, call_center
from tests.integration.sip.peers import free_port

pytestmark = [pytest.mark.baresip]


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples.astype(np.float64))))) if len(samples) else 0.0


async def test_caller_hears_the_ivr_waits_and_leaves_a_voicemail(
    tmp_path: Path, tts_cache: Path
) -> None:
    caller_port = free_port()
    support = QueueConfig(QueueId("support"), max_wait_s=14)
    async with call_center(
        tmp_path, tts_cache, trunk_ports=[caller_port], support=support
    ) as center:
        async with baresip_phone(
            tmp_path,
            "caller",
            user="13800138000",
            sip_port=caller_port,
            server_port=center.port,
            tone_hz=CUSTOMER_HZ,
        ) as caller:
            await center.login(
                "a1", ready=False, phone_up=False
            )  # on a break: the queue is staffed
            await caller.dial(f"sip:4001@127.0.0.1:{center.port}")
            answered = await center.event("leg.answered", lambda e: e.role == "customer")
            await asyncio.sleep(
                1.5
            )  # into the greeting (interruptible): the key carries to the menu
            await caller.keys("2")
            entered = await center.event("queue.entered")
            assert entered.queue_id == "support"
            await center.event("queue.exited", timeout=20)  # the queue's max wait: voicemail
            await center.event("flow.node_entered", lambda e: e.node == "voicemail_support")
            # The greeting (~10 s of Mandarin TTS) and the beep, then the message is recorded
            # through a second media endpoint: leave 2 s of the caller's tone, then '#'.
            for _ in range(300):
                if center.engine.endpoint_count == 2:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.0)
            await caller.keys("#")
            recorded = await center.event("voicemail.recorded", timeout=10)
            ended = await center.event("interaction.ended", timeout=15)
            await asyncio.sleep(0.5)
            heard, rate = caller.heard()
        message = await _mail(center)

    assert isinstance(recorded, VoicemailRecorded)
    assert (recorded.mailbox, recorded.ended_by) == ("support", "key")
    assert recorded.duration_s > 1.0
    # The node's `ticket:` rides on the event for the job host (ADR 0162).
    assert recorded.ticket is not None
    assert recorded.ticket["department"] == "售后部"
    assert recorded.ticket["subject"] == "语音留言 13800138000"
    with wave.open(str(center.storage.path(recorded.path))) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (1, 8000)
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), "<i2")
    assert tone_level(pcm[:8000], CUSTOMER_HZ) > 0.1  # the caller's own "voice"

    # What the caller heard: speech right after the answer (the greeting), then in the queue
    # the announcement and the hold music.
    start = answered.at

    def window(a: float, b: float) -> np.ndarray:
        return heard[int((a - start) * rate) : int((b - start) * rate)]

    assert rms(window(start, start + 1.5)) > 500
    queued = window(entered.at, entered.at + 14)
    assert rms(queued[: 8 * rate]) > 300  # "您的来电对我们很重要…" (and the position)
    music = [tone_level(queued[i : i + rate], MOH_HZ) for i in range(0, len(queued), rate)]
    assert max(music[-4:]) > 0.2, music  # then hold music until the queue's max wait

    assert isinstance(ended, InteractionEnded)
    assert ended.reason == "voicemail"
    types = center.sink.types()
    for kind in (
        "call.arrived",
        "interaction.created",
        "flow.started",
        "queue.entered",
        "queue.exited",
        "voicemail.recorded",
        "voicemail.notified",
        "call.ended",
    ):
        assert kind in types, kind
    assert "新语音留言" in str(message["Subject"]) or "voicemail" in str(message["Subject"])
    assert message["To"] == "support@example.com"
    attachments = [part for part in message.walk() if part.get_filename()]
    assert attachments
    assert attachments[0].get_filename().endswith(".wav")


async def _mail(center: object) -> object:
    from tests.integration.callcenter.stack import CallCenter

    assert isinstance(center, CallCenter)
    for _ in range(100):
        if center.mail.messages:
            return center.mail.messages[0]
        await asyncio.sleep(0.1)
    raise AssertionError("no e-mail reached the SMTP sink")

"""Voicemail on fakes: nobody can answer → the flow's voicemail node records through a frame
endpoint, stores a WAV, emits `voicemail.recorded` and mails the notice; the silence rule."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from hotline.interactions import (
    InteractionEnded,
    VoicemailNotified,
    VoicemailRecorded,
)
from hotline.interactions.voice.voicemail import VoicemailEnd, VoicemailTap
from tests.unit.interactions.harness import make_world, until


def tone(seconds: float, hz: float = 440.0) -> list[np.ndarray]:
    t = np.arange(int(seconds * 8000)) / 8000
    pcm = (6000 * np.sin(2 * np.pi * hz * t)).astype(np.int16)
    return [pcm[i : i + 160] for i in range(0, len(pcm), 160)]


async def test_no_agent_logged_in_leads_to_voicemail_and_an_email(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    interaction = await world.call()
    await world.heard(interaction, "售后服务请按2")
    await world.press(interaction, "2")
    await world.heard(interaction, "请在提示音后留言")
    frames = None

    def tap_ready() -> bool:
        nonlocal frames
        frames = next((e for e in world.media.endpoints.values() if e.frame_port), None)
        return frames is not None

    await until(tap_ready)
    assert frames is not None
    assert frames.frame_port is not None
    for frame in tone(2.0):
        frames.frame_port.deliver(frame)
    await world.press(interaction, "#")
    await until(lambda: interaction.ended.is_set())

    recorded = world.of("voicemail.recorded")[0]
    assert isinstance(recorded, VoicemailRecorded)
    assert (recorded.mailbox, recorded.ended_by) == ("support", "key")
    assert recorded.duration_s == 2.0
    with wave.open(str(world.storage.path(recorded.path))) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getnframes()) == (1, 8000, 16000)
    assert [row.kind for row in world.catalog.rows] == ["voicemail"]
    await until(lambda: bool(world.of("voicemail.notified")))
    notified = world.of("voicemail.notified")[0]
    assert isinstance(notified, VoicemailNotified)
    assert notified.sent
    (message,) = world.mail.sent
    assert message["To"] == "support@example.com"
    assert "新语音留言" in message["Subject"]
    attachments = list(message.iter_attachments())
    assert attachments[0].get_filename().endswith(".wav")
    ended = world.of("interaction.ended")[-1]
    assert isinstance(ended, InteractionEnded)
    assert ended.reason == "voicemail"


def test_the_tap_ends_on_silence_and_on_length() -> None:
    tap = VoicemailTap(max_s=10, silence_s=1.0, silence_level=300)
    for frame in tone(1.0):
        tap.deliver(frame)
    assert tap.ended is None
    for _ in range(50):
        tap.deliver(np.zeros(160, np.int16))
    assert tap.ended is VoicemailEnd.SILENCE
    assert len(tap.audio()) == 8000 + 4000  # the message and half a second of its silence

    short = VoicemailTap(max_s=0.5, silence_s=5, silence_level=300)
    for frame in tone(1.0):
        short.deliver(frame)
    assert short.ended is VoicemailEnd.MAX_LENGTH
    assert short.samples == 4000

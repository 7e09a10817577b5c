"""Answering-machine detection next to the audio (ADR 0197): the media side's listener fed by a
leg's tap (a verdict, a machine's greeting end, limits counted in audio), how listening ends
early (the leg released, a new listener, stopped), and the control-channel messages by which a
media process hands back only the decision."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from hotline.amd import FRAME, AmdResult, AmdSettings, Verdict
from hotline.events import ListSink
from hotline.media.backend import Capabilities, Capability, EndpointContext, EndpointId, LocalMedia
from hotline.media.control import MediaProcessLost, frame, read_message
from hotline.media.detection import (
    DetectionEnd,
    MachineDetection,
    MachineDetections,
    MachineVerdict,
)
from hotline.media.remote import RemoteMediaBackend
from tests.unit.dialer.test_amd import pcm, quiet, voice

LEG = "ep-1"
NOTHING = np.zeros(0, np.int16)


def ticks(audio: np.ndarray) -> list[np.ndarray]:
    return [audio[i : i + FRAME] for i in range(0, audio.size, FRAME)]


class Steps:
    """The media side's monotonic clock, moved by the test (20 ms a tick it feeds)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Taps:
    """The engine's side of the taps: which legs are tapped, and the untaps asked for."""

    def __init__(self) -> None:
        self.untapped: list[str] = []

    def untap(self, endpoint_id: str) -> None:
        self.untapped.append(endpoint_id)


def listening(
    settings: AmdSettings | None = None,
    *,
    greeting_end_s: float | None = None,
    max_greeting_wait_s: float = 30.0,
) -> tuple[MachineDetections, MachineDetection, Any, Taps, Steps]:
    clock, taps = Steps(), Taps()
    detections = MachineDetections(clock, taps.untap)
    detection, tap = detections.start(
        LEG, settings or AmdSettings(), greeting_end_s=greeting_end_s,
        max_greeting_wait_s=max_greeting_wait_s,
    )  # fmt: skip
    return detections, detection, tap, taps, clock


def feed(tap: Any, clock: Steps, audio: np.ndarray) -> None:
    for tick in ticks(audio):
        clock.now += 0.02
        tap(tick)


async def test_a_machine_is_decided_and_listened_to_until_its_greeting_ends() -> None:
    detections, detection, tap, taps, clock = listening(greeting_end_s=0.8)
    feed(tap, clock, pcm(quiet(0.2), voice(2.5), noise_db=-60))
    verdict = await detection.verdict()
    assert verdict.decided
    assert verdict.result is not None
    assert (verdict.result.verdict, verdict.result.sure) == (Verdict.MACHINE, True)
    assert verdict.listened_s == pytest.approx(verdict.result.decided_after_s, abs=0.05)
    assert taps.untapped == []  # listened to on, for the greeting's end
    for _ in range(60):  # the callee stops sending: empty ticks, silence once past jitter
        tap(NOTHING)
    waited = await detection.greeting_end()
    heard_after = 0.2 + 2.5 - verdict.result.decided_after_s
    assert waited == pytest.approx(heard_after + 0.8, abs=0.2)
    assert taps.untapped == [LEG]  # nothing more to hear: the tap comes off by itself
    assert len(detections) == 0


async def test_a_person_is_decided_and_the_tap_comes_off_at_once() -> None:
    detections, detection, tap, taps, clock = listening(greeting_end_s=0.8)
    feed(tap, clock, pcm(quiet(0.3), voice(0.5), quiet(1.2), noise_db=-60))
    verdict = await detection.verdict()
    assert verdict.result is not None
    assert (verdict.result.verdict, verdict.result.sure) == (Verdict.HUMAN, True)
    assert await detection.greeting_end() is None  # a person has no greeting to wait out
    assert taps.untapped == [LEG]
    assert len(detections) == 0


async def test_a_machine_to_hang_up_on_is_not_listened_to_after_its_verdict() -> None:
    _, detection, tap, taps, clock = listening()
    feed(tap, clock, pcm(quiet(0.2), voice(2.5), noise_db=-60))
    assert (await detection.verdict()).result is not None
    assert await detection.greeting_end() is None
    assert taps.untapped == [LEG]


async def test_a_callee_who_sends_nothing_is_a_person_once_the_ticks_make_the_silence() -> None:
    _, detection, tap, _, _ = listening(AmdSettings(initial_silence_s=0.5))
    for _ in range(40):  # 0.8 s of ticks with nothing in them
        tap(NOTHING)
    verdict = await asyncio.wait_for(detection.verdict(), 1.0)
    assert verdict.result is not None
    assert (verdict.result.verdict, verdict.result.sure) == (Verdict.HUMAN, True)


async def test_undecided_at_the_time_limit_it_gives_its_lean() -> None:
    settings = AmdSettings(total_s=0.5, max_greeting_s=10.0, after_greeting_silence_s=5.0)
    _, detection, tap, _, clock = listening(settings)
    feed(tap, clock, pcm(voice(1.0), noise_db=-60))
    verdict = await asyncio.wait_for(detection.verdict(), 1.0)
    assert verdict.result is not None
    assert (verdict.result.verdict, verdict.result.sure) == (Verdict.HUMAN, False)
    assert verdict.result.decided_after_s == pytest.approx(0.5, abs=0.1)


async def test_a_greeting_that_never_ends_is_waited_for_at_most_the_limit() -> None:
    _, detection, tap, taps, clock = listening(greeting_end_s=1.0, max_greeting_wait_s=1.0)
    feed(tap, clock, pcm(voice(6.0), noise_db=-60))
    assert (await detection.verdict()).result is not None
    assert await detection.greeting_end() is None
    assert taps.untapped == [LEG]


async def test_a_leg_released_before_the_verdict_ends_its_listening_ended() -> None:
    detections, detection, tap, _, clock = listening(greeting_end_s=0.8)
    feed(tap, clock, pcm(voice(0.4), noise_db=-60))
    assert detections.end(LEG, DetectionEnd.ENDED)
    verdict = await detection.verdict()
    assert (verdict.end, verdict.result, verdict.decided) == (DetectionEnd.ENDED, None, False)
    assert verdict.listened_s == pytest.approx(0.4)
    assert await detection.greeting_end() is None
    assert not detections.end(LEG, DetectionEnd.ENDED)  # nobody listens any more


async def test_a_second_listener_on_a_leg_stops_the_first() -> None:
    detections, first, _, _, _ = listening()
    second, _ = detections.start(LEG, AmdSettings(), greeting_end_s=None, max_greeting_wait_s=1)
    assert (await first.verdict()).end is DetectionEnd.STOPPED
    assert not second.has_verdict
    assert len(detections) == 1


# --- the control channel --------------------------------------------------------------------


class Channel:
    """The media process's end of the control channel, in memory: what the server side wrote
    (decoded), and frames it sends back."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader
        self.written = bytearray()
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:  # the media process sees the channel close and closes its end
        self.closing = True
        if not self.reader.at_eof():
            self.reader.feed_eof()

    async def sent(self) -> list[Any]:
        reader = asyncio.StreamReader()
        reader.feed_data(bytes(self.written))
        reader.feed_eof()
        messages = []
        while not reader.at_eof():
            messages.append(await read_message(reader))
        return messages


async def connected() -> tuple[RemoteMediaBackend, asyncio.StreamReader, Channel]:
    reader = asyncio.StreamReader()
    channel = Channel(reader)
    reader.feed_data(frame(("ready", Capabilities(frozenset(Capability)))))
    remote = await RemoteMediaBackend.connect(reader, channel, sink=ListSink())  # type: ignore[arg-type]
    return remote, reader, channel


async def answer(reader: asyncio.StreamReader, channel: Channel, *messages: Any) -> None:
    """Reply to the last command and send `messages` after it, as the media process does."""
    await until(lambda: bool(channel.written))
    call_id = (await channel.sent())[-1][1]
    for message in (("reply", call_id, None), *messages):
        reader.feed_data(frame(message))
    channel.written.clear()


async def until(condition: Any) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the backend wrote nothing")


async def endpoint(remote: RemoteMediaBackend, reader: asyncio.StreamReader,
                   channel: Channel) -> EndpointId:  # fmt: skip
    creating = asyncio.ensure_future(remote.create_endpoint(EndpointContext("t1")))
    await until(lambda: bool(channel.written))
    call_id = (await channel.sent())[-1][1]
    local = LocalMedia(EndpointId(LEG), "127.0.0.1", 40000, 40001, (), 101)
    reader.feed_data(frame(("reply", call_id, local)))
    channel.written.clear()
    await creating
    return EndpointId(LEG)


SURE_MACHINE = AmdResult(Verdict.MACHINE, 1.62, True, 3, 1.6, 0.0)


async def test_the_remote_backend_offers_detection_but_no_audio_tap() -> None:
    remote, _, _ = await connected()
    assert remote.capabilities.supports(Capability.MACHINE_DETECTION)
    assert not remote.capabilities.supports(Capability.AUDIO_TAP)
    await remote.close()


async def test_detection_is_one_command_and_only_the_decision_comes_back() -> None:
    remote, reader, channel = await connected()
    leg = await endpoint(remote, reader, channel)
    settings = AmdSettings(max_greeting_s=2.0)
    starting = asyncio.ensure_future(
        remote.detect_machine(leg, settings, greeting_end_s=1.0, max_greeting_wait_s=20.0)
    )
    await until(lambda: bool(channel.written))
    ((kind, call_id, method, args, kwargs),) = await channel.sent()
    # the command: the leg, the detector's settings and the key its events will carry
    assert (kind, method) == ("call", "detect_machine")
    assert args == (leg, settings, 1)
    assert kwargs == {"greeting_end_s": 1.0, "max_greeting_wait_s": 20.0}
    # the verdict may be read before the reply's waiter runs: it still finds its detection
    decided = MachineVerdict(DetectionEnd.DECIDED, SURE_MACHINE, 1.7)
    for message in (("reply", call_id, None), ("machine", 1, decided), ("greeting", 1, 4.2)):
        reader.feed_data(frame(message))
    detection = await starting
    assert await detection.verdict() == decided
    assert await detection.greeting_end() == 4.2
    assert remote._detections == {}  # finished: forgotten
    await remote.close()


async def test_a_person_needs_no_greeting_message() -> None:
    remote, reader, channel = await connected()
    leg = await endpoint(remote, reader, channel)
    starting = asyncio.ensure_future(remote.detect_machine(leg, AmdSettings(), greeting_end_s=1.0))
    person = AmdResult(Verdict.HUMAN, 1.3, True, 1, 0.5, 0.8)
    await answer(reader, channel, ("machine", 1, MachineVerdict(DetectionEnd.DECIDED, person, 1.3)))
    detection = await starting
    assert (await detection.verdict()).result == person
    assert await detection.greeting_end() is None
    assert remote._detections == {}
    await remote.close()


async def test_releasing_the_leg_ends_the_detection_at_once_and_a_late_verdict_is_dropped() -> None:
    remote, reader, channel = await connected()
    leg = await endpoint(remote, reader, channel)
    starting = asyncio.ensure_future(remote.detect_machine(leg, AmdSettings(), greeting_end_s=1.0))
    await answer(reader, channel)
    detection = await starting
    releasing = asyncio.ensure_future(remote.release(leg))
    assert (await detection.verdict()).end is DetectionEnd.ENDED  # before the reply comes
    assert await detection.greeting_end() is None
    late = MachineVerdict(DetectionEnd.ENDED, None, 0.4)
    await answer(reader, channel, ("machine", 1, late), ("greeting", 1, None))
    await releasing
    assert remote._detections == {}
    await remote.close()


async def test_stopping_ends_it_stopped() -> None:
    remote, reader, channel = await connected()
    leg = await endpoint(remote, reader, channel)
    starting = asyncio.ensure_future(remote.detect_machine(leg, AmdSettings()))
    await answer(reader, channel)
    detection = await starting
    stopping = asyncio.ensure_future(remote.stop_detection(leg))
    await until(lambda: bool(channel.written))
    ((_, _, method, args, _),) = await channel.sent()
    assert (method, args) == ("stop_detection", (leg,))
    assert (await detection.verdict()).end is DetectionEnd.STOPPED
    await answer(reader, channel)
    await stopping
    await remote.close()


async def test_a_media_process_that_goes_ends_every_detection_lost() -> None:
    remote, reader, channel = await connected()
    leg = await endpoint(remote, reader, channel)
    starting = asyncio.ensure_future(remote.detect_machine(leg, AmdSettings(), greeting_end_s=1.0))
    await answer(reader, channel)
    detection = await starting
    reader.feed_eof()  # the process died: its end of the channel closed
    verdict = await asyncio.wait_for(detection.verdict(), 5.0)
    assert (verdict.end, verdict.result) == (DetectionEnd.LOST, None)
    assert await detection.greeting_end() is None
    with pytest.raises(MediaProcessLost):
        await remote.detect_machine(leg, AmdSettings())
    await remote.close()


async def test_the_messages_cross_the_channel_exactly() -> None:
    reader = asyncio.StreamReader()
    verdict = MachineVerdict(DetectionEnd.DECIDED, SURE_MACHINE, 1.7)
    sent = [("machine", 7, verdict), ("greeting", 7, 2.5), ("greeting", 8, None)]
    for message in sent:
        reader.feed_data(frame(message))
    received = [await read_message(reader) for _ in sent]
    assert received == sent
    assert received[0][2].end is DetectionEnd.DECIDED
    assert received[0][2].result.verdict is Verdict.MACHINE

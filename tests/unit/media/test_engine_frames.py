"""Engine logic without sockets: frame endpoints (the WebRTC seam) and a hand-driven clock."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from hotline.clock import FakeClock
from hotline.events import ListSink
from hotline.media.backend import ConferenceMode, EndpointContext, EndpointId, RemoteMedia
from hotline.media.dtmf import DtmfDigit, DtmfSource, TelephoneEvent
from hotline.media.endpoint import RtpEndpoint
from hotline.media.engine import MediaEngine
from hotline.media.errors import EndpointNotFound, MediaConflict
from hotline.media.events import RecordingStopped
from hotline.media.player import PlaybackEnd, Silence, Tone
from hotline.media.rtp import RtpPacket, RtpSender
from hotline.media.storage import FileRecordingStorage
from hotline.media.tones import BEEP
from hotline.media.wav import read_wav

Pcm = npt.NDArray[np.int16]


class Phone:
    """A frame endpoint's far side: keeps every frame the engine delivers."""

    def __init__(self) -> None:
        self.heard: list[Pcm] = []

    def deliver(self, pcm: Pcm) -> None:
        self.heard.append(pcm.copy())


def level(value: int) -> Pcm:
    return np.full(160, value, np.int16)


@pytest.fixture
def media(clock: FakeClock, tmp_path: Path) -> MediaEngine:
    return MediaEngine(port_min=40000, port_max=40010, sink=ListSink(), clock=clock,
                       storage=FileRecordingStorage(tmp_path))  # fmt: skip


async def joined(media: MediaEngine, n: int) -> tuple[list[EndpointId], list[Phone]]:
    phones = [Phone() for _ in range(n)]
    ids = [await media.create_frame_endpoint(EndpointContext("t"), p) for p in phones]
    return ids, phones


async def test_whisper_reaches_the_agent_only_and_barge_reaches_both(media: MediaEngine) -> None:
    (customer, agent, supervisor), (c, a, s) = await joined(media, 3)
    conference = await media.create_conference(EndpointContext("t"))
    await media.join_conference(conference, customer)
    await media.join_conference(conference, agent)
    await media.join_conference(conference, supervisor, ConferenceMode.WHISPER, whisper_to=agent)

    def tick(n: int) -> tuple[int, int, int]:
        media.push_frame(customer, level(1))
        media.push_frame(agent, level(10))
        media.push_frame(supervisor, level(100))
        media.run_tick(n)
        return int(c.heard[-1][0]), int(a.heard[-1][0]), int(s.heard[-1][0])

    assert tick(1) == (10, 101, 11)  # whisper: agent hears customer + supervisor
    await media.set_conference_mode(conference, supervisor, ConferenceMode.LISTEN)
    assert tick(2) == (10, 1, 11)  # monitor: nobody hears the supervisor
    await media.set_conference_mode(conference, supervisor, ConferenceMode.BARGE)
    assert tick(3) == (110, 101, 11)  # barge: everyone does
    await media.leave_conference(conference, supervisor)
    assert tick(4)[:2] == (10, 1)
    with pytest.raises(MediaConflict, match="whisper"):
        await media.join_conference(conference, supervisor, ConferenceMode.WHISPER)
    await media.destroy_conference(conference)
    await media.bridge(customer, agent)


async def test_a_whisperer_whose_target_leaves_just_listens(media: MediaEngine) -> None:
    (customer, agent, supervisor), (c, _, _) = await joined(media, 3)
    conference = await media.create_conference(EndpointContext("t"))
    for endpoint in (customer, agent):
        await media.join_conference(conference, endpoint)
    await media.join_conference(conference, supervisor, ConferenceMode.WHISPER, whisper_to=agent)
    await media.release(agent)
    media.push_frame(supervisor, level(100))
    media.run_tick(1)
    assert c.heard[-1][0] == 0


async def test_bridged_frame_endpoints_hear_each_other(media: MediaEngine) -> None:
    (one, two), (p1, p2) = await joined(media, 2)
    await media.bridge(one, two)
    media.push_frame(one, level(1234))
    media.run_tick(1)
    assert p2.heard[-1][0] == 1234
    assert p1.heard[-1][0] == 0  # two said nothing: silence, not a stale frame


async def test_playback_overrides_the_bridge_and_barge_in_ends_it(media: MediaEngine) -> None:
    (one, two), (p1, _) = await joined(media, 2)
    await media.bridge(one, two)
    playback = await media.play(one, [Tone(BEEP, 0.06)], barge_in=False)
    for tick in range(1, 5):
        media.push_frame(two, level(7))
        media.run_tick(tick)
    assert playback.finished
    assert await playback.wait() is PlaybackEnd.COMPLETED
    assert np.abs(p1.heard[0]).max() > 1000  # the beep
    assert p1.heard[-1][0] == 7  # then the bridge again
    digits: list[DtmfDigit] = []
    media._endpoints[one].dtmf_listeners.append(digits.append)
    interruptible = await media.play(one, [Silence(10)], barge_in=True)
    media.push_dtmf(one, DtmfDigit("5", 100, DtmfSource.RFC4733))
    assert await interruptible.wait() is PlaybackEnd.BARGE_IN
    assert digits == [DtmfDigit("5", 100, DtmfSource.RFC4733)]


async def test_hold_music_is_made_once_per_tick_for_all_listeners(media: MediaEngine) -> None:
    await media.register_moh("default", [Tone(BEEP, 0.25)])
    ids, phones = await joined(media, 3)
    for endpoint in ids:
        await media.start_moh(endpoint)
    for tick in range(1, 11):
        media.run_tick(tick)
    stream = media._moh["default"]
    assert stream.frames_made == 10
    assert all(np.array_equal(phones[0].heard[i], p.heard[i]) for p in phones for i in range(10))
    await media.bridge(ids[0], ids[1])  # answered: off hold
    assert stream.listeners == {media._endpoints[ids[2]]}


async def test_recording_a_frame_endpoint_and_the_release_that_stops_it(
    media: MediaEngine, tmp_path: Path
) -> None:
    (customer, agent), _ = await joined(media, 2)
    await media.bridge(customer, agent)
    recording = await media.start_recording(customer)
    with pytest.raises(MediaConflict, match="already"):
        await media.start_recording(customer)
    for tick in range(1, 53):
        media.push_frame(customer, level(1000))
        media.push_frame(agent, level(-1000))
        media.run_tick(tick)
    await media.release(customer)  # hang-up stops the recording
    assert len(media.recordings) == 0
    with pytest.raises(EndpointNotFound):
        await media.pause_recording(recording)
    sink = media.sink
    assert isinstance(sink, ListSink)
    (stopped,) = sink.of_type(RecordingStopped)
    audio = read_wav(tmp_path / stopped.path)
    assert audio.duration_s == pytest.approx(0.02 * 50)  # two frames of jitter delay dropped
    assert stopped.duration_s == audio.duration_s


async def test_the_consent_prompt_is_played_to_the_customer_and_recorded_right(
    media: MediaEngine, tmp_path: Path
) -> None:
    (customer, agent), (c, _) = await joined(media, 2)
    await media.bridge(customer, agent)
    await media.start_recording(customer, announcement=[Tone(BEEP, 0.2)])
    for tick in range(1, 40):
        media.push_frame(agent, level(-1000))
        media.run_tick(tick)
    await media.release(customer)
    sink = media.sink
    assert isinstance(sink, ListSink)
    (stopped,) = sink.of_type(RecordingStopped)
    right = read_wav(tmp_path / stopped.path).samples[:, 1]
    assert np.abs(right[: int(0.18 * 8000)]).max() > 1000  # the beep, first
    assert np.all(right[int(0.3 * 8000) :] == -988)  # then the agent (µ-law of -1000)
    assert np.abs(c.heard[0]).max() > 1000


async def test_a_failing_dtmf_callback_does_not_stop_the_clock(
    media: MediaEngine, clock: FakeClock
) -> None:
    def broken(endpoint: EndpointId, digit: DtmfDigit) -> None:
        raise RuntimeError("a bug in call control")

    # An RTP leg whose digit's end packets were lost: the digit ends on the clock's timeout.
    leg = RtpEndpoint(
        EndpointId("E1"), EndpointContext("t"), port=40000, send=lambda d, a: None,
        send_rtcp=lambda d, a: None, sender=RtpSender(1, 2, 3), inband_dtmf=False,
    )  # fmt: skip
    leg.apply_remote(RemoteMedia("127.0.0.1", 40100, "PCMU", 0, 101))
    media._register(leg, broken)
    leg.on_datagram(
        bytes(RtpPacket(101, 1, 800, 9, TelephoneEvent(4, False, 10, 160).serialize(), True)),
        ("127.0.0.1", 40100), clock.monotonic(),
    )  # fmt: skip
    media._dtmf_open[leg.id] = leg
    await media.start()
    try:
        clock.advance(1.0)
        media._on_timer()  # the timer fires: the digit ends, the callback raises
        assert media.tick_errors == 1
        assert media._timer is not None  # rescheduled all the same
        clock.advance(0.02)
        media._on_timer()
        assert media.tick_errors == 1
    finally:
        await media.close()

from __future__ import annotations

import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from hotline.events import ListSink
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.errors import RecordingError
from hotline.media.events import RecordingPurged
from hotline.media.recorder import Recording, StereoWavWriter, file_sha256
from hotline.media.storage import FileRecordingStorage, purge_recordings, recording_key
from hotline.media.wav import parse_wav

DAY = 86400.0
T0 = 1_790_000_000.0  # 2026-09-21


def codes(value: int) -> bytes:
    return g711.ulaw_encode(np.full(160, value, np.int16))


def test_header_is_valid_after_every_flush_so_a_killed_process_leaves_a_playable_file() -> None:
    file = io.BytesIO()
    recording = Recording("R1", "k", StereoWavWriter(file), codec=Codec.PCMU, delay=0,
                          flush_every=50)  # fmt: skip
    for tick in range(1, 76):  # 1.5 s: one flush at tick 50
        recording.on_received(tick * 160, codes(1000))
        recording.on_sent(tick * 160, codes(-1000))
        recording.on_tick(tick)
    snapshot = parse_wav(file.getvalue())  # what a crash right now would leave behind
    assert snapshot.channels == 2
    assert snapshot.duration_s == pytest.approx(50 * 0.02)
    left, right = snapshot.samples[:, 0], snapshot.samples[:, 1]
    assert np.all(left == g711.ulaw_decode(codes(1000))[0])
    assert np.all(right == g711.ulaw_decode(codes(-1000))[0])


class KeptOpen(io.BytesIO):
    def close(self) -> None:
        """Stay readable after the writer closes the file."""


def test_pause_writes_silence_and_keeps_the_spans() -> None:
    file = KeptOpen()
    recording = Recording("R1", "k", StereoWavWriter(file), codec=Codec.PCMU, delay=0)
    for tick in range(100):
        if tick == 25:
            assert recording.pause()
            assert not recording.pause()
        if tick == 75:
            assert recording.resume()
            assert not recording.resume()
        recording.on_received(tick * 160, codes(3000))
        recording.on_tick(tick)
    recording.pause()  # still paused at the end: the span ends with the recording
    recording.close()
    # The mute starts one frame early and ends one frame late (card-number safety).
    assert recording.spans_seconds() == ((0.48, 1.52), (1.98, 2.0))
    assert recording.duration_s == 2.0
    left = parse_wav(file.getvalue()).samples[:, 0]
    assert np.all(left[: int(0.48 * 8000)] != 0)
    assert np.all(left[int(0.48 * 8000) : int(1.52 * 8000)] == 0)
    assert np.all(left[int(1.52 * 8000) : int(1.98 * 8000)] != 0)


def test_ticks_skipped_after_a_stall_keep_the_timeline_so_a_pause_still_covers_its_audio() -> None:
    """The engine skips ticks after a long stall (its pacer's index jumps); the audio keeps its
    RTP timestamps. The file must keep wall time, or the mute would land before the words it
    was meant to hide."""
    file = KeptOpen()
    recording = Recording("R1", "k", StereoWavWriter(file), codec=Codec.PCMU, delay=320)
    for tick in range(150):
        secret = 100 <= tick < 110  # the customer reads a card number
        recording.on_received(tick * 160, codes(3000 if secret else 300))
        if 60 <= tick < 80:
            continue  # a stall: 20 ticks never run
        if tick == 100:
            assert recording.pause()
        if tick == 115:
            assert recording.resume()
        recording.on_tick(tick)
    recording.close()
    assert recording.duration_s == pytest.approx(150 * 0.02 - 0.02, abs=0.021)
    ((start, end),) = recording.spans_seconds()
    assert (start, end) == (pytest.approx(1.98), pytest.approx(2.32))
    left = parse_wav(file.getvalue()).samples[:, 0]
    loud = np.flatnonzero(np.abs(left) > 2000)
    assert loud.size == 0, f"the card number is in the file at {loud[0] / 8000:.3f} s"
    # Outside the mute the customer is there, before and after the stall.
    assert np.all(left[int(0.5 * 8000) : int(1.0 * 8000)] != 0)
    assert np.all(left[int(2.4 * 8000) : int(2.9 * 8000)] != 0)


def test_close_flushes_the_tail_and_drops_the_jitter_delay(tmp_path: Path) -> None:
    path = tmp_path / "r.wav"
    recording = Recording("R1", "k", StereoWavWriter(path.open("wb")), codec=Codec.PCMA, delay=320)
    for tick in range(12):
        recording.on_received(tick * 160, g711.alaw_encode(np.full(160, 500, np.int16)))
        recording.on_tick(tick)
    assert recording.close() is None  # no writer thread: written in place
    assert recording.close() is None
    size = recording.size_bytes
    audio = parse_wav(path.read_bytes())
    assert size == path.stat().st_size == 44 + 10 * 160 * 4
    assert audio.duration_s == pytest.approx(0.2)
    assert np.all(audio.samples[:, 0] == 504)  # A-law's nearest level to 500, from the start
    assert file_sha256(path.open("rb")) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_writer_thread_keeps_blocks_in_order_and_reports_a_full_disk(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=1) as executor:
        path = tmp_path / "t.wav"
        recording = Recording("R", "k", StereoWavWriter(path.open("wb"), executor=executor),
                              codec=Codec.PCMU, delay=0, flush_every=5)  # fmt: skip
        for tick in range(1, 51):
            recording.on_received(tick * 160, codes(tick * 100))
            recording.on_tick(tick)
        closed = recording.close()
        assert closed is not None
        closed.result(timeout=5)
        left = parse_wav(path.read_bytes()).samples[:, 0]
        assert len(left) == 50 * 160
        assert (
            left[::160].tolist()
            == g711.ulaw_decode(b"".join(codes(t * 100)[:1] for t in range(1, 51))).tolist()
        )

        class FullDisk(io.BytesIO):
            def write(self, data: object) -> int:
                if self.tell() >= 44:
                    raise OSError(28, "No space left on device")
                return super().write(data)  # type: ignore[arg-type]

        broken = Recording("R", "k", StereoWavWriter(FullDisk(), executor=executor),
                           codec=Codec.PCMU, delay=0, flush_every=5)  # fmt: skip
        for tick in range(1, 11):
            broken.on_tick(tick)
        done = broken.close()
        assert done is not None
        done.result(timeout=5)
        assert isinstance(broken.failure, OSError)


def test_recording_keys_follow_the_design_layout() -> None:
    assert recording_key("acme", "01J0", "01J1", T0) == "acme/2026/09/21/01J0-01J1.wav"
    assert recording_key("a/../b", None, "x y", T0) == "a_.._b/2026/09/21/no-interaction-x_y.wav"


def test_storage_never_overwrites_and_refuses_escapes(tmp_path: Path) -> None:
    storage = FileRecordingStorage(tmp_path)
    key = recording_key("acme", "I", "L", T0)
    first, f1 = storage.create(key)
    second, f2 = storage.create(key)
    f1.close()
    f2.close()
    assert (first, second) == (key, key.removesuffix(".wav") + "-2.wav")
    with pytest.raises(RecordingError, match="leaves the storage root"):
        storage.path("../../etc/passwd")


def _make(storage: FileRecordingStorage, tenant: str, age_days: float, name: str) -> str:
    key, file = storage.create(recording_key(tenant, name, "L", T0 - age_days * DAY))
    file.write(b"RIFF")
    file.close()
    stamp = T0 - age_days * DAY
    os.utime(storage.path(key), (stamp, stamp))
    return key


def test_purge_follows_each_tenants_retention(tmp_path: Path) -> None:
    storage = FileRecordingStorage(tmp_path)
    old_acme = _make(storage, "acme", 40, "old")
    new_acme = _make(storage, "acme", 10, "new")
    old_beta = _make(storage, "beta", 40, "old")
    sink = ListSink()
    purged = purge_recordings(
        storage, now=T0, default_retention_days=30, retention_days={"beta": 90}, sink=sink
    )
    assert purged == [old_acme]
    assert not storage.path(old_acme).exists()
    assert not storage.path(old_acme).parent.exists()  # empty day folder removed
    assert storage.path(new_acme).exists()
    assert storage.path(old_beta).exists()
    (event,) = sink.of_type(RecordingPurged)
    assert (event.tenant_id, event.path, event.retention_days) == ("acme", old_acme, 30)
    assert event.age_days == pytest.approx(40)
    assert purge_recordings(FileRecordingStorage(tmp_path / "none"), now=T0,
                            default_retention_days=1) == []  # fmt: skip

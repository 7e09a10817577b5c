"""Recordings encrypted at rest: what the recorder writes (appends, header rewrites every
second) reaches the disk only sealed; reading gives back exactly the WAV a plain file would
hold; a killed process leaves a sealed file that still plays up to its last second; a changed
byte is detected; keys rotate per tenant; plain files from before still open."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.recorder import Recording, StereoWavWriter, file_sha256
from hotline.media.storage import FileRecordingStorage, recording_key
from hotline.media.wav import parse_wav
from hotline.vault import (
    KeyMissing,
    Keyring,
    SealedFileDamaged,
    SealedReader,
    SealedRecordingStorage,
    SealedWriter,
    plain_size,
    recording_storage,
)

TENANT = "01JTENANTAAAAAAAAAAAAAAAAA"


def codes(value: int) -> bytes:
    return g711.ulaw_encode(np.full(160, value, np.int16))


def record(storage: FileRecordingStorage | SealedRecordingStorage, seconds: float) -> str:
    key, file = storage.create(recording_key(TENANT, "INTERACTION", "LEG", 1_790_000_000.0))
    recording = Recording("R1", key, StereoWavWriter(file), codec=Codec.PCMU, delay=0)
    for tick in range(1, int(seconds * 50) + 1):
        recording.on_received(tick * 160, codes(3000 if tick % 50 < 25 else 0))
        recording.on_sent(tick * 160, codes(-2000))
        recording.on_tick(tick)
    closed = recording.close()
    assert closed is None
    return key


def test_sealed_recording_reads_back_as_the_plain_wav(tmp_path: Path) -> None:
    plain = FileRecordingStorage(tmp_path / "plain")
    sealed = SealedRecordingStorage(
        FileRecordingStorage(tmp_path / "sealed"), Keyring(tmp_path / "k")
    )
    plain_key, sealed_key = record(plain, 3.3), record(sealed, 3.3)
    expected = plain.path(plain_key).read_bytes()
    on_disk = sealed.path(sealed_key).read_bytes()
    assert b"RIFF" not in on_disk
    assert b"WAVE" not in on_disk
    assert expected[44 : 44 + 64] not in on_disk  # no audio in the clear either
    with sealed.open_read(sealed_key) as file:
        assert plain_size(file) == len(expected)
        assert file.read() == expected
    assert file_sha256(sealed.open_read(sealed_key)) == file_sha256(plain.open_read(plain_key))
    with sealed.open_read(sealed_key) as file:  # seek and read a slice, as a Range request does
        file.seek(40)
        assert file.read(8) == expected[40:48]
        file.seek(-5, io.SEEK_END)
        assert file.read() == expected[-5:]
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in (tmp_path / "k").iterdir())


def test_a_killed_recorder_leaves_a_sealed_file_that_plays_to_its_last_second(
    tmp_path: Path,
) -> None:
    sealed = SealedRecordingStorage(FileRecordingStorage(tmp_path / "r"), Keyring(tmp_path / "k"))
    key, file = sealed.create(recording_key(TENANT, "I", "L", 1_790_000_000.0))
    recording = Recording("R1", key, StereoWavWriter(file), codec=Codec.PCMU, delay=0)
    for tick in range(1, 126):  # 2.5 s: flushed at 1 s and 2 s
        recording.on_received(tick * 160, codes(1000))
        recording.on_sent(tick * 160, codes(-1000))
        recording.on_tick(tick)
    path = sealed.path(key)
    data = path.read_bytes()
    path.write_bytes(data[:-7])  # the process died in the middle of writing a record
    with sealed.open_read(key) as left:
        audio = parse_wav(left.read())
    assert audio.channels == 2
    assert audio.duration_s == pytest.approx(1.0)  # the cut record (2nd second) is dropped


def test_a_changed_byte_or_a_moved_record_is_detected(tmp_path: Path) -> None:
    sealed = SealedRecordingStorage(FileRecordingStorage(tmp_path / "r"), Keyring(tmp_path / "k"))
    key = record(sealed, 2.5)
    path = sealed.path(key)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(SealedFileDamaged), sealed.open_read(key) as file:
        file.read()
    # A record copied from another recording of the same tenant does not verify here either.
    other = record(sealed, 2.5)
    first = sealed.path(other).read_bytes()
    second = bytearray(first)
    header = 8 + 2 + 16 + 16
    donor = sealed.path(record(sealed, 2.5)).read_bytes()
    second[header:] = donor[header:]
    sealed.path(other).write_bytes(bytes(second))
    with pytest.raises(SealedFileDamaged), sealed.open_read(other) as file:
        file.read()


def test_keys_are_per_tenant_rotate_and_go_missing_loudly(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path / "k")
    sealed = SealedRecordingStorage(FileRecordingStorage(tmp_path / "r"), keyring)
    old = record(sealed, 1.2)
    first_id = keyring.current(TENANT)[0]
    assert keyring.current("OTHER")[0] != first_id
    assert keyring.rotate(TENANT) != first_id
    new = record(sealed, 1.2)
    reader = sealed.open_read(new)
    assert isinstance(reader, SealedReader)
    assert reader.key_id != first_id
    reader.close()
    with sealed.open_read(old) as file:  # still opens with the old key
        assert parse_wav(file.read()).channels == 2
    (tmp_path / "k" / f"{TENANT}.json").unlink()
    fresh = SealedRecordingStorage(FileRecordingStorage(tmp_path / "r"), Keyring(tmp_path / "k"))
    with pytest.raises(KeyMissing):
        fresh.open_read(old)


def test_plain_recordings_still_open_and_encryption_can_be_turned_off(tmp_path: Path) -> None:
    plain = recording_storage(tmp_path / "r", encrypt=False, key_dir=tmp_path / "k")
    before = record(plain, 1.2)  # type: ignore[arg-type]
    sealed = recording_storage(tmp_path / "r", encrypt=True, key_dir=tmp_path / "k")
    after = record(sealed, 1.2)  # type: ignore[arg-type]
    for storage in (plain, sealed):
        for key in (before, after):
            with storage.open_read(key) as file:
                assert parse_wav(file.read()).channels == 2


@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.binary(min_size=0, max_size=90), st.booleans()),
        max_size=25,
    )
)
def test_any_writes_and_seeks_read_back_as_a_plain_file_would(
    writes: list[tuple[int, bytes, bool]],
) -> None:
    model = io.BytesIO()
    raw = io.BytesIO()
    raw.close = lambda: None  # type: ignore[method-assign]  # keep the bytes after close
    key = os.urandom(32)
    writer = SealedWriter(raw, key=key, key_id="k1")
    for position, data, flush in writes:
        for file in (model, writer):
            file.seek(position)
            file.write(data)
        if flush:
            writer.flush()
    writer.close()
    raw.seek(0)
    reader = SealedReader(raw, lambda _: key)
    assert reader.read() == model.getvalue()

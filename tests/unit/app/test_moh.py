from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from hotline.server.moh import render, write_default_moh


def test_the_built_in_hold_music_is_written_once_and_is_audible(tmp_path: Path) -> None:
    path = write_default_moh(tmp_path / "moh" / "default.wav")
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert len(pcm) == 8000 * 24
    assert 3000 < int(np.abs(pcm).max()) < 32767  # audible, never clipped
    assert abs(int(pcm[0])) < 50  # faded in: no click at the loop point
    stamp = path.stat().st_mtime_ns
    write_default_moh(path)
    assert path.stat().st_mtime_ns == stamp
    assert np.array_equal(render(), render())

from __future__ import annotations

import numpy as np

from hotline.media.mixer import ConferenceMode, Mixer, Participant


def tone(value: int) -> np.ndarray:
    return np.full(160, value, np.int16)


def test_full_participants_hear_everyone_but_themselves() -> None:
    mixer = Mixer()
    for key in "abc":
        mixer.set(Participant(key))
    out = mixer.mix({"a": tone(1), "b": tone(10), "c": tone(100)})
    assert (out["a"][0], out["b"][0], out["c"][0]) == (110, 101, 11)


def test_monitor_whisper_and_barge() -> None:
    mixer = Mixer()
    mixer.set(Participant("customer"))
    mixer.set(Participant("agent"))
    mixer.set(Participant("supervisor", ConferenceMode.LISTEN))
    frames = {"customer": tone(1), "agent": tone(10), "supervisor": tone(100)}
    out = mixer.mix(frames)
    assert (out["customer"][0], out["agent"][0], out["supervisor"][0]) == (10, 1, 11)
    mixer.set(Participant("supervisor", ConferenceMode.WHISPER, whisper_to="agent"))
    out = mixer.mix(frames)
    assert (out["customer"][0], out["agent"][0], out["supervisor"][0]) == (10, 101, 11)
    assert mixer.hears("agent", "supervisor")
    assert not mixer.hears("customer", "supervisor")
    mixer.set(Participant("supervisor", ConferenceMode.BARGE))
    out = mixer.mix(frames)
    assert (out["customer"][0], out["agent"][0]) == (110, 101)


def test_missing_frames_are_silence_and_sums_saturate() -> None:
    mixer = Mixer()
    for key in "abc":
        mixer.set(Participant(key))
    out = mixer.mix({"a": tone(30000), "b": tone(30000), "c": None})
    assert out["c"][0] == 32767
    assert out["a"][0] == 30000
    mixer.remove("c")
    assert set(mixer.mix({})) == {"a", "b"}
    assert Mixer().mix({}) == {}

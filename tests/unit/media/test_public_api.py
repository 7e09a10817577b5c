"""The surface call control and the composition root rely on (a change here is a decision)."""

from __future__ import annotations

import hotline.media as media
from hotline.media.backend import Capability, MediaBackend
from hotline.media.engine import MediaEngine


def test_public_names_are_exactly_these() -> None:
    assert sorted(media.__all__) == sorted(
        [
            "BEEP", "CN_BUSY", "CN_DIAL", "CN_RINGBACK", "Capabilities", "Capability",
            "CodecOffer", "ConferenceId", "ConferenceMode", "Direction", "DtmfCallback",
            "DtmfDigit", "DtmfSource", "EndpointContext", "EndpointId", "EspeakTts",
            "FileRecordingStorage", "FramePort", "LocalMedia", "MediaBackend", "MediaEngine",
            "Playback", "PlaybackEnd", "PlayItem", "PromptLibrary", "QualitySnapshot",
            "RecordingId", "RecordingInfo", "RecordingStorage", "RemoteMedia", "Silence", "Tone",
            "ToneSpec", "TtsText", "Unsupported", "WavFile", "purge_recordings",
        ]
    )  # fmt: skip
    for name in media.__all__:
        assert hasattr(media, name), name


def test_the_engine_implements_every_backend_method() -> None:
    protocol_methods = {
        name for name in vars(MediaBackend) if not name.startswith("_") and name != "capabilities"
    }
    for name in protocol_methods:
        assert callable(getattr(MediaEngine, name, None)), name


def test_the_engine_declares_every_capability() -> None:
    capabilities = MediaEngine.capabilities
    assert all(capabilities.supports(c) for c in Capability)
    assert capabilities.codecs == ("PCMU", "PCMA")

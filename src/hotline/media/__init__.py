"""Media: RTP/RTCP, codecs, DTMF, playback, recording, mixing, and the engine that owns sockets.

Call control imports what it needs from here: the `MediaBackend` interface and its values,
playlist items, and (in the composition root) the in-process `MediaEngine`. See docs/media.md.
"""

from hotline.media.backend import (
    Capabilities,
    Capability,
    CodecOffer,
    ConferenceId,
    ConferenceMode,
    Direction,
    DtmfCallback,
    EndpointContext,
    EndpointId,
    FramePort,
    LocalMedia,
    MediaBackend,
    Playback,
    QualitySnapshot,
    RecordingId,
    RecordingInfo,
    RemoteMedia,
    Unsupported,
)
from hotline.media.dtmf import DtmfDigit, DtmfSource
from hotline.media.engine import MediaEngine
from hotline.media.player import PlaybackEnd, PlayItem, Silence, Tone, TtsText, WavFile
from hotline.media.prompts import PromptLibrary
from hotline.media.storage import FileRecordingStorage, RecordingStorage, purge_recordings
from hotline.media.tones import BEEP, CN_BUSY, CN_DIAL, CN_RINGBACK, ToneSpec
from hotline.media.tts import EspeakTts

__all__ = [
    "BEEP",
    "CN_BUSY",
    "CN_DIAL",
    "CN_RINGBACK",
    "Capabilities",
    "Capability",
    "CodecOffer",
    "ConferenceId",
    "ConferenceMode",
    "Direction",
    "DtmfCallback",
    "DtmfDigit",
    "DtmfSource",
    "EndpointContext",
    "EndpointId",
    "EspeakTts",
    "FileRecordingStorage",
    "FramePort",
    "LocalMedia",
    "MediaBackend",
    "MediaEngine",
    "PlayItem",
    "Playback",
    "PlaybackEnd",
    "PromptLibrary",
    "QualitySnapshot",
    "RecordingId",
    "RecordingInfo",
    "RecordingStorage",
    "RemoteMedia",
    "Silence",
    "Tone",
    "ToneSpec",
    "TtsText",
    "Unsupported",
    "WavFile",
    "purge_recordings",
]

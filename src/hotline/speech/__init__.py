"""Speech recognition for the voice bot (ADR 0258): a streaming adapter for ASR engines
(`SpeechRecognizer`), an end-of-utterance detector on the caller's 20 ms frames, and one engine
wired here — CMU PocketSphinx with its US-English model. Chinese engines (a FunASR server, an
MRCP recognizer) plug in behind the same protocol (docs/speech.md)."""

from hotline.speech.endpointer import Endpointer, UtteranceState
from hotline.speech.recognizer import (
    RecognitionStream,
    Recognized,
    SpeechError,
    SpeechRecognizer,
    UnsupportedLanguage,
)

__all__ = [
    "Endpointer",
    "RecognitionStream",
    "Recognized",
    "SpeechError",
    "SpeechRecognizer",
    "UnsupportedLanguage",
    "UtteranceState",
]

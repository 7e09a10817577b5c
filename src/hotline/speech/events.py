"""What the recognizer heard on a call, in the interaction's log (ADR 0258)."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["SpeechListening", "SpeechRecognized"]


@domain_event("speech.listening")
class SpeechListening(DomainEvent):
    """The bot has started listening to the caller (the recognizer gets the audio from now)."""

    leg_id: str | None
    engine: str
    language: str


@domain_event("speech.recognized")
class SpeechRecognized(DomainEvent):
    leg_id: str | None
    text: str  # "" when the caller said nothing the engine could make out
    engine: str
    language: str
    ended_by: str  # "done" (spoke, then stopped) | "silent" (nothing said in time) | "hangup"
    duration_s: float
    confidence: float | None = None

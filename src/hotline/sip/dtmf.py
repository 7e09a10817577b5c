"""DTMF carried in SIP INFO bodies: `application/dtmf-relay` (the de-facto format phones use,
`Signal=5` / `Duration=160`) and `application/dtmf` (a bare digit)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DtmfInfo", "format_dtmf_relay", "parse_dtmf_info"]

_DIGITS = set("0123456789*#ABCDabcd")
_EVENT_CODES = {10: "*", 11: "#", 12: "A", 13: "B", 14: "C", 15: "D"}


@dataclass(frozen=True, slots=True)
class DtmfInfo:
    digit: str
    duration_ms: int = 160


def parse_dtmf_info(content_type: str | None, body: bytes) -> DtmfInfo | None:
    """The digit in an INFO body, or None when the body carries none we understand."""
    text = body.decode("utf-8", "replace").strip()
    if content_type == "application/dtmf":
        digit = text[:1]
        return DtmfInfo(digit.upper()) if digit in _DIGITS else None
    if content_type != "application/dtmf-relay":
        return None
    signal: str | None = None
    duration = 160
    for line in text.replace("\r\n", "\n").split("\n"):
        name, _, value = line.partition("=")
        name, value = name.strip().lower(), value.strip()
        if name == "signal":
            signal = value
        elif name == "duration" and value.isdigit():
            duration = int(value)
    if signal is None:
        return None
    if signal.isdigit() and int(signal) in _EVENT_CODES:
        signal = _EVENT_CODES[int(signal)]
    if len(signal) != 1 or signal not in _DIGITS:
        return None
    return DtmfInfo(signal.upper(), duration)


def format_dtmf_relay(info: DtmfInfo) -> bytes:
    return f"Signal={info.digit}\r\nDuration={info.duration_ms}\r\n".encode()

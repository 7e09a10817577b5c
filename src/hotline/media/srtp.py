"""SRTP and SRTCP (RFC 3711) for one RTP endpoint, keyed by SDES (RFC 4568; ADR 0104).

A thin wrapper around libsrtp (pylibsrtp, the binding aiortc uses): one outbound session keyed
with our master key, one inbound session keyed with the peer's. `protect` never fails on a
packet we built; `unprotect` returns None for anything that does not authenticate (plaintext
RTP, a replay, a forged packet), which the endpoint counts and drops. The only module of
Hotline that imports pylibsrtp (.importlinter).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pylibsrtp

__all__ = ["SRTP_KEY_BYTES", "SrtpContext", "new_master_key"]

SRTP_KEY_BYTES = 30  # AES-128 master key (16) and salt (14)
_PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
}


def new_master_key() -> bytes:
    return secrets.token_bytes(SRTP_KEY_BYTES)


@dataclass(slots=True)
class SrtpCounters:
    protected: int = 0
    unprotected: int = 0
    rejected: int = 0


class SrtpContext:
    """Protects what we send with `local_key`, checks what we receive with `remote_key`."""

    def __init__(self, suite: str, local_key: bytes, remote_key: bytes) -> None:
        profile = _PROFILES.get(suite)
        if profile is None:
            raise ValueError(f"unsupported SRTP crypto-suite {suite!r}")
        self.suite = suite
        self.local_key = local_key
        self.remote_key = remote_key
        self._tx = pylibsrtp.Session(
            pylibsrtp.Policy(local_key, pylibsrtp.Policy.SSRC_ANY_OUTBOUND, srtp_profile=profile)
        )
        self._rx = pylibsrtp.Session(
            pylibsrtp.Policy(remote_key, pylibsrtp.Policy.SSRC_ANY_INBOUND, srtp_profile=profile)
        )
        self.counters = SrtpCounters()

    def same_keys(self, suite: str, local_key: bytes, remote_key: bytes) -> bool:
        return (suite, local_key, remote_key) == (self.suite, self.local_key, self.remote_key)

    def protect(self, packet: bytes) -> bytes:
        self.counters.protected += 1
        return bytes(self._tx.protect(packet))

    def protect_rtcp(self, packet: bytes) -> bytes:
        return bytes(self._tx.protect_rtcp(packet))

    def unprotect(self, packet: bytes) -> bytes | None:
        try:
            plain = bytes(self._rx.unprotect(packet))
        except pylibsrtp.Error:
            self.counters.rejected += 1
            return None
        self.counters.unprotected += 1
        return plain

    def unprotect_rtcp(self, packet: bytes) -> bytes | None:
        try:
            return bytes(self._rx.unprotect_rtcp(packet))
        except pylibsrtp.Error:
            self.counters.rejected += 1
            return None

    def __repr__(self) -> str:  # keys stay out of logs and tracebacks
        return f"SrtpContext({self.suite})"

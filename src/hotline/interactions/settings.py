"""Plain settings of the telephony runtime; the lead maps them from `Settings` (config.py).

`TelephonySettings` holds the runtime's own choices; `QueueOptions` are per-queue call-control
options that the router does not know about (recording, consent prompt, hold music).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hotline.egress import EgressPolicy

__all__ = ["MailSettings", "QueueOptions", "TelephonySettings"]

DEFAULT_CONSENT: Mapping[str, str] = {
    "zh-CN": "为了提高服务质量，您的通话可能会被录音。",
    "en": "This call may be recorded to improve our service.",
}


@dataclass(frozen=True, slots=True)
class MailSettings:
    """SMTP for voicemail notices (stdlib `smtplib`, run in an executor)."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "hotline@localhost"
    timeout_s: float = 10.0
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    attach_max_bytes: int = 5_000_000  # larger voicemails are announced without the WAV


@dataclass(frozen=True, slots=True)
class QueueOptions:
    """Call-control options of one queue (alongside its router `QueueConfig`)."""

    record: bool = True
    consent_prompt: bool = False
    consent_text: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CONSENT))
    moh: str = "default"


@dataclass(frozen=True, slots=True)
class TelephonySettings:
    prompts_dir: Path | None = None  # flow prompt files are relative to it
    default_language: str = "zh-CN"
    time_zone: str = "Asia/Shanghai"  # dates in voicemail notices
    ring_slack_s: float = 5.0  # an agent leg gives up this long after the router's ring timeout
    reachability_check_s: float = 5.0  # how often logged-in agents' phones are looked up
    startup_grace_s: float = 120.0  # after a restart, phones have this long to come back
    announce_every_s: float = 45.0  # default cadence when a flow gives none
    transfer_timeout_s: float = 30.0  # an API transfer to an agent/queue waits this long
    trunk: str | None = None  # trunk for numbers (transfers out, click-to-dial, callbacks)
    outbound_caller_id: str | None = None  # number presented on calls out (else the DID)
    ack_timeout_s: float = 32.0
    hold_reinvite: bool = True  # re-INVITE the held customer `sendonly` (RFC 3264 §8.4)
    voicemail_silence_level: float = 300.0  # RMS (int16) below which audio counts as silence
    voicemail_min_s: float = 0.5  # shorter recordings are dropped as empty
    # A browser phone that comes back this soon (a page reload) gives its agent back the
    # availability its disconnection took away.
    browser_reconnect_grace_s: float = 60.0
    supervisor_ring_s: float = 30.0  # a supervisor's SIP phone rings this long for a monitor
    answer_wait_s: float = 3.0  # the desk's answer returns once bridged, or after this long
    queue_options: Mapping[str, QueueOptions] = field(default_factory=dict)
    mail: MailSettings = field(default_factory=MailSettings)
    # Where a flow's webhook lookup may connect: public addresses, plus the operator's
    # networks (`egress.*`, ADR 0116); private and loopback targets are refused.
    webhook_egress: EgressPolicy = field(default_factory=EgressPolicy)

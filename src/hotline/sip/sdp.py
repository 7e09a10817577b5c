"""Session descriptions (RFC 4566): parse and build the subset telephony uses.

Lines we do not model (b=, k=, unknown a= …) are kept in order so a description survives a
parse/serialize round trip. Codecs come from `a=rtpmap` or, for static payload types, from the
RFC 3551 table. SRTP keys travel in `a=crypto` lines (SDES, RFC 4568 §9.1), read by `Crypto`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace
from enum import StrEnum

from hotline.sip.errors import SdpError

__all__ = [
    "SRTP_SUITES",
    "Codec",
    "Crypto",
    "Direction",
    "MediaDescription",
    "Origin",
    "SessionDescription",
    "parse_sdp",
]

# RFC 4568 §6.2 crypto-suites we speak, with their master key + salt length in octets.
SRTP_SUITES: dict[str, int] = {
    "AES_CM_128_HMAC_SHA1_80": 30,
    "AES_CM_128_HMAC_SHA1_32": 30,
}


@dataclass(frozen=True, slots=True)
class Crypto:
    """One `a=crypto:<tag> <suite> inline:<key||salt>[|lifetime][|MKI:len] [params]` line.

    `key` is the master key and salt (30 octets for the AES_CM_128 suites). A line with an MKI,
    several keys or session parameters is kept (`usable` False) but never chosen: we key one
    SRTP session per direction from one master key (RFC 4568 §6.1, §6.3).
    """

    tag: int
    suite: str
    key: bytes
    usable: bool = True

    @classmethod
    def parse(cls, value: str) -> Crypto:
        """Parse the value after `a=crypto:`; raises `SdpError` when it is not one."""
        parts = value.split()
        if len(parts) < 3 or not parts[0].isdigit() or len(parts[0]) > 9:
            raise SdpError(f"bad a=crypto line {value[:60]!r}")
        tag, suite, params = int(parts[0]), parts[1], parts[2]
        method, colon, info = params.partition(":")
        if method != "inline" or not colon:
            raise SdpError(f"a=crypto key method must be inline: {value[:60]!r}")
        key_text, *extras = info.split("|")
        try:
            key = base64.b64decode(key_text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SdpError(f"a=crypto key is not base64: {value[:60]!r}") from exc
        expected = SRTP_SUITES.get(suite)
        has_mki = any(":" in extra for extra in extras)
        usable = (
            expected is not None
            and len(key) == expected
            and not has_mki
            and len(parts) == 3  # session parameters (UNENCRYPTED_SRTP …) change the rules
            and ";" not in params  # several keys (RFC 4568 §9.2) are not supported
        )
        return cls(tag, suite, key, usable)

    def __str__(self) -> str:
        return f"{self.tag} {self.suite} inline:{base64.b64encode(self.key).decode()}"


# RFC 3551 §6: static payload types we may meet without an rtpmap.
STATIC_PAYLOADS: dict[int, tuple[str, int]] = {
    0: ("PCMU", 8000),
    3: ("GSM", 8000),
    4: ("G723", 8000),
    8: ("PCMA", 8000),
    9: ("G722", 8000),
    13: ("CN", 8000),
    18: ("G729", 8000),
}


class Direction(StrEnum):
    SENDRECV = "sendrecv"
    SENDONLY = "sendonly"
    RECVONLY = "recvonly"
    INACTIVE = "inactive"

    def reversed(self) -> Direction:
        """The direction the other side sees (RFC 3264 §6.1)."""
        return _REVERSED[self]

    @property
    def sends(self) -> bool:
        return self in (Direction.SENDRECV, Direction.SENDONLY)

    @property
    def receives(self) -> bool:
        return self in (Direction.SENDRECV, Direction.RECVONLY)

    @staticmethod
    def of(sends: bool, receives: bool) -> Direction:
        if sends and receives:
            return Direction.SENDRECV
        if sends:
            return Direction.SENDONLY
        if receives:
            return Direction.RECVONLY
        return Direction.INACTIVE


_REVERSED = {
    Direction.SENDRECV: Direction.SENDRECV,
    Direction.SENDONLY: Direction.RECVONLY,
    Direction.RECVONLY: Direction.SENDONLY,
    Direction.INACTIVE: Direction.INACTIVE,
}
_DIRECTIONS = {d.value for d in Direction}


@dataclass(frozen=True, slots=True)
class Codec:
    """One RTP payload format: `Codec(0, "PCMU", 8000)`; `fmtp` as written after the PT."""

    payload_type: int
    name: str
    clock_rate: int
    channels: int = 1
    fmtp: str | None = None

    def same_format(self, other: Codec) -> bool:
        return (
            self.name.lower() == other.name.lower()
            and self.clock_rate == other.clock_rate
            and self.channels == other.channels
        )

    def rtpmap(self) -> str:
        chans = f"/{self.channels}" if self.channels != 1 else ""
        return f"{self.payload_type} {self.name}/{self.clock_rate}{chans}"


@dataclass(frozen=True, slots=True)
class Origin:
    username: str = "-"
    session_id: int = 0
    session_version: int = 0
    address: str = "127.0.0.1"
    nettype: str = "IN"
    addrtype: str = "IP4"

    def __str__(self) -> str:
        return (
            f"{self.username} {self.session_id} {self.session_version} "
            f"{self.nettype} {self.addrtype} {self.address}"
        )


@dataclass(frozen=True, slots=True)
class MediaDescription:
    """An m= section. `attributes` holds every a= line in order as (name, value or None)."""

    media: str
    port: int
    proto: str
    formats: tuple[str, ...]
    connection: str | None = None
    attributes: tuple[tuple[str, str | None], ...] = ()
    other_lines: tuple[str, ...] = ()

    def attribute(self, name: str) -> str | None:
        for key, value in self.attributes:
            if key == name:
                return value if value is not None else ""
        return None

    def attribute_values(self, name: str) -> list[str]:
        return [v or "" for k, v in self.attributes if k == name]

    @property
    def direction(self) -> Direction:
        for key, _ in reversed(self.attributes):
            if key in _DIRECTIONS:
                return Direction(key)
        return Direction.SENDRECV

    @property
    def ptime(self) -> int | None:
        value = self.attribute("ptime")
        return int(value) if value and value.isdigit() else None

    @property
    def secure(self) -> bool:
        """An SRTP profile (RTP/SAVP, RTP/SAVPF): media only with keys from `a=crypto`."""
        return self.proto.upper() in ("RTP/SAVP", "RTP/SAVPF")

    @property
    def crypto(self) -> list[Crypto]:
        """The `a=crypto` lines in the offerer's order of preference; malformed ones skipped."""
        out: list[Crypto] = []
        for value in self.attribute_values("crypto"):
            try:
                out.append(Crypto.parse(value))
            except SdpError:
                continue
        return out

    @property
    def codecs(self) -> list[Codec]:
        """Payload formats in the offerer's order of preference, with rtpmap/fmtp applied."""
        rtpmaps: dict[str, tuple[str, int, int]] = {}
        fmtps: dict[str, str] = {}
        for value in self.attribute_values("rtpmap"):
            key, _, enc = value.partition(" ")
            parts = enc.strip().split("/")
            if len(parts) >= 2 and parts[1].isdigit():
                chans = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
                rtpmaps[key] = (parts[0], int(parts[1]), chans)
        for value in self.attribute_values("fmtp"):
            key, _, params = value.partition(" ")
            fmtps[key] = params.strip()
        out: list[Codec] = []
        for fmt in self.formats:
            if not fmt.isdigit():
                continue
            pt = int(fmt)
            if fmt in rtpmaps:
                name, rate, chans = rtpmaps[fmt]
            elif pt in STATIC_PAYLOADS:
                name, rate = STATIC_PAYLOADS[pt]
                chans = 1
            else:
                continue
            out.append(Codec(pt, name, rate, chans, fmtps.get(fmt)))
        return out

    def with_direction(self, direction: Direction) -> MediaDescription:
        attrs = tuple((k, v) for k, v in self.attributes if k not in _DIRECTIONS)
        return replace(self, attributes=(*attrs, (direction.value, None)))

    def lines(self) -> list[str]:
        out = [f"m={self.media} {self.port} {self.proto} {' '.join(self.formats)}"]
        out.extend(ln for ln in self.other_lines if ln.startswith("i="))
        if self.connection is not None:
            out.append(f"c=IN {_addrtype(self.connection)} {self.connection}")
        out.extend(ln for ln in self.other_lines if not ln.startswith("i="))
        out.extend(f"a={k}" if v is None else f"a={k}:{v}" for k, v in self.attributes)
        return out


def _addrtype(address: str) -> str:
    return "IP6" if ":" in address else "IP4"


@dataclass(frozen=True, slots=True)
class SessionDescription:
    origin: Origin = field(default_factory=Origin)
    session_name: str = "-"
    connection: str | None = None
    timing: str = "0 0"
    attributes: tuple[tuple[str, str | None], ...] = ()
    media: tuple[MediaDescription, ...] = ()
    other_lines: tuple[str, ...] = ()

    def audio(self) -> MediaDescription | None:
        """The first audio stream with a non-zero port."""
        for m in self.media:
            if m.media == "audio" and m.port != 0:
                return m
        return None

    def connection_for(self, media: MediaDescription) -> str | None:
        return media.connection if media.connection is not None else self.connection

    def __bytes__(self) -> bytes:
        lines = ["v=0", f"o={self.origin}", f"s={self.session_name}"]
        lines.extend(ln for ln in self.other_lines if ln[:2] in ("i=", "u=", "e=", "p="))
        if self.connection is not None:
            lines.append(f"c=IN {_addrtype(self.connection)} {self.connection}")
        lines.extend(ln for ln in self.other_lines if ln[:2] == "b=")
        lines.append(f"t={self.timing}")
        lines.extend(ln for ln in self.other_lines if ln[:2] not in ("i=", "u=", "e=", "p=", "b="))
        lines.extend(f"a={k}" if v is None else f"a={k}:{v}" for k, v in self.attributes)
        for m in self.media:
            lines.extend(m.lines())
        return ("\r\n".join(lines) + "\r\n").encode()


def _attr(value: str) -> tuple[str, str | None]:
    name, colon, rest = value.partition(":")
    return (name, rest if colon else None)


def _connection(value: str) -> str:
    parts = value.split()
    if len(parts) != 3 or parts[0] != "IN" or parts[1] not in ("IP4", "IP6"):
        raise SdpError(f"bad c= line {value!r}")
    return parts[2].split("/", 1)[0]


@dataclass(slots=True)
class _MediaBuilder:
    media: str
    port: int
    proto: str
    formats: list[str]
    connection: str | None = None
    attributes: list[tuple[str, str | None]] = field(default_factory=list)
    others: list[str] = field(default_factory=list)

    def build(self) -> MediaDescription:
        return MediaDescription(
            self.media,
            self.port,
            self.proto,
            tuple(self.formats),
            self.connection,
            tuple(self.attributes),
            tuple(self.others),
        )


def parse_sdp(data: bytes) -> SessionDescription:
    """Parse a session description; raise `SdpError` (answer 400/488) when it is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SdpError("session description is not UTF-8") from exc
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n") if ln]
    if not lines or lines[0] != "v=0":
        raise SdpError("session description must start with v=0")
    origin: Origin | None = None
    session_name = "-"
    connection: str | None = None
    timing = "0 0"
    attributes: list[tuple[str, str | None]] = []
    others: list[str] = []
    media: list[MediaDescription] = []
    current: _MediaBuilder | None = None
    for line in lines[1:]:
        if len(line) < 2 or line[1] != "=":
            raise SdpError(f"bad SDP line {line[:40]!r}")
        kind, value = line[0], line[2:]
        if kind == "m":
            if current is not None:
                media.append(current.build())
            parts = value.split()
            if len(parts) < 4 and not (len(parts) == 3 and parts[1] == "0"):
                raise SdpError(f"bad m= line {value!r}")
            port_text = parts[1].split("/", 1)[0]
            if not port_text.isdigit() or int(port_text) > 65535:
                raise SdpError(f"bad port in m= line {value!r}")
            current = _MediaBuilder(parts[0], int(port_text), parts[2], parts[3:])
        elif current is not None:
            if kind == "c":
                current.connection = _connection(value)
            elif kind == "a":
                current.attributes.append(_attr(value))
            else:
                current.others.append(line)
        elif kind == "o":
            parts = value.split()
            if len(parts) != 6 or not parts[1].isdigit() or not parts[2].isdigit():
                raise SdpError(f"bad o= line {value!r}")
            origin = Origin(parts[0], int(parts[1]), int(parts[2]), parts[5], parts[3], parts[4])
        elif kind == "s":
            session_name = value
        elif kind == "c":
            connection = _connection(value)
        elif kind == "t":
            timing = value
        elif kind == "a":
            attributes.append(_attr(value))
        else:
            others.append(line)
    if current is not None:
        media.append(current.build())
    if origin is None:
        raise SdpError("session description without o= line")
    return SessionDescription(
        origin=origin,
        session_name=session_name,
        connection=connection,
        timing=timing,
        attributes=tuple(attributes),
        media=tuple(media),
        other_lines=tuple(others),
    )

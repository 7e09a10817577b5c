"""What the gateway accepts in a browser's SDP offer (RFC 8866 syntax, RFC 8839 ICE attributes),
and the candidate filter that keeps media on the configured ICE address.

Pure text in, text out: `prepare_offer(sdp, host=...)` validates the offer (one audio section
that offers PCMU, nothing else), keeps only the UDP host candidates the gateway can reach
(loopback only when the gateway's address is loopback; never mDNS `.local` names, whose
resolution would multicast on the LAN), and marks the candidates complete — the page gathers
before it sends, so there is no trickle and ICE may fail fast instead of waiting.
"""

from __future__ import annotations

import dataclasses
import ipaddress

from hotline.media.webrtc.errors import OfferRejected

__all__ = ["MAX_OFFER_BYTES", "Candidate", "candidates", "parse_candidate", "prepare_offer"]

MAX_OFFER_BYTES = 64 * 1024
_END_OF_CANDIDATES = "a=end-of-candidates"


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate:
    """One `a=candidate` line (RFC 8839 §5.1)."""

    foundation: str
    component: int
    transport: str  # lower case: "udp", "tcp"
    priority: int
    address: str
    port: int
    type: str  # "host", "srflx", "prflx", "relay"

    def reachable_from(self, host: str) -> bool:
        """May a gateway bound to `host` send to this candidate without leaving what `host`
        allows: same IP family, an IP literal (no mDNS), and loopback stays loopback."""
        if self.transport != "udp":
            return False  # aioice pairs UDP only
        try:
            address = ipaddress.ip_address(self.address)
        except ValueError:
            return False  # an mDNS name (`….local`)
        local = ipaddress.ip_address(host)
        if address.version != local.version:
            return False
        return address.is_loopback if local.is_loopback else not address.is_loopback


def parse_candidate(line: str) -> Candidate | None:
    """`a=candidate:…` (or the bare `candidate:…` value) → Candidate; None when malformed."""
    value = line.strip()
    if value.startswith("a="):
        value = value[2:]
    if not value.startswith("candidate:"):
        return None
    parts = value[len("candidate:") :].split()
    if len(parts) < 8 or parts[6] != "typ":
        return None
    try:
        return Candidate(
            foundation=parts[0],
            component=int(parts[1]),
            transport=parts[2].lower(),
            priority=int(parts[3]),
            address=parts[4],
            port=int(parts[5]),
            type=parts[7],
        )
    except ValueError:
        return None


def candidates(sdp: str) -> list[Candidate]:
    """Every well-formed candidate in a description, in order."""
    found = []
    for line in sdp.splitlines():
        candidate = parse_candidate(line) if line.startswith("a=candidate:") else None
        if candidate is not None:
            found.append(candidate)
    return found


def _sections(lines: list[str]) -> list[list[str]]:
    """The session part, then one list per `m=` section (each starting with its m-line)."""
    sections: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("m="):
            sections.append([])
        sections[-1].append(line)
    return sections


def _offers_pcmu(section: list[str]) -> bool:
    m_line = section[0].split()
    formats = m_line[3:]
    if "0" in formats:  # static payload type 0 is PCMU (RFC 3551 §6)
        return True
    for line in section:
        if line.startswith("a=rtpmap:"):
            pt, _, encoding = line[len("a=rtpmap:") :].partition(" ")
            if pt in formats and encoding.upper().startswith("PCMU/8000"):
                return True
    return False


def prepare_offer(sdp: str, *, host: str) -> str:
    """Validate a browser's offer and keep the candidates a gateway bound to `host` may use.

    Raises `OfferRejected` (naming the line or attribute) unless the offer is one audio section
    with PCMU, ICE credentials, a DTLS fingerprint and at least one usable candidate.
    """
    if not isinstance(sdp, str) or not sdp.strip():
        raise OfferRejected("the offer has no SDP text", details={"field": "sdp"})
    if len(sdp.encode()) > MAX_OFFER_BYTES:
        raise OfferRejected(
            f"the offer is larger than {MAX_OFFER_BYTES} bytes", details={"field": "sdp"}
        )
    lines = [line.rstrip("\r") for line in sdp.split("\n")]
    lines = [line for line in lines if line]
    if not lines or not lines[0].startswith("v="):
        raise OfferRejected("the offer does not start with v=", details={"field": "sdp", "line": 1})
    session, *media = _sections(lines)
    if len(media) != 1 or not media[0][0].startswith("m=audio "):
        kinds = [section[0].split()[0][2:] for section in media]
        raise OfferRejected(
            f"the phone offers exactly one audio stream, not {kinds or 'none'}",
            details={"field": "sdp", "media": kinds},
        )
    audio = media[0]
    if len(audio[0].split()) < 4:
        raise OfferRejected(f"malformed m-line {audio[0]!r}", details={"field": "sdp"})
    if not _offers_pcmu(audio):
        raise OfferRejected(
            "the offer has no PCMU codec (the phone speaks G.711 µ-law only)",
            details={"field": "sdp", "line": audio[0]},
        )
    for attribute in ("a=ice-ufrag:", "a=ice-pwd:", "a=fingerprint:"):
        if not any(line.startswith(attribute) for line in [*session, *audio]):
            raise OfferRejected(
                f"the offer has no {attribute[2:-1]} (WebRTC needs ICE credentials and a DTLS "
                "fingerprint)",
                details={"field": "sdp", "attribute": attribute[2:-1]},
            )
    kept: list[str] = []
    usable = 0
    for line in audio:
        if line == _END_OF_CANDIDATES:
            continue
        if line.startswith("a=candidate:"):
            candidate = parse_candidate(line)
            if candidate is None or not candidate.reachable_from(host):
                continue
            usable += 1
        kept.append(line)
    if usable == 0:
        raise OfferRejected(
            f"the offer has no UDP candidate the gateway can reach from {host}",
            code="webrtc.offer.no_candidates",
            details={"field": "sdp", "host": host},
        )
    kept.append(_END_OF_CANDIDATES)
    return "\r\n".join([*session, *kept]) + "\r\n"

"""Media endpoints: one per call leg. `RtpEndpoint` speaks RTP/RTCP (RFC 3550) to a SIP peer;
`FrameEndpoint` exchanges decoded 20 ms frames with a non-RTP peer (the WebRTC seam).

Endpoints hold per-leg state and the per-packet hot path; they never own sockets or timers.
The engine gives each a `send(data, addr)` callable and drives it from its one 20 ms clock:
`inbound(tick)` is what the leg said during the tick, `emit(frame)` sends what it hears.

Symmetric RTP latching (RFC 4961 §3, the usual NAT traversal): we send to where the peer's
packets come from. The first source seen after `apply_remote()` is latched; others are dropped
(no media hijack) unless the latched source has been silent for `relatch_after` seconds.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from hotline.media.backend import (
    Direction,
    EndpointContext,
    EndpointId,
    RemoteMedia,
    SrtpParams,
)
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.dtmf import DtmfDigit, Rfc4733Receiver, Rfc4733Sender
from hotline.media.dtmf_inband import InbandDtmfDetector
from hotline.media.jitter import JitterBuffer
from hotline.media.rtcp import ReceptionStats
from hotline.media.rtp import RtpSender
from hotline.media.srtp import SrtpContext, new_master_key

if TYPE_CHECKING:  # these modules import this one: annotations only
    from hotline.media.conference import Conference
    from hotline.media.moh import MohStream
    from hotline.media.player import Player, PromptAudio
    from hotline.media.recorder import Recording

__all__ = ["AudioFrame", "Endpoint", "FrameEndpoint", "RtpEndpoint"]

Pcm = npt.NDArray[np.int16]
Address = tuple[str, int]
Send = Callable[[bytes, Address], None]
FRAME = 160
_HEADER = struct.Struct("!BBHII")
_TRANSLATE = {
    (Codec.PCMU, Codec.PCMA): g711.transcode_table(Codec.PCMU, Codec.PCMA),
    (Codec.PCMA, Codec.PCMU): g711.transcode_table(Codec.PCMA, Codec.PCMU),
}
SILENCE = {codec: bytes((codec.silence,)) * FRAME for codec in Codec}


class AudioFrame:
    """One tick of audio, converted lazily (and at most once) between codecs and linear PCM."""

    __slots__ = ("_codes", "_pcm", "_prompt")

    def __init__(self, *, pcm: Pcm | None = None, codec: Codec | None = None,
                 codes: bytes | None = None,
                 prompt: tuple[PromptAudio, int] | None = None) -> None:  # fmt: skip
        self._pcm = pcm
        self._codes: dict[Codec, bytes] = {}
        self._prompt = prompt  # a slice of a pre-encoded prompt: encoding is a slice
        if codec is not None and codes is not None:
            self._codes[codec] = codes

    def codes(self, codec: Codec) -> bytes:
        found = self._codes.get(codec)
        if found is None:
            prompt = self._prompt
            if prompt is not None:
                audio, start = prompt
                found = audio.codes(codec)[start : start + FRAME]
            elif self._pcm is None and self._codes:
                # G.711 to G.711 is a 256-byte table lookup, no arithmetic.
                source, payload = next(iter(self._codes.items()))
                found = payload.translate(_TRANSLATE[(source, codec)])
            else:
                found = g711.encode(codec, self.pcm())
            self._codes[codec] = found
        return found

    def pcm(self) -> Pcm:
        if self._pcm is None:
            codec, payload = next(iter(self._codes.items()))
            self._pcm = g711.decode(codec, payload)
        return self._pcm


class Endpoint:
    """What every endpoint kind shares: identity, DTMF delivery, and what it is joined to."""

    kind = "endpoint"

    def __init__(self, endpoint_id: EndpointId, context: EndpointContext) -> None:
        self.id = endpoint_id
        self.context = context
        self.dtmf_listeners: list[Callable[[DtmfDigit], None]] = []
        self.bridge_peer: Endpoint | None = None
        self.conference: Conference | None = None
        self.player: Player | None = None
        self.moh: MohStream | None = None  # on hold: the shared stream it hears
        self.recording: Recording | None = None  # of this leg, when it is the customer's
        self.dtmf_out: deque[Rfc4733Sender] = deque()
        self.needs_inbound = False  # something reads this leg's audio on the clock
        self.released = False
        self._frame_tick = -1
        self._frame: AudioFrame | None = None

    @property
    def can_send(self) -> bool:
        raise NotImplementedError

    def inbound(self, tick: int) -> AudioFrame | None:
        """What this leg said during `tick` (memoised: many consumers may ask)."""
        if self._frame_tick != tick:
            self._frame_tick = tick
            self._frame = self._pull()
        return self._frame

    def _pull(self) -> AudioFrame | None:
        raise NotImplementedError

    def emit(self, frame: AudioFrame) -> bool:
        """Send one tick's frame to the peer; False when nothing could be sent (on hold)."""
        raise NotImplementedError

    def deliver_dtmf(self, digit: DtmfDigit) -> None:
        for listener in tuple(self.dtmf_listeners):
            listener(digit)


class RtpEndpoint(Endpoint):
    kind = "rtp"

    def __init__(
        self,
        endpoint_id: EndpointId,
        context: EndpointContext,
        *,
        port: int,
        send: Send,
        send_rtcp: Send,
        sender: RtpSender,
        inband_dtmf: bool | None,
        relatch_after: float = 5.0,
    ) -> None:
        super().__init__(endpoint_id, context)
        self.port = port
        self.srtp_key = new_master_key()  # offered in SDES a=crypto; used only if agreed
        self.srtp: SrtpContext | None = None
        self._wire_send = send
        self._wire_send_rtcp = send_rtcp
        self._send = send
        self.send_rtcp = send_rtcp
        self.sender = sender
        self.remote: RemoteMedia | None = None
        self.remote_addr: Address | None = None
        self.rtcp_addr: Address | None = None
        self.codec = Codec.PCMU
        self.payload_type = 0
        self.te_payload_type = -1
        self._inband_setting = inband_dtmf
        self.inband: InbandDtmfDetector | None = None
        # Payloads received since the last tick, for whoever reads the decoded audio on the
        # clock: the in-band DTMF detector and the audio tap (ADR 0183, ADR 0197).
        self._received_pending: list[bytes] = []
        self.audio_tap: Callable[[Pcm], None] | None = None
        self.rfc4733 = Rfc4733Receiver()
        self.stats: ReceptionStats | None = None
        self.jitter = JitterBuffer(fill=self.codec.silence)
        self.relay_target: RtpEndpoint | None = None  # forward our inbound audio there, now
        self.relay_in = False  # our output is packets relayed from the bridge peer
        self.relay_allowed = True  # False: paced from the jitter buffer even when it could relay
        self._relay_ssrc = -1
        self._relay_ts_offset = 0
        self._relay_seq_offset = 0
        self._latched = False
        self._accept = False
        self._frames_per_packet = 1
        self._pending_out = bytearray()
        self._last_packet_at = 0.0
        self._relatch_after = relatch_after
        self.received_from_unknown = 0
        self.last_remote_report: tuple[float, float, float | None] | None = None
        self.send_tap: Callable[[int, bytes], None] | None = None  # recorder: (ts, payload)
        self.receive_tap: Callable[[int, bytes], None] | None = None

    # Configuration ---------------------------------------------------------------------
    def set_wire(self, send: Send, send_rtcp: Send) -> None:
        """The socket senders; with SRTP every packet is protected on its way to them."""
        self._wire_send = send
        self._wire_send_rtcp = send_rtcp
        self._rewire()

    def _rewire(self) -> None:
        srtp = self.srtp
        if srtp is None:
            self._send, self.send_rtcp = self._wire_send, self._wire_send_rtcp
            return
        wire, wire_rtcp = self._wire_send, self._wire_send_rtcp

        def send(data: bytes, addr: Address) -> None:
            wire(srtp.protect(data), addr)

        def send_rtcp(data: bytes, addr: Address) -> None:
            wire_rtcp(srtp.protect_rtcp(data), addr)

        self._send, self.send_rtcp = send, send_rtcp

    def _apply_srtp(self, params: SrtpParams | None) -> None:
        if params is None:
            changed = self.srtp is not None
            self.srtp = None
        elif self.srtp is not None and self.srtp.same_keys(
            params.suite, params.local_key, params.remote_key
        ):
            return  # a re-INVITE kept the keys: keep the sessions (rollover, replay state)
        else:
            changed = True
            self.srtp = SrtpContext(params.suite, params.local_key, params.remote_key)
        if changed:
            self._rewire()

    def open_rtp(self, data: bytes) -> bytes | None:
        """A datagram as plain RTP: SRTP checked and decrypted, None if it does not pass."""
        srtp = self.srtp
        return data if srtp is None else srtp.unprotect(data)

    def open_rtcp(self, data: bytes) -> bytes | None:
        srtp = self.srtp
        return data if srtp is None else srtp.unprotect_rtcp(data)

    def apply_remote(self, remote: RemoteMedia) -> None:
        self._apply_srtp(remote.srtp)
        self.remote = remote
        self.codec = Codec(remote.codec)
        self.payload_type = remote.payload_type
        self.te_payload_type = (
            -1 if remote.telephone_event_pt is None else remote.telephone_event_pt
        )
        self._accept = remote.direction.we_receive
        # Paced packets carry a whole number of 20 ms ticks: ptime 40 and 60 are honoured,
        # anything else is sent as 20 ms (RFC 3264 §6.1 makes ptime a preference).
        self._frames_per_packet = max(1, remote.ptime_ms // 20) if remote.ptime_ms % 20 == 0 else 1
        self._pending_out = bytearray()
        self.remote_addr = (remote.address, remote.port)
        rtcp_port = remote.rtcp_port if remote.rtcp_port is not None else remote.port + 1
        self.rtcp_addr = (remote.address, rtcp_port)
        self._latched = False  # a new offer/answer may move the peer: latch again
        self.jitter = JitterBuffer(fill=self.codec.silence)
        use_inband = self._inband_setting
        if use_inband is None:
            use_inband = remote.telephone_event_pt is None
        self.inband = InbandDtmfDetector() if use_inband else None

    @property
    def can_send(self) -> bool:
        remote = self.remote
        return remote is not None and remote.direction.we_send and not self.released

    @property
    def direction(self) -> Direction:
        return Direction.INACTIVE if self.remote is None else self.remote.direction

    # Receive path (hot) ----------------------------------------------------------------
    def on_datagram(self, data: bytes, addr: Address, now: float) -> list[DtmfDigit]:
        """One datagram on our RTP port. Returns digits that ended with it.

        The hot path of the engine (one call per packet): kept to integer work and one slice.
        """
        if addr != self.remote_addr and (self.remote is None or not self._latch(addr, now)):
            self.received_from_unknown += 1
            return []
        if len(data) < 12:
            return []
        b0, b1, seq, ts, ssrc = _HEADER.unpack_from(data)
        if b0 == 0x80:  # the usual packet: no CSRC, extension or padding
            offset, end = 12, len(data)
        elif b0 & 0xC0 != 0x80:
            return []
        else:
            offset = 12 + 4 * (b0 & 0x0F)
            if b0 & 0x10:
                if len(data) < offset + 4:
                    return []
                offset += 4 + 4 * struct.unpack_from("!H", data, offset + 2)[0]
            end = len(data) - (data[-1] if b0 & 0x20 else 0)
            if offset > end:
                return []
        self._last_packet_at = now
        if not self._accept:
            return []  # the peer holds us (sendonly from us) or the stream is inactive
        stats = self.stats
        if stats is None or stats.ssrc != ssrc:
            stats = self.stats = ReceptionStats(ssrc, seq)
        stats.update(seq, ts, int(now * 8000))
        pt = b1 & 0x7F
        if pt == self.payload_type:
            payload = data[offset:end]
            target = self.relay_target
            if target is not None and target.relay_in:
                target.relay(payload, b1 & 0x80, seq, ts, ssrc)
            if self.needs_inbound:
                self.jitter.put(ts, payload)
            if self.inband is not None or self.audio_tap is not None:
                self._received_pending.append(payload)
            tap = self.receive_tap
            if tap is not None:
                tap(ts, payload)
            return []
        if pt == self.te_payload_type:
            payload = data[offset:end]
            digit = self.rfc4733.receive(ts, payload, now)
            target = self.relay_target
            if target is not None and target.relay_in and target.te_payload_type >= 0:
                target.relay_event(payload, b1 & 0x80, seq, ts, ssrc)
            return [digit] if digit is not None else []
        return []  # comfort noise and unknown payload types are ignored

    def _latch(self, addr: Address, now: float) -> bool:
        if self._latched and now - self._last_packet_at < self._relatch_after:
            return False
        self._latched = True
        self.remote_addr = addr
        self.rtcp_addr = (addr[0], addr[1] + 1)
        return True

    def take_received_audio(self) -> Pcm | None:
        """The audio received since the last call, decoded in one go (None: none came)."""
        if not self._received_pending:
            return None
        payload = b"".join(self._received_pending)
        self._received_pending.clear()
        return g711.decode(self.codec, payload)

    # Send paths ------------------------------------------------------------------------
    def relay(self, payload: bytes, marker: int, seq: int, ts: int, ssrc: int) -> None:
        """Forward a peer's audio packet unchanged but for our SSRC, sequence and timestamp,
        which continue our own stream (the peer's gaps and timing show through)."""
        sender = self.sender
        if ssrc != self._relay_ssrc:
            self._relay_ssrc = ssrc
            self._relay_ts_offset = sender.timestamp - ts
            self._relay_seq_offset = sender.sequence - seq
            marker = 0x80
        out_ts = (ts + self._relay_ts_offset) & 0xFFFFFFFF
        out_seq = (seq + self._relay_seq_offset) & 0xFFFF
        samples = len(payload)
        sender.timestamp = (out_ts + samples) & 0xFFFFFFFF
        sender.sequence = (out_seq + 1) & 0xFFFF
        sender.packets_sent += 1
        sender.octets_sent += samples
        self._send(
            _HEADER.pack(0x80, self.payload_type | marker, out_seq, out_ts, sender.ssrc) + payload,
            self.remote_addr,  # type: ignore[arg-type]
        )
        tap = self.send_tap
        if tap is not None:
            tap(out_ts, payload)

    def relay_event(self, payload: bytes, marker: int, seq: int, ts: int, ssrc: int) -> None:
        """Forward a telephone-event packet with the peer's event payload type mapped to ours."""
        if ssrc != self._relay_ssrc:
            return  # wait for audio to set the mapping; DTMF is still detected on the way in
        out_ts = (ts + self._relay_ts_offset) & 0xFFFFFFFF
        out_seq = (seq + self._relay_seq_offset) & 0xFFFF
        self.sender.sequence = (out_seq + 1) & 0xFFFF
        self._send(
            _HEADER.pack(0x80, self.te_payload_type | marker, out_seq, out_ts, self.sender.ssrc)
            + payload,
            self.remote_addr,  # type: ignore[arg-type]
        )

    def stop_relay(self) -> None:
        self._relay_ssrc = -1

    def emit(self, frame: AudioFrame) -> bool:
        if not self.can_send or self.remote_addr is None:
            return False
        if self.dtmf_out:
            self._emit_dtmf()
            return True
        payload = frame.codes(self.codec)
        if self._frames_per_packet == 1:
            self.emit_codes(payload)
        else:
            # The peer asked for a longer ptime (a=ptime:40, 60): gather ticks into one packet.
            self._pending_out += payload
            if len(self._pending_out) >= FRAME * self._frames_per_packet:
                self.emit_codes(bytes(self._pending_out))
                self._pending_out.clear()
        return True

    def emit_codes(self, payload: bytes, marker: bool = False) -> None:
        timestamp = self.sender.timestamp
        header = self.sender.header(self.payload_type, len(payload), len(payload), marker)
        self._send(header + payload, self.remote_addr)  # type: ignore[arg-type]
        if self.send_tap is not None:
            self.send_tap(timestamp, payload)

    def _emit_dtmf(self) -> None:
        sender = self.dtmf_out[0]
        packet = sender.next_packet() if self.te_payload_type >= 0 else None
        if packet is not None:
            payload, marker = packet
            self._send(
                self.sender.event_header(self.te_payload_type, sender.timestamp, marker, 4)
                + payload,
                self.remote_addr,  # type: ignore[arg-type]
            )
        if packet is None or sender.done:
            self.dtmf_out.popleft()
            # The digit took time on the stream's clock: audio resumes after it (RFC 4733 §2.5.1.5).
            self.sender.skip(sender.duration_samples)
            if self.dtmf_out:
                self.dtmf_out[0].timestamp = self.sender.timestamp
        if self.send_tap is not None:
            self.send_tap((self.sender.timestamp - FRAME) & 0xFFFFFFFF, SILENCE[self.codec])

    def _pull(self) -> AudioFrame | None:
        codes = self.jitter.pull(FRAME)
        if codes is None:
            return None
        return AudioFrame(codec=self.codec, codes=codes)


class FrameEndpoint(Endpoint):
    """A leg whose peer exchanges 8 kHz PCM frames with the engine (browser WebRTC via aiortc).

    It plugs into bridges, conferences, playback, hold music and recording like an RTP leg;
    only the wire differs. `push()` is what the peer said; `port.deliver()` what it hears.
    """

    kind = "frames"

    def __init__(self, endpoint_id: EndpointId, context: EndpointContext,
                 deliver: Callable[[Pcm], None], *, max_queued: int = 5) -> None:  # fmt: skip
        super().__init__(endpoint_id, context)
        self._deliver = deliver
        self._queue: deque[Pcm] = deque(maxlen=max_queued)
        self.send_tap: Callable[[int, bytes], None] | None = None
        self.receive_tap: Callable[[int, bytes], None] | None = None
        self._sent_samples = 0
        self._received_samples = 0
        self.dropped = 0  # frames that came faster than they were played: the oldest went

    @property
    def can_send(self) -> bool:
        return not self.released

    def push(self, pcm: Pcm) -> None:
        frame = np.asarray(pcm, dtype=np.int16)[:FRAME]
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1  # a stalled loop: latency stays bounded at `max_queued` frames
        self._queue.append(frame)
        tap = self.receive_tap
        if tap is not None:
            tap(self._received_samples & 0xFFFFFFFF, g711.encode(Codec.PCMU, frame))
        self._received_samples += len(frame)

    def _pull(self) -> AudioFrame | None:
        if not self._queue:
            return None
        return AudioFrame(pcm=self._queue.popleft())

    def emit(self, frame: AudioFrame) -> bool:
        if self.released:
            return False
        self._deliver(frame.pcm())
        if self.send_tap is not None:
            self.send_tap(self._sent_samples & 0xFFFFFFFF, frame.codes(Codec.PCMU))
        self._sent_samples += FRAME
        return True

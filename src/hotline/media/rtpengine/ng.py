"""A client of rtpengine's ng control protocol over UDP.

A request is `<cookie> <bencoded dictionary>` with `command` in it; the reply carries the same
cookie and `result` (`ok`, `pong`, `error` with `error-reason`). rtpengine keeps recent replies
by cookie and answers a repeated cookie from that cache without doing the command again, so a
lost datagram is retransmitted with the same cookie and every new request gets a fresh random
one. Replies are matched to requests by cookie; one socket serves any number of concurrent
requests. Only the commands call control needs are typed (offer, answer, delete, query,
recording); `request` sends any other.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from collections.abc import Mapping, Sequence

from hotline.media.rtpengine.bencode import Bencodable, BencodeError, Decoded, decode, encode
from hotline.media.rtpengine.errors import RtpengineError, RtpengineUnreachable

__all__ = [
    "CallStats",
    "NgClient",
    "PacketCounts",
    "StreamStats",
    "decode_reply",
    "encode_request",
    "new_cookie",
]

log = logging.getLogger(__name__)

NgValue = Bencodable
Reply = dict[str, object]


def new_cookie() -> bytes:
    return secrets.token_hex(8).encode("ascii")


def encode_request(cookie: bytes, command: str, params: Mapping[str, NgValue]) -> bytes:
    if b" " in cookie or not cookie:
        raise ValueError("a cookie is one non-empty word")
    if "command" in params:
        raise ValueError("the command is not a parameter")
    message: dict[str, Bencodable] = {"command": command, **params}
    return cookie + b" " + encode(message)


def decode_reply(data: bytes) -> tuple[bytes, Reply]:
    """The cookie and the reply, with strings as `str` (rtpengine's are ASCII or UTF-8)."""
    cookie, space, body = data.partition(b" ")
    if not space or not cookie:
        raise BencodeError("an ng reply is a cookie, a space and a bencoded dictionary")
    reply = _text(decode(body))
    if not isinstance(reply, dict):
        raise BencodeError("an ng reply is not a dictionary")
    return cookie, reply


def _text(value: Decoded) -> object:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list):
        return [_text(item) for item in value]
    if isinstance(value, dict):
        return {key.decode("utf-8", errors="replace"): _text(item) for key, item in value.items()}
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class PacketCounts:
    packets: int
    bytes: int
    errors: int

    @classmethod
    def of(cls, stats: object) -> PacketCounts:
        data = stats if isinstance(stats, dict) else {}
        return cls(
            packets=_int(data.get("packets")),
            bytes=_int(data.get("bytes")),
            errors=_int(data.get("errors")),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class StreamStats:
    """One of rtpengine's sockets for one party: what it received from that party."""

    tag: str  # the party's SIP tag (from-tag or to-tag)
    media_index: int
    rtcp: bool
    local_address: str
    local_port: int
    remote: tuple[str, int] | None  # where the party's packets came from (latched)
    received: PacketCounts


@dataclasses.dataclass(frozen=True, slots=True)
class CallStats:
    """What `query` (and `delete`) reports about one call."""

    rtp: PacketCounts
    rtcp: PacketCounts
    streams: tuple[StreamStats, ...]

    @classmethod
    def of(cls, reply: Reply) -> CallStats:
        totals = reply.get("totals")
        totals = totals if isinstance(totals, dict) else {}
        streams: list[StreamStats] = []
        tags = reply.get("tags")
        for tag, party in (tags if isinstance(tags, dict) else {}).items():
            for media in party.get("medias", []) if isinstance(party, dict) else []:
                for stream in media.get("streams", []):
                    endpoint = stream.get("endpoint")
                    remote = None
                    if isinstance(endpoint, dict) and endpoint.get("port"):
                        remote = (str(endpoint.get("address")), _int(endpoint.get("port")))
                    streams.append(
                        StreamStats(
                            tag=str(tag),
                            media_index=_int(media.get("index")),
                            rtcp="RTCP" in stream.get("flags", []),
                            local_address=str(stream.get("local address", "")),
                            local_port=_int(stream.get("local port")),
                            remote=remote,
                            received=PacketCounts.of(stream.get("stats")),
                        )
                    )
        return cls(
            rtp=PacketCounts.of(totals.get("RTP")),
            rtcp=PacketCounts.of(totals.get("RTCP")),
            streams=tuple(streams),
        )

    def received_from(self, tag: str) -> PacketCounts:
        """RTP packets rtpengine received from one party, over all its media."""
        mine = [s.received for s in self.streams if s.tag == tag and not s.rtcp]
        return PacketCounts(
            packets=sum(c.packets for c in mine),
            bytes=sum(c.bytes for c in mine),
            errors=sum(c.errors for c in mine),
        )


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, client: NgClient) -> None:
        self.client = client

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.client._received(data)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable while rtpengine is not (yet) listening: the retransmission
        # timer covers it.
        log.debug("rtpengine ng socket: %s", exc)


class NgClient:
    """`client = await NgClient.connect("127.0.0.1", 2223)`, then `await client.offer(...)`;
    `client.close()` when done. Each command is sent up to `tries` times, `timeout` seconds
    apart, before `RtpengineUnreachable`."""

    def __init__(self, address: tuple[str, int], *, timeout: float = 1.0, tries: int = 3) -> None:
        if tries < 1 or timeout <= 0:
            raise ValueError("tries must be at least 1 and timeout positive")
        self.address = address
        self.timeout = timeout
        self.tries = tries
        self._transport: asyncio.DatagramTransport | None = None
        self._pending: dict[bytes, asyncio.Future[Reply]] = {}

    @classmethod
    async def connect(
        cls, host: str, port: int, *, timeout: float = 1.0, tries: int = 3
    ) -> NgClient:
        client = cls((host, port), timeout=timeout, tries=tries)
        loop = asyncio.get_running_loop()
        client._transport, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(client), remote_addr=(host, port)
        )
        return client

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        for future in self._pending.values():
            if not future.done():
                future.set_exception(RtpengineUnreachable("the ng client was closed"))
        self._pending.clear()

    def _received(self, data: bytes) -> None:
        try:
            cookie, reply = decode_reply(data)
        except BencodeError as exc:
            log.warning("rtpengine sent an unreadable ng reply: %s", exc)
            return
        future = self._pending.get(cookie)
        if future is not None and not future.done():
            future.set_result(reply)
        # else: a late reply to a retransmitted or abandoned request

    async def request(self, command: str, **params: NgValue) -> Reply:
        """Send one command; its reply, or `RtpengineError` for `result: error`."""
        if self._transport is None:
            raise RtpengineUnreachable("the ng client is not connected")
        cookie = new_cookie()
        datagram = encode_request(cookie, command, params)
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending[cookie] = future
        try:
            for _ in range(self.tries):
                if self._transport is None:
                    raise RtpengineUnreachable("the ng client was closed")
                self._transport.sendto(datagram)
                try:
                    reply = await asyncio.wait_for(asyncio.shield(future), self.timeout)
                    break
                except TimeoutError:
                    continue
            else:
                raise RtpengineUnreachable(
                    f"rtpengine at {self.address[0]}:{self.address[1]} did not answer "
                    f"{command!r} after {self.tries} tries",
                    details={"command": command, "tries": self.tries},
                )
        finally:
            self._pending.pop(cookie, None)
        if reply.get("result") == "error":
            raise RtpengineError(command, str(reply.get("error-reason", "no reason given")))
        if "warning" in reply:
            log.warning("rtpengine warns about %r: %s", command, reply["warning"])
        return reply

    # The commands ----------------------------------------------------------------------
    async def ping(self) -> None:
        reply = await self.request("ping")
        if reply.get("result") != "pong":
            raise RtpengineError("ping", f"answered {reply.get('result')!r} instead of pong")

    async def offer(
        self,
        call_id: str,
        from_tag: str,
        sdp: str,
        *,
        flags: Sequence[str] = (),
        replace: Sequence[str] = (),
        **extra: NgValue,
    ) -> str:
        """rtpengine's SDP to send to the callee in place of the caller's `sdp`."""
        params: dict[str, NgValue] = {"call-id": call_id, "from-tag": from_tag, "sdp": sdp}
        if flags:
            params["flags"] = list(flags)
        if replace:
            params["replace"] = list(replace)
        params.update(extra)
        return self._sdp("offer", await self.request("offer", **params))

    async def answer(
        self,
        call_id: str,
        from_tag: str,
        to_tag: str,
        sdp: str,
        *,
        flags: Sequence[str] = (),
        replace: Sequence[str] = (),
        **extra: NgValue,
    ) -> str:
        """rtpengine's SDP to send to the caller in place of the callee's `sdp`."""
        params: dict[str, NgValue] = {
            "call-id": call_id, "from-tag": from_tag, "to-tag": to_tag, "sdp": sdp,
        }  # fmt: skip
        if flags:
            params["flags"] = list(flags)
        if replace:
            params["replace"] = list(replace)
        params.update(extra)
        return self._sdp("answer", await self.request("answer", **params))

    async def delete(self, call_id: str, from_tag: str | None = None) -> CallStats | None:
        """End the call (or, with `from_tag`, that party's branch); its final figures when
        rtpengine sends them (it does not when it forgets the call at once, `delete-delay=0`)."""
        params: dict[str, NgValue] = {"call-id": call_id}
        if from_tag is not None:
            params["from-tag"] = from_tag
        reply = await self.request("delete", **params)
        return CallStats.of(reply) if "totals" in reply else None

    async def query(self, call_id: str) -> CallStats:
        return CallStats.of(await self.request("query", **{"call-id": call_id}))

    async def start_recording(self, call_id: str) -> None:
        await self.request("start recording", **{"call-id": call_id})

    async def stop_recording(self, call_id: str) -> None:
        await self.request("stop recording", **{"call-id": call_id})

    @staticmethod
    def _sdp(command: str, reply: Reply) -> str:
        sdp = reply.get("sdp")
        if not isinstance(sdp, str) or not sdp:
            raise RtpengineError(command, "the reply has no SDP")
        return sdp

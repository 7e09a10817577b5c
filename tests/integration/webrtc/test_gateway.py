"""The gateway against an in-process aiortc peer playing the browser, on loopback: PCMU only,
ICE on 127.0.0.1, audio both ways bit-exact through a bridge to an RTP leg, DTMF, events,
re-offers that keep the endpoint, and the session's end."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable

import aioice.ice
import pytest

from hotline.events import ListSink
from hotline.media.backend import EndpointContext, EndpointId, RemoteMedia
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.dtmf import DtmfDigit
from hotline.media.engine import MediaEngine
from hotline.media.webrtc import (
    BrowserConnected,
    BrowserDetached,
    BrowserDisconnected,
    OfferRejected,
    SessionNotFound,
    SessionState,
    WebRtcGateway,
)
from hotline.media.webrtc.sdp import candidates
from tests.integration.media.peers import RtpPeer, is_remote, sink_of, stats_of, stream
from tests.integration.webrtc.peers import BrowserPeer, wait_until

AGENT = "01AGENT"
TENANT = "t1"


@pytest.fixture
async def gateway(engine: MediaEngine) -> AsyncIterator[WebRtcGateway]:
    gw = WebRtcGateway(engine, sink=engine.sink)
    yield gw
    await gw.shutdown()


@pytest.fixture
async def browser() -> AsyncIterator[BrowserPeer]:
    peer = BrowserPeer()
    yield peer
    await peer.close()


class States:
    """What the signalling side hears about its peer connection (the `on_state` listener)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._changed = asyncio.Event()

    def __call__(self, state: str) -> None:
        self.seen.append(state)
        self._changed.set()

    async def wait_for(self, state: str, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while state not in self.seen:
                self._changed.clear()
                await self._changed.wait()


async def connect(gateway: WebRtcGateway, peer: BrowserPeer, agent: str = AGENT,
                  states: States | None = None) -> str:  # fmt: skip
    states = states or States()
    answer = await gateway.open(agent, TENANT, await peer.offer(), on_state=states)
    await peer.accept(answer)
    await states.wait_for("connected")
    session = gateway.session(agent)
    assert session is not None
    assert session.state is SessionState.CONNECTED
    return answer


async def rtp_leg(engine: MediaEngine, peer: RtpPeer) -> tuple[EndpointId, tuple[str, int]]:
    local = await engine.create_endpoint(EndpointContext(TENANT, "I1", "L1"))
    await engine.apply_remote(local.endpoint_id, RemoteMedia("127.0.0.1", peer.port, "PCMU", 0))
    return local.endpoint_id, (local.address, local.port)


def unique_frames(count: int, seed: int) -> list[bytes]:
    """µ-law frames no two alike; no 0x7F (µ-law's negative zero decodes to the code 0xFF)."""
    rng = random.Random(seed)
    codes = [c for c in range(256) if c != 0x7F]
    return [bytes(rng.choice(codes) for _ in range(160)) for _ in range(count)]


async def found_when_settled(
    heard: Callable[[], bytes], frames: list[bytes], timeout: float = 5.0
) -> int:
    """`found_in_order` once every frame arrived, or what arrived by `timeout` (a loaded
    machine may still hold the last frames in a buffer or a socket)."""
    with contextlib.suppress(TimeoutError):
        await wait_until(lambda: found_in_order(heard(), frames) == len(frames), timeout)
    return found_in_order(heard(), frames)


def found_in_order(stream_bytes: bytes, frames: list[bytes]) -> int:
    """How many of `frames` occur in `stream_bytes`, each after the previous one."""
    position, found = 0, 0
    for frame in frames:
        at = stream_bytes.find(frame, position)
        if at >= 0:
            found += 1
            position = at + len(frame)
    return found


async def test_the_answer_is_pcmu_only_with_candidates_on_the_configured_host(
    gateway: WebRtcGateway, browser: BrowserPeer
) -> None:
    answer = await connect(gateway, browser)
    media = [line for line in answer.splitlines() if line.startswith("m=")]
    assert len(media) == 1
    assert media[0].split()[3:] == ["0"]
    assert [line for line in answer.splitlines() if line.startswith("a=rtpmap")] == [
        "a=rtpmap:0 PCMU/8000"
    ]
    found = candidates(answer)
    assert found
    assert {(c.address, c.transport, c.type) for c in found} == {("127.0.0.1", "udp", "host")}
    assert "a=end-of-candidates" in answer
    assert gateway.session(AGENT) is not None


async def test_audio_flows_both_ways_bit_exact_through_a_bridge_to_an_rtp_leg(
    engine: MediaEngine, gateway: WebRtcGateway, browser: BrowserPeer
) -> None:
    await connect(gateway, browser)
    phone = await RtpPeer.open()
    customer, customer_addr = await rtp_leg(engine, phone)
    await engine.bridge(customer, gateway.endpoint(AGENT))

    to_customer = unique_frames(50, seed=1)
    to_agent = unique_frames(50, seed=2)
    browser.microphone.say(g711.decode(Codec.PCMU, f) for f in to_customer)
    await stream(phone, customer_addr, to_agent)

    def heard_by_customer() -> bytes:
        return b"".join(p.payload for p in phone.rtp())

    # Bit-exact, except frames the engine dropped because the browser's came faster than its
    # ticks played them (stats "frames_dropped": a starved loop, delay kept bounded).
    heard = await found_when_settled(heard_by_customer, to_customer)
    counters = await stats_of(engine)
    # With the engine in its own process the browser's frames reach it as a paced RTP leg:
    # a starved loop shows there as packets late for their playout time instead.
    allowed = counters["frames_dropped"] + (counters["inbound_late"] if is_remote(engine) else 0)
    assert heard >= len(to_customer) - allowed
    expected = [g711.decode(Codec.PCMU, f).tobytes() for f in to_agent]
    found = await found_when_settled(lambda: browser.received().tobytes(), expected)
    # Bit-exact, except frames played as fill because their packet came after its playout
    # time (stats "inbound_late"; a loaded machine can starve the sender's loop).
    assert found >= len(to_agent) - (await stats_of(engine))["inbound_late"]
    stats = gateway.session(AGENT).stats()  # type: ignore[union-attr]
    assert stats["frames_received"] >= 50
    assert stats["frames_sent"] >= 50
    phone.close()


async def test_connected_and_disconnected_are_events_and_the_endpoint_is_released(
    engine: MediaEngine, gateway: WebRtcGateway
) -> None:
    peer = BrowserPeer()
    states = States()
    await connect(gateway, peer, states=states)
    endpoint = gateway.endpoint(AGENT)
    assert states.seen == ["connected"]
    sink = sink_of(engine)
    [connected] = sink.of_type(BrowserConnected)
    assert (connected.agent_id, connected.tenant_id, connected.endpoint_id) == (
        AGENT, TENANT, endpoint)  # fmt: skip
    assert connected.generation == 1
    assert engine.endpoint_count == 1

    await peer.close()  # the page goes away: DTLS close_notify
    await states.wait_for("closed")
    assert gateway.session(AGENT) is None
    [gone] = sink.of_type(BrowserDisconnected)
    assert (gone.agent_id, gone.endpoint_id, gone.reason) == (AGENT, endpoint, "closed")
    assert states.seen == ["connected", "closed"]
    assert engine.endpoint_count == 0
    with pytest.raises(SessionNotFound):
        gateway.endpoint(AGENT)


async def test_a_new_offer_keeps_the_endpoint_and_the_call_and_tells_the_old_page(
    engine: MediaEngine, gateway: WebRtcGateway, browser: BrowserPeer
) -> None:
    first_states = States()
    await connect(gateway, browser, states=first_states)
    endpoint = gateway.endpoint(AGENT)
    phone = await RtpPeer.open()
    customer, customer_addr = await rtp_leg(engine, phone)
    await engine.bridge(customer, endpoint)

    second = BrowserPeer()
    try:
        await connect(gateway, second)
        assert gateway.endpoint(AGENT) == endpoint
        assert first_states.seen == ["connected", "replaced"]
        assert gateway.session(AGENT).generation == 2  # type: ignore[union-attr]
        to_agent = unique_frames(20, seed=3)
        await stream(phone, customer_addr, to_agent)
        expected = [g711.decode(Codec.PCMU, f).tobytes() for f in to_agent]
        found = await found_when_settled(lambda: second.received().tobytes(), expected)
        # Bit-exact, except a frame the engine reports it played as fill because its packet
        # came after its playout time (a loaded machine can starve the sender's loop).
        assert found >= len(to_agent) - (await stats_of(engine))["inbound_late"]
        generations = [e.generation for e in sink_of(engine).of_type(BrowserConnected)]
        assert generations == [1, 2]
        assert sink_of(engine).of_type(BrowserDisconnected) == []
        # The first page's socket closing later must not end the second page's session.
        assert not await gateway.close(AGENT, generation=1)
        assert gateway.session(AGENT) is not None
    finally:
        await second.close()
        phone.close()


async def test_a_page_that_went_away_gets_its_endpoint_back_within_the_grace_or_loses_it(
    engine: MediaEngine,
) -> None:
    """ADR 0121: the page closes (a reload): the session waits, endpoint and bridge kept; a new
    page's offer re-attaches it (generation 2, the same endpoint, audio flows); a page gone
    for longer than the grace loses the session (reason `gone`)."""
    gateway = WebRtcGateway(engine, sink=engine.sink, reattach_s=1.0)
    sink = sink_of(engine)
    phone = await RtpPeer.open()
    first, second = BrowserPeer(), BrowserPeer()
    try:
        await connect(gateway, first)
        endpoint = gateway.endpoint(AGENT)
        customer, customer_addr = await rtp_leg(engine, phone)
        await engine.bridge(customer, endpoint)

        assert await gateway.detach(AGENT, generation=1)  # its socket closed without bye
        [detached] = sink.of_type(BrowserDetached)
        assert (detached.endpoint_id, detached.reason, detached.grace_s) == (
            endpoint,
            "closed",
            1.0,
        )
        assert gateway.session(AGENT).state is SessionState.DETACHED  # type: ignore[union-attr]
        assert not await gateway.detach(AGENT)  # once
        assert gateway.endpoint(AGENT) == endpoint
        assert engine.endpoint_count == 2

        await connect(gateway, second)  # the reloaded page
        assert gateway.endpoint(AGENT) == endpoint
        assert [e.generation for e in sink.of_type(BrowserConnected)] == [1, 2]
        to_agent = unique_frames(20, seed=5)
        await stream(phone, customer_addr, to_agent)
        expected = [g711.decode(Codec.PCMU, f).tobytes() for f in to_agent]
        found = await found_when_settled(lambda: second.received().tobytes(), expected)
        assert found >= len(to_agent) - (await stats_of(engine))["inbound_late"]
        await asyncio.sleep(1.2)  # past the first grace: the re-attached session stays
        assert gateway.session(AGENT).state is SessionState.CONNECTED  # type: ignore[union-attr]
        assert sink.of_type(BrowserDisconnected) == []

        await second.close()  # DTLS close_notify: detached again, and this time for good
        await wait_until(lambda: bool(sink.of_type(BrowserDisconnected)), timeout=5.0)
        [gone] = sink.of_type(BrowserDisconnected)
        assert (gone.endpoint_id, gone.reason) == (endpoint, "gone")
        assert len(sink.of_type(BrowserDetached)) == 2
        assert gateway.session(AGENT) is None
        assert engine.endpoint_count == 1  # the customer's
    finally:
        await first.close()
        await second.close()
        phone.close()
        await gateway.shutdown()


async def test_keys_pressed_on_the_page_reach_call_control(
    engine: MediaEngine, gateway: WebRtcGateway, browser: BrowserPeer
) -> None:
    await connect(gateway, browser)
    digits = engine.dtmf_events(gateway.endpoint(AGENT))
    first = asyncio.ensure_future(anext(digits))
    await asyncio.sleep(0)  # the iterator listens from its first step on
    gateway.dtmf(AGENT, "5")
    gateway.dtmf(AGENT, "#", duration_ms=200)
    async with asyncio.timeout(2):
        got = [await first, await anext(digits)]
    assert [(d.digit, d.duration_ms) for d in got] == [("5", 100), ("#", 200)]
    assert all(isinstance(d, DtmfDigit) for d in got)
    await digits.aclose()


async def test_an_unusable_offer_is_rejected_and_leaves_nothing_behind(
    engine: MediaEngine, gateway: WebRtcGateway, browser: BrowserPeer
) -> None:
    offer = await browser.offer()
    lan_only = offer.replace("127.0.0.1", "192.0.2.10")
    with pytest.raises(OfferRejected) as caught:
        await gateway.open(AGENT, TENANT, lan_only)
    assert caught.value.code == "webrtc.offer.no_candidates"
    broken = offer.replace("a=fingerprint:", "a=fingerprint-gone:")
    with pytest.raises(OfferRejected):
        await gateway.open(AGENT, TENANT, broken)
    assert gateway.session(AGENT) is None
    assert engine.endpoint_count == 0


async def test_shutdown_closes_every_session(engine: MediaEngine) -> None:
    sink = ListSink()
    gateway = WebRtcGateway(engine, sink=sink)
    peers = [BrowserPeer() for _ in range(3)]
    try:
        for i, peer in enumerate(peers):
            await connect(gateway, peer, agent=f"A{i}")
        assert gateway.stats()["connected"] == 3
        await gateway.shutdown()
        assert gateway.stats()["sessions"] == 0
        assert sorted(e.agent_id or "" for e in sink.of_type(BrowserDisconnected)) == [
            "A0", "A1", "A2"]  # fmt: skip
        assert {e.reason for e in sink.of_type(BrowserDisconnected)} == {"shutdown"}
        assert engine.endpoint_count == 0
    finally:
        for peer in peers:
            await peer.close()


async def test_a_loopback_gateway_never_pairs_with_a_lan_address_of_the_page(
    gateway: WebRtcGateway,
) -> None:
    """The page also checks from its LAN socket to our 127.0.0.1 candidate (over `lo`, but with
    a LAN source address): the gateway must not learn or nominate that source."""
    lan = aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)
    if not lan:
        pytest.skip("this machine has no non-loopback IPv4 address")
    peer = BrowserPeer(addresses=[lan[0], "127.0.0.1"])  # the LAN pair is checked first
    try:
        await connect(gateway, peer)
        session = gateway.session(AGENT)
        assert session is not None
        assert session.peer_connection is not None
        # aiortc has no public view of the nominated pair: peek at the ICE agent.
        [transceiver] = session.peer_connection.getTransceivers()
        connection = transceiver.receiver.transport.transport._connection
        remotes = {pair.remote_candidate.host for pair in connection._nominated.values()}
        assert remotes == {"127.0.0.1"}
        learned = {c.host for c in connection._remote_candidates}
        assert lan[0] not in learned
    finally:
        await peer.close()

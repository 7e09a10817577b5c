"""Supervision over loopback: the agent hears the supervisor's whisper, the customer does not;
after a barge both do."""

from __future__ import annotations

import asyncio
import math

import numpy as np

from hotline.media.backend import ConferenceMode, EndpointContext, RemoteMedia
from hotline.media.codecs import g711
from hotline.media.engine import MediaEngine
from tests.integration.media.peers import RtpPeer

SILENCE = b"\xff" * 160


def tone(frequency: float, index: int) -> bytes:
    n = np.arange(index * 160, (index + 1) * 160)
    return g711.ulaw_encode((6000 * np.sin(2 * math.pi * frequency * n / 8000)).astype(np.int16))


def strength(peer: RtpPeer, frequency: float, since: int = 0) -> float:
    """Largest 20 ms level of `frequency` in what `peer` received."""
    probe = np.exp(-2j * math.pi * frequency * np.arange(160) / 8000)
    best = 0.0
    for packet in peer.rtp()[since:]:
        pcm = g711.ulaw_decode(packet.payload).astype(np.float64)
        best = max(best, abs(pcm @ probe) / 80)
    return best


async def test_whisper_is_heard_by_the_agent_only_then_barge_by_both(engine: MediaEngine) -> None:
    customer, agent, supervisor = [await RtpPeer.open() for _ in range(3)]
    ctx = EndpointContext("t1", "I1")
    legs = []
    for peer in (customer, agent, supervisor):
        local = await engine.create_endpoint(ctx)
        await engine.apply_remote(
            local.endpoint_id, RemoteMedia("127.0.0.1", peer.port, "PCMU", 0, 101)
        )
        legs.append((local.endpoint_id, (local.address, local.port)))
    (c_ep, c_addr), (a_ep, a_addr), (s_ep, s_addr) = legs
    await engine.bridge(c_ep, a_ep)  # the call, then the supervisor steps in
    conference = await engine.create_conference(ctx)
    await engine.join_conference(conference, c_ep)
    await engine.join_conference(conference, a_ep)
    await engine.join_conference(conference, s_ep, ConferenceMode.WHISPER, whisper_to=a_ep)

    async def talk(frames: int) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(frames):
            customer.send(tone(600, i), c_addr)
            agent.send(tone(900, i), a_addr)
            supervisor.send(tone(1500, i), s_addr)
            await asyncio.sleep(max(0.0, start + (i + 1) * 0.02 - loop.time()))
        await asyncio.sleep(0.1)

    await talk(25)
    assert strength(agent, 1500) > 2000  # the agent hears the whisper ...
    assert strength(customer, 1500) < 50  # ... the customer does not
    assert strength(customer, 900) > 2000
    assert strength(agent, 600) > 2000
    assert strength(supervisor, 600) > 2000  # the supervisor hears both sides
    assert strength(supervisor, 900) > 2000
    assert strength(supervisor, 1500) < 50  # and not itself

    mark = len(customer.rtp())
    await engine.set_conference_mode(conference, s_ep, ConferenceMode.BARGE)
    await talk(25)
    assert strength(customer, 1500, since=mark + 5) > 2000  # barge: now the customer hears it
    for peer in (customer, agent, supervisor):
        peer.close()

"""Cost per connected browser agent: aiortc sessions on the media engine, against SIP-phone agents.

The server (media engine + WebRTC gateway, uvloop) runs in its own process pinned to core 0; its
CPU time (all threads: aiortc's decoder thread per session, the executor) is what is measured.
The load generator runs here, pinned to core 1: N aiortc peers playing browsers (a 600 Hz
microphone, 20 ms PCMU), and plain-UDP phones for the customers' RTP legs.

For each N:
- **sip bridged** (the baseline): N calls, each a customer RTP leg bridged to an agent's SIP
  phone leg (relay fast path), both phones sending a packet every 20 ms.
- **browser idle**: N connected browser sessions, no call. Media still flows both ways (the
  page's microphone in, the engine's silence out): that is what "persistent" costs.
- **browser bridged**: the same sessions, each bridged to a customer RTP leg sending a tone.
A SIP phone with no call costs nothing (no media), so "idle" has no baseline but zero.

Run: .venv/bin/python bench/webrtc_agents.py [--agents 1 10 50] [--seconds 8]
     .venv/bin/python bench/webrtc_agents.py --outbound frame   # aiortc's own encoder path
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import math
import multiprocessing as mp
import os
import struct
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

RATE, FRAME = 8000, 160
RTP = struct.Struct("!BBHII")
PORT_MIN, PORT_MAX = 42_000, 45_999


def pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > core:
        os.sched_setaffinity(0, {core})


def tone_frames(hz: float, count: int = 50) -> list[np.ndarray]:
    """`count` 20 ms frames of a continuous tone (a whole number of periods loops cleanly)."""
    n = np.arange(count * FRAME)
    pcm = (np.sin(2 * math.pi * hz * n / RATE) * 8000).astype(np.int16)
    return [pcm[i * FRAME : (i + 1) * FRAME] for i in range(count)]


# Server side (child process, core 0) -------------------------------------------------------
def server_main(conn: Connection, outbound: str) -> None:
    pin(0)
    import uvloop

    uvloop.run(Server(conn, outbound).serve())


class Server:
    def __init__(self, conn: Connection, outbound: str) -> None:
        self.conn = conn
        self.outbound = outbound
        self.engine: Any = None
        self.gateway: Any = None
        self.rtp: list[Any] = []

    async def serve(self) -> None:
        from hotline.events import ListSink
        from hotline.media.engine import MediaEngine
        from hotline.media.webrtc import WebRtcGateway

        if self.outbound == "frame":
            _use_aiortc_encoder()
        self.engine = MediaEngine(port_min=PORT_MIN, port_max=PORT_MAX, sink=ListSink())
        await self.engine.start()
        self.gateway = WebRtcGateway(self.engine, sink=ListSink())
        requests: asyncio.Queue[Any] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        loop.add_reader(self.conn.fileno(), lambda: requests.put_nowait(self.conn.recv()))
        while True:
            command, arg = await requests.get()
            if command == "quit":
                await self.gateway.shutdown()
                await self.engine.close()
                self.conn.send(None)
                return
            self.conn.send(await getattr(self, command)(*arg))

    async def open_browsers(self, offers: list[str]) -> list[str]:
        return [await self.gateway.open(f"agent{i}", "bench", o) for i, o in enumerate(offers)]

    async def connected(self) -> int:
        return int(self.gateway.stats()["connected"])

    async def _leg(self, peer: tuple[str, int], name: str) -> Any:
        from hotline.media.backend import EndpointContext, RemoteMedia

        local = await self.engine.create_endpoint(EndpointContext("bench", name, name))
        # A SIP phone offers telephone-event (else the in-band DTMF detector runs per packet).
        await self.engine.apply_remote(local.endpoint_id, RemoteMedia(*peer, "PCMU", 0, 101))
        self.rtp.append(local.endpoint_id)
        return local

    async def bridge_browsers(self, peers: list[tuple[str, int]]) -> list[int]:
        ports = []
        for i, peer in enumerate(peers):
            local = await self._leg(peer, f"customer{i}")
            await self.engine.bridge(local.endpoint_id, self.gateway.endpoint(f"agent{i}"))
            ports.append(local.port)
        return ports

    async def sip_calls(self, peers: list[tuple[tuple[str, int], tuple[str, int]]]) -> list[Any]:
        ports = []
        for i, (customer_peer, agent_peer) in enumerate(peers):
            customer = await self._leg(customer_peer, f"customer{i}")
            agent = await self._leg(agent_peer, f"phone{i}")
            await self.engine.bridge(customer.endpoint_id, agent.endpoint_id)
            ports.append((customer.port, agent.port))
        return ports

    async def sample(self) -> dict[str, Any]:
        return {
            "cpu": time.process_time(),
            "wall": time.monotonic(),
            "threads": threading.active_count(),
            "engine": self.engine.stats(),
            "gateway": self.gateway.stats(),
        }

    async def reset(self) -> None:
        await self.gateway.shutdown()
        for endpoint in self.rtp:
            await self.engine.release(endpoint)
        self.rtp = []
        await asyncio.sleep(0.2)


def _use_aiortc_encoder() -> None:
    """The comparison path: hand aiortc decoded frames and let its PCMU encoder (PyAV, in the
    default executor, one call per frame) do the work the gateway does itself."""
    import av
    from aiortc.mediastreams import MediaStreamError

    import hotline.media.webrtc as webrtc
    from hotline.media.webrtc.audio import FRAME_SAMPLES

    class FrameTrack(webrtc.EngineTrack):
        async def recv(self) -> Any:
            while True:
                if self.readyState != "live":
                    raise MediaStreamError
                item = self.buffer.get()
                if item is not None:
                    break
                self._ready.clear()
                await self._ready.wait()
            index, pcm = item
            frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = RATE
            frame.pts = index * FRAME_SAMPLES
            frame.time_base = fractions.Fraction(1, RATE)
            self.sent += 1
            return frame

    webrtc.EngineTrack = FrameTrack  # type: ignore[misc]


# Load generator (this process, core 1) ------------------------------------------------------
class Browsers:
    """N aiortc peers playing agents' pages."""

    def __init__(self, count: int) -> None:
        from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection

        frames = tone_frames(600.0)
        self.heard = [0] * count
        self.pcs: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []
        for i in range(count):
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            pc.addTransceiver(_Microphone(frames, MediaStreamTrack), direction="sendrecv")
            pc.on("track", self._reader(i))
            self.pcs.append(pc)

    def _reader(self, index: int) -> Any:
        def on_track(track: Any) -> None:
            async def read() -> None:
                from aiortc.mediastreams import MediaStreamError

                while True:
                    try:
                        await track.recv()
                    except MediaStreamError:
                        return
                    self.heard[index] += 1

            self.readers.append(asyncio.ensure_future(read()))

        return on_track

    async def offers(self) -> list[str]:
        from hotline.media.webrtc import ice_host_addresses

        out = []
        with ice_host_addresses(["127.0.0.1"]):
            for pc in self.pcs:
                await pc.setLocalDescription(await pc.createOffer())
                out.append(pc.localDescription.sdp)
        return out

    async def accept(self, answers: list[str]) -> None:
        from aiortc import RTCSessionDescription

        for pc, answer in zip(self.pcs, answers, strict=True):
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()
        for reader in self.readers:
            reader.cancel()


def _Microphone(frames: list[np.ndarray], base: Any) -> Any:  # noqa: N802 - a class factory
    """A page's microphone, pre-encoded to PCMU packets (aiortc only packs them): the load
    generator spends its core on the sessions, not on encoding a tone 50 times a second."""
    import av

    payloads = [_ulaw(f) for f in frames]

    class Microphone(base):  # type: ignore[misc, valid-type]
        kind = "audio"

        def __init__(self) -> None:
            super().__init__()
            self.index = 0
            self.start: float | None = None

        async def recv(self) -> Any:
            loop = asyncio.get_running_loop()
            if self.start is None:
                self.start = loop.time()
            await asyncio.sleep(max(0.0, self.start + self.index * 0.02 - loop.time()))
            packet = av.Packet(payloads[self.index % len(payloads)])
            packet.pts = self.index * FRAME
            packet.time_base = fractions.Fraction(1, RATE)
            self.index += 1
            return packet

    return Microphone()


class Phones(asyncio.DatagramProtocol):
    """Plain RTP phones on one timer: each socket sends a PCMU packet every 20 ms."""

    def __init__(self) -> None:
        self.sockets: list[Any] = []
        self.targets: list[tuple[str, int]] = []
        self.received = 0
        self.seq = 0
        self.payloads = [bytes(_ulaw(f)) for f in tone_frames(1400.0)]
        self.task: asyncio.Task[None] | None = None

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if len(data) > 12 and not 192 <= data[1] <= 223:
            self.received += 1

    async def open(self, count: int) -> list[tuple[str, int]]:
        loop = asyncio.get_running_loop()
        out = []
        for _ in range(count):
            transport, _ = await loop.create_datagram_endpoint(
                lambda: self, local_addr=("127.0.0.1", 0)
            )
            self.sockets.append(transport)
            out.append(transport.get_extra_info("sockname")[:2])
        return out

    def start(self, targets: list[tuple[str, int]]) -> None:
        self.targets = targets
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        tick = 0
        while True:
            payload = self.payloads[tick % len(self.payloads)]
            for i, (transport, target) in enumerate(zip(self.sockets, self.targets, strict=True)):
                header = RTP.pack(0x80, 0, tick & 0xFFFF, (tick * FRAME) & 0xFFFFFFFF, 1000 + i)
                transport.sendto(header + payload, target)
            tick += 1
            await asyncio.sleep(max(0.0, start + tick * 0.02 - loop.time()))

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        for transport in self.sockets:
            transport.close()
        await asyncio.sleep(0.05)


def _ulaw(pcm: np.ndarray) -> bytes:
    from hotline.media.codecs import g711
    from hotline.media.codecs.g711 import Codec

    return g711.encode(Codec.PCMU, pcm)


class Bench:
    def __init__(self, conn: Connection, seconds: float) -> None:
        self.conn = conn
        self.seconds = seconds
        self.base = 0.0  # the server with nothing to do: the engine's 20 ms clock, the loop

    def call(self, command: str, *args: Any) -> Any:
        self.conn.send((command, args))
        return self.conn.recv()

    async def ask(self, command: str, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, self.call, command, *args)

    async def measure(self, label: str, n: int) -> dict[str, Any]:
        await asyncio.sleep(2.0)  # warm-up: jitter buffers, first-frame allocations
        before, client_before = await self.ask("sample"), time.process_time()
        await asyncio.sleep(self.seconds)
        after, client_after = await self.ask("sample"), time.process_time()
        wall = after["wall"] - before["wall"]
        cpu = 100 * (after["cpu"] - before["cpu"]) / wall
        per_agent = (cpu - self.base) / n if n else 0.0
        engine_before, engine_after = before["engine"], after["engine"]
        result = {
            "label": label,
            "n": n,
            "cpu": cpu,
            "per_agent": per_agent,
            "client_cpu": 100 * (client_after - client_before) / wall,
            "threads": after["threads"],
            "late_ticks": engine_after["late_ticks"] - engine_before["late_ticks"],
            "skipped": engine_after["skipped_ticks"] - engine_before["skipped_ticks"],
            "worst_ms": engine_after["max_tick_lateness_ms"],
            "ticks": engine_after["ticks"] - engine_before["ticks"],
            "dropped": after["gateway"]["frames_dropped"] - before["gateway"]["frames_dropped"],
            "to_engine": after["gateway"]["frames_received"] - before["gateway"]["frames_received"],
            "to_browser": after["gateway"]["frames_sent"] - before["gateway"]["frames_sent"],
        }
        print(
            f"{label:>16} N={n:<3} server CPU {cpu:6.1f} %  per agent {per_agent:5.2f} %  "
            f"(threads {result['threads']}, late ticks {result['late_ticks']}/{result['ticks']}, "
            f"skipped {result['skipped']}, worst so far {result['worst_ms']:.0f} ms, "
            f"frames to engine {result['to_engine']}, to browsers {result['to_browser']}, "
            f"dropped {result['dropped']}; generator CPU {result['client_cpu']:.0f} %)",
            flush=True,
        )
        return result

    async def sip(self, n: int) -> dict[str, Any]:
        customers, phones = Phones(), Phones()
        customer_addrs, phone_addrs = await customers.open(n), await phones.open(n)
        ports = await self.ask("sip_calls", list(zip(customer_addrs, phone_addrs, strict=True)))
        customers.start([("127.0.0.1", c) for c, _ in ports])
        phones.start([("127.0.0.1", a) for _, a in ports])
        result = await self.measure("sip bridged", n)
        await customers.close()
        await phones.close()
        await self.ask("reset")
        return result

    async def browsers(self, n: int) -> list[dict[str, Any]]:
        browsers = Browsers(n)
        answers = await self.ask("open_browsers", await browsers.offers())
        await browsers.accept(answers)
        deadline = time.monotonic() + 30
        while await self.ask("connected") < n:
            if time.monotonic() > deadline:
                raise RuntimeError("browser sessions did not all connect in 30 s")
            await asyncio.sleep(0.1)
        idle = await self.measure("browser idle", n)
        customers = Phones()
        ports = await self.ask("bridge_browsers", await customers.open(n))
        customers.start([("127.0.0.1", p) for p in ports])
        heard_before = sum(browsers.heard)
        bridged = await self.measure("browser bridged", n)
        heard = sum(browsers.heard) - heard_before
        print(f"{'':>16} browsers heard {heard} frames, customers {customers.received} packets")
        await customers.close()
        await browsers.close()
        await self.ask("reset")
        return [idle, bridged]


async def run(conn: Connection, agents: list[int], seconds: float) -> list[dict[str, Any]]:
    bench = Bench(conn, seconds)
    bench.base = (await bench.measure("nothing", 0))["cpu"]
    results = []
    for n in agents:
        results.append(await bench.sip(n))
        results += await bench.browsers(n)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--outbound", choices=["packet", "frame"], default="packet")
    args = parser.parse_args()
    context = mp.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=server_main, args=(theirs, args.outbound), daemon=True)
    server.start()
    pin(1)
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; outbound path: "
        f"{args.outbound}; {args.seconds:.0f} s per figure",
        flush=True,
    )
    import uvloop

    results = uvloop.run(run(ours, args.agents, args.seconds))
    ours.send(("quit", ()))
    ours.recv()
    server.join(10)
    print(
        "\n| N | SIP bridged (per agent) | browser idle (per agent) | browser bridged (per agent) |"
    )
    print("|---:|---:|---:|---:|")
    for n in args.agents:
        row = {r["label"]: r for r in results if r["n"] == n}
        cells = [
            f"{row[k]['cpu']:.1f} % ({row[k]['per_agent']:.2f} %)"
            for k in ("sip bridged", "browser idle", "browser bridged")
        ]
        print(f"| {n} | " + " | ".join(cells) + " |")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""The paced send path: N callers hearing a PCMA prompt, CPU per call of the media tick.

What the media tick does for a caller in a flow (a prompt, hold music, a transcoding bridge):
make the frame, encode it, build the RTP header and send one datagram per 20 ms. Variants,
each in its own process pinned to core 0 (uvloop), the packets received by a counter on core 1,
interleaved round by round in the same run so the shared machine's load hits them alike:

- `before`:  per packet a numpy G.711 encode and `transport.sendto` (the engine until ADR 0185)
- `batched`: `after`, but every packet of a tick collected and sent in one loop at its end
- `after`:   prompts encoded once per codec and sliced; `socket.sendto` on the endpoint's socket

Reported per variant: engine CPU per packet sent and per call (% of a core at 50 packets/s,
median of the rounds), late ticks
(> 10 ms after their deadline) and packets received against expected.

Run: .venv/bin/python bench/media_tick.py [--calls 300] [--seconds 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

PORT_MIN, PORT_MAX = 41_000, 49_999
VARIANTS = ("before", "batched", "after")


def pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > core:
        os.sched_setaffinity(0, {core})


def make_engine(variant: str, directory: Path) -> Any:
    from hotline.events import ListSink
    from hotline.media.engine import MediaEngine
    from hotline.media.player import ArraySource, FrameSource, PlayItem
    from hotline.media.prompts import PromptLibrary

    class PlainPrompts(PromptLibrary):
        """Sources without their pre-encoded codes: each frame encoded per call (before)."""

        async def resolve(self, items: Sequence[PlayItem]) -> list[FrameSource]:
            sources = await super().resolve(items)
            return [
                ArraySource(s.audio.pcm) if isinstance(s, ArraySource) and s.audio else s
                for s in sources
            ]

    class TransportEngine(MediaEngine):
        """Sends through the uvloop transport, as before."""

        async def create_endpoint(self, context: Any, **kw: Any) -> Any:
            local = await super().create_endpoint(context, **kw)
            rtp, rtcp = self._transports[local.endpoint_id]
            self._endpoints[local.endpoint_id].set_wire(rtp.sendto, rtcp.sendto)  # type: ignore[attr-defined]
            return local

    class BatchedEngine(MediaEngine):
        """Collects the tick's packets, then sends them all in one loop."""

        outbox: ClassVar[list[tuple[Callable[[bytes, Any], None], bytes, Any]]] = []

        async def create_endpoint(self, context: Any, **kw: Any) -> Any:
            local = await super().create_endpoint(context, **kw)
            endpoint = self._endpoints[local.endpoint_id]
            sock_send = endpoint._wire_send  # type: ignore[attr-defined]
            outbox = self.outbox

            def queue(data: bytes, addr: Any) -> None:
                outbox.append((sock_send, data, addr))

            endpoint.set_wire(queue, endpoint._wire_send_rtcp)  # type: ignore[attr-defined]
            return local

        def run_tick(self, tick: int, *, late: bool = False) -> None:
            super().run_tick(tick, late=late)
            for send, data, addr in self.outbox:
                send(data, addr)
            self.outbox.clear()

    kind = {"before": TransportEngine, "batched": BatchedEngine, "after": MediaEngine}[variant]
    prompts = (PlainPrompts if variant == "before" else PromptLibrary)(prompts_dir=directory)
    return kind(port_min=PORT_MIN, port_max=PORT_MAX, sink=ListSink(), prompts=prompts)


def engine_main(conn: Connection, variant: str, calls: int, seconds: float, sink: Any) -> None:
    pin(0)
    import uvloop

    conn.send(uvloop.run(_play(variant, calls, seconds, tuple(sink))))


async def _play(variant: str, calls: int, seconds: float, sink: tuple[str, int]) -> dict[str, Any]:
    import gc

    from hotline.media.backend import EndpointContext, RemoteMedia
    from hotline.media.player import WavFile
    from hotline.media.wav import write_wav

    directory = Path(tempfile.mkdtemp(prefix="hotline-tick-"))
    t = np.arange(int(8000 * (seconds + 5))) / 8000
    write_wav(directory / "prompt.wav", (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16))
    engine = make_engine(variant, directory)
    await engine.start()
    for call in range(calls):
        local = await engine.create_endpoint(EndpointContext("bench", f"c{call}", "customer"))
        remote = RemoteMedia(sink[0], sink[1], "PCMA", 8, 101)
        await engine.apply_remote(local.endpoint_id, remote)
        await engine.play(local.endpoint_id, [WavFile(Path("prompt.wav"))])
    gc.collect()
    gc.freeze()
    await asyncio.sleep(1.0)  # the first second warms caches: not counted
    before = engine.stats()
    cpu0, t0 = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    cpu1, t1 = time.process_time(), time.monotonic()
    after = engine.stats()
    await engine.close()
    shutil.rmtree(directory, ignore_errors=True)
    return {
        "cpu": (cpu1 - cpu0) / (t1 - t0),
        "late_ticks": after["late_ticks"] - before["late_ticks"],
        "max_late_ms": after["max_tick_lateness_ms"],
        "sent": after["packets_paced"] - before["packets_paced"],
        "send_errors": after["send_errors"],
    }


def count_packets(sock: socket.socket, stop: Any, result: Any) -> None:
    pin(1)
    sock.settimeout(0.2)
    got = 0
    while not stop.is_set():
        try:
            sock.recv(2048)
            got += 1
        except TimeoutError:
            continue
    result.value = got


def run(variant: str, calls: int, seconds: float) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    stop, received = ctx.Event(), ctx.Value("q", 0)
    counter = ctx.Process(target=count_packets, args=(sink, stop, received))
    counter.start()
    parent, child = ctx.Pipe()
    engine = ctx.Process(
        target=engine_main, args=(child, variant, calls, seconds, sink.getsockname())
    )
    engine.start()
    result: dict[str, Any] = parent.recv()
    engine.join()
    stop.set()
    counter.join()
    sink.close()
    result["received"] = received.value
    result["cpu_per_call_pct"] = 100 * result["cpu"] / calls
    # A starved process (other work on the shared cores) sends fewer packets and spends less:
    # CPU per packet sent is the figure that does not move with the machine's load.
    result["us_per_packet"] = 1e6 * result["cpu"] * seconds / max(1, result["sent"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{args.calls} callers hearing a PCMA prompt, {args.seconds:.0f} s per run, "
        f"{args.rounds} rounds; engine on core 0; load average {os.getloadavg()[0]:.2f}"
    )
    results: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    for round_ in range(args.rounds):
        for variant in VARIANTS:
            r = run(variant, args.calls, args.seconds)
            results[variant].append(r)
            print(
                f"round {round_ + 1} {variant:8} CPU {100 * r['cpu']:5.1f} %"
                f"  per call {r['cpu_per_call_pct']:.4f} %"
                f"  {r['us_per_packet']:.2f} µs per packet  late ticks {r['late_ticks']}"
                f" (max {r['max_late_ms']:.1f} ms)  packets sent {r['sent']}"
                f"  send errors {r['send_errors']}",
                flush=True,
            )
    print()
    base = statistics.median(r["us_per_packet"] for r in results["before"])
    for variant in VARIANTS:
        median = statistics.median(r["us_per_packet"] for r in results[variant])
        late = sum(r["late_ticks"] for r in results[variant])
        print(
            f"{variant:8} {median:.2f} µs of CPU per packet (median)  × before {median / base:.2f}"
            f"  = {median * 50 / 1e4:.4f} % of a core per call  late ticks {late}"
        )


if __name__ == "__main__":
    main()

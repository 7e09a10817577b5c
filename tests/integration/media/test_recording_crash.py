"""A process killed mid-call leaves a playable recording up to the last second."""

from __future__ import annotations

import asyncio
import signal
import sys
import textwrap
from pathlib import Path

from hotline.media.wav import read_wav

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    import numpy as np
    from hotline.events import ListSink
    from hotline.media import EndpointContext, FileRecordingStorage, MediaEngine

    class Phone:
        def deliver(self, pcm):
            pass

    async def main():
        engine = MediaEngine(port_min=40000, port_max=40010, sink=ListSink(),
                             storage=FileRecordingStorage(Path(sys.argv[1])))
        await engine.start()
        context = EndpointContext("acme", "CALL", "LEG")
        customer = await engine.create_frame_endpoint(context, Phone())
        agent = await engine.create_frame_endpoint(context, Phone())
        await engine.bridge(customer, agent)
        await engine.start_recording(customer)
        print("recording", flush=True)
        # Both parties talk without a break: frames are pushed by the clock, kept three
        # ahead of the engine's 20 ms tick, so a late wake-up on a busy machine leaves no gap.
        loop = asyncio.get_running_loop()
        start, pushed = loop.time(), 0
        while True:
            due = int((loop.time() - start) / 0.02) + 3
            while pushed < due:
                engine.push_frame(customer, np.full(160, 3000, np.int16))
                engine.push_frame(agent, np.full(160, -3000, np.int16))
                pushed += 1
            await asyncio.sleep(0.01)

    asyncio.run(main())
    """
)


async def test_a_killed_process_leaves_a_playable_file(tmp_path: Path) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, str(tmp_path), stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    assert await asyncio.wait_for(child.stdout.readline(), 20) == b"recording\n"
    await asyncio.sleep(2.6)
    child.send_signal(signal.SIGKILL)  # no chance to close anything
    await child.wait()
    files = [p for p in tmp_path.rglob("*.wav")]  # noqa: ASYNC240 - the child is gone
    assert len(files) == 1
    audio = read_wav(files[0])
    assert audio.channels == 2
    assert 1.0 <= audio.duration_s <= 2.6  # everything up to the last whole second
    # The last second holds both parties.
    assert (audio.samples[-8000:, 0] > 2000).mean() > 0.8
    assert (audio.samples[-8000:, 1] < -2000).mean() > 0.8

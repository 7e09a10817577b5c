"""G.711 encode/decode: Hotline's numpy tables against stdlib `audioop` (deprecated in 3.11,
gone in 3.13) and a pure-Python loop, per 20 ms frame (the engine's unit) and per second.
Also G.711-to-G.711 transcoding with `bytes.translate` (what a PCMU/PCMA bridge does).
Run: .venv/bin/python bench/media_g711.py [--seconds 1]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np

from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def rate(function: Callable[[], object], seconds: float) -> float:
    """Calls per second."""
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            function()
        count += 100
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    for samples in (160, 8000):
        pcm = (rng.normal(0, 3000, samples)).clip(-32768, 32767).astype(np.int16)
        raw = pcm.tobytes()
        codes = g711.ulaw_encode(pcm)
        table = g711.ULAW_ENCODE
        python_frame = pcm.tolist()

        def pure_python(values: list[int] = python_frame, table: np.ndarray = table) -> bytes:
            return bytes(int(table[v & 0xFFFF]) for v in values)

        cases: list[tuple[str, Callable[[], object]]] = [
            ("encode  audioop.lin2ulaw", lambda raw=raw: audioop.lin2ulaw(raw, 2)),
            ("encode  numpy table", lambda pcm=pcm: g711.ulaw_encode(pcm)),
            ("encode  pure Python", pure_python),
            ("decode  audioop.ulaw2lin", lambda codes=codes: audioop.ulaw2lin(codes, 2)),
            ("decode  numpy table", lambda codes=codes: g711.ulaw_decode(codes)),
            (
                "PCMU->PCMA audioop",
                lambda codes=codes: audioop.lin2alaw(audioop.ulaw2lin(codes, 2), 2),
            ),
            ("PCMU->PCMA bytes.translate", lambda codes=codes: codes.translate(_PCMU_TO_PCMA)),
        ]
        print(f"{samples} samples ({samples / 8000 * 1000:.0f} ms):")
        baseline = 0.0
        for name, function in cases:
            per_second = rate(function, args.seconds / len(cases))
            if "audioop" in name:  # the first of each group is the baseline
                baseline = per_second
            ratio = f"{per_second / baseline:5.2f}x audioop" if baseline else ""
            print(f"  {name:28} {per_second:12,.0f} calls/s  {1e6 / per_second:8.2f} us  {ratio}")


_PCMU_TO_PCMA = g711.transcode_table(Codec.PCMU, Codec.PCMA)

if __name__ == "__main__":
    main()

"""CPU of in-band DTMF detection per listening leg per 20 ms tick (ADR 0183).

Baseline in the same run: each leg's detector fed alone (what the media tick did before);
against it, every leg's windows classified together (`dtmf_inband.feed_all`, the tick now).
Each variant runs in its own process, with numpy's BLAS on one thread (what `hotline` sets)
and with BLAS's default threads, since the batched product is big enough for BLAS to thread.
Audio: G.711 A-law of speech-band noise, decoded as the tick does.

Run: .venv/bin/python bench/inband_dtmf.py [--legs 300] [--ticks 100]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def measure(legs: int, ticks: int, batched: bool) -> float:
    """CPU seconds of this process (all its threads) per leg per tick."""
    import numpy as np

    from hotline.media.codecs.g711 import Codec, decode
    from hotline.media.dtmf_inband import InbandDtmfDetector, feed_all

    rng = np.random.default_rng(7)
    payloads = [bytes(rng.integers(0, 256, 160, dtype=np.uint8)) for _ in range(50)]
    detectors = [InbandDtmfDetector() for _ in range(legs)]
    started = time.process_time()
    for tick in range(ticks):
        audio = [decode(Codec.PCMA, payloads[(tick + i) % 50]) for i in range(legs)]
        if batched:
            feed_all(list(zip(detectors, audio, strict=True)))
        else:
            for detector, samples in zip(detectors, audio, strict=True):
                detector.feed(samples)
    return (time.process_time() - started) / (legs * ticks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--legs", type=int, default=300)
    parser.add_argument("--ticks", type=int, default=100)
    parser.add_argument("--variant", choices=("alone", "together"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(measure(args.legs, args.ticks, args.variant == "together"))
        return
    print(f"{args.legs} listening legs × {args.ticks} ticks; load average {os.getloadavg()[0]:.1f}")
    for threads in ("1", "default"):
        env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS",)}
        if threads == "1":
            env["OPENBLAS_NUM_THREADS"] = "1"
        figures = {}
        for variant in ("alone", "together"):
            out = subprocess.run(
                [sys.executable, __file__, "--variant", variant, "--legs", str(args.legs),
                 "--ticks", str(args.ticks)],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            figures[variant] = float(out.stdout.strip())
        base = figures["alone"]
        for variant, cpu in figures.items():
            print(
                f"  BLAS threads {threads:<7} {variant:<8} {cpu * 1e6:6.1f} µs per leg per tick "
                f"({cpu * 50 * 100:.3f} % of a core per leg)  ×{cpu / base:.2f} of alone"
            )


if __name__ == "__main__":
    main()

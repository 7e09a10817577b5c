"""Imported first by the `hotline` command, before anything loads numpy (ADR 0183).

numpy's OpenBLAS starts a thread per core for any matrix product it finds big enough, and its
idle threads spin: on the media tick — in-band DTMF detection of every listening call at once,
one product every 20 ms — that cost 15× the CPU of the product itself and took the core that
signalling needed. The server's numerical work is small and latency-bound, so one thread.
An operator who sets `OPENBLAS_NUM_THREADS` (or `OMP_NUM_THREADS`) keeps their choice; the
media process inherits the server's environment.
"""

import os

if "OPENBLAS_NUM_THREADS" not in os.environ and "OMP_NUM_THREADS" not in os.environ:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"

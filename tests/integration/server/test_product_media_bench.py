"""Smoke run of `bench/product_media.py` (issue 14): two recorded PCMA calls through `hotline
demo` with the media process, sipp callers streaming audio and a sipp UAS echoing it as the
agents' phones. Every call connects, is recorded in the catalog and on disk, and each recording
carries sound on both channels (the caller, and the echo that came back through Hotline)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import require_tool

pytestmark = [pytest.mark.sipp, pytest.mark.slow]

BENCH = Path(__file__).resolve().parents[3] / "bench" / "product_media.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("product_media_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


async def test_recorded_calls_through_the_served_product(tmp_path: Path) -> None:
    require_tool("sipp")
    require_tool("sox")
    bench = load_bench()
    args = bench.parse(["--calls", "2", "--seconds", "3", "--rate", "5", "--engine", "process"])
    run = await bench.product("process", args, tmp_path)
    assert (run.connected, run.failed) == (2, 0)
    assert (run.recordings_rows, run.recording_files) == (2, 2)
    assert run.recording_bytes > 2 * 2 * 8000 * 2 * 2  # ≥ 2 s of 8 kHz 16-bit stereo each
    assert (run.two_way, run.checked) == (2, 2)
    assert run.cpu_total_s > 0

"""A short coverage-guided run of every fuzz target (atheris), as CI's share of `make fuzz`:
two thousand inputs each, from the kept corpus and the golden files; any exception other
than the target package's own error fails the run (the input is left in var/fuzz/crashes/)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.fuzz.targets import ROOT, TARGETS


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_short_fuzz_run(target: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.fuzz", "--target", target, "--runs", "2000", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    assert f"{target}: 2000 inputs" in proc.stdout, proc.stdout

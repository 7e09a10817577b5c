"""The fuzzers' kept corpus and seeds replayed through every target, in this process: what
once reached new code in a parser must still be answered with the package's own error at
worst (the regression half of `make fuzz`)."""

from __future__ import annotations

import contextlib

import pytest

from tests.fuzz.targets import CORPUS, TARGETS


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_corpus_replays_cleanly(name: str) -> None:
    target = TARGETS[name]
    inputs = target.seeds()
    folder = CORPUS / name
    if folder.is_dir():
        inputs += [p.read_bytes() for p in sorted(folder.iterdir())]
    assert inputs, f"no seeds for {name}"
    for data in inputs:
        with contextlib.suppress(*target.allowed):
            target.one_input(data[: target.max_len])

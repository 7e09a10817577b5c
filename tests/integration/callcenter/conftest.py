"""Fixtures of the call-centre acceptance tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tts_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """espeak-ng prompts synthesised once for the whole run (each takes ~0.5 s)."""
    return tmp_path_factory.mktemp("tts")

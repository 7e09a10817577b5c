"""Fixtures shared by unit and integration tests."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator

import pytest

from hotline.clock import FakeClock

CI = os.environ.get("CI", "").lower() == "true"


def require_tool(name: str) -> str:
    """Path of an external tool; a skip locally, a failure under CI=true when it is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (scripts/system-deps.sh all installs it)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def _fixed_seed() -> Iterator[None]:
    state = random.getstate()
    random.seed(1999)
    yield
    random.setstate(state)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# Property tests are deterministic in every run and never fail on a machine's speed.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("hotline", derandomize=True, deadline=None, print_blob=True)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hotline"))

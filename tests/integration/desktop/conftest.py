"""Fixtures of the desktop tests: Chromium whose fake microphone plays a known tone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.browser import launch_chromium
from tests.data.callcenter.tones import AGENT1_HZ
from tests.integration.webrtc.test_chromium_phone import write_tone_wav

SUPERVISOR_HZ = 2300.0  # not DTMF, not a harmonic of the others within G.711's band


async def _chromium(tmp_path: Path, hz: float) -> AsyncIterator[Browser]:
    wav = write_tone_wav(tmp_path / f"microphone-{int(hz)}.wav", hz, seconds=120.0)
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright, fake_audio_wav=wav)
        yield browser
        await browser.close()


@pytest.fixture
async def chromium(tmp_path: Path) -> AsyncIterator[Browser]:
    """Every page of this browser speaks AGENT1_HZ into its microphone."""
    async for browser in _chromium(tmp_path, AGENT1_HZ):
        yield browser


@pytest.fixture
async def supervisor_chromium(tmp_path: Path) -> AsyncIterator[Browser]:
    """Every page of this browser speaks SUPERVISOR_HZ into its microphone."""
    async for browser in _chromium(tmp_path, SUPERVISOR_HZ):
        yield browser

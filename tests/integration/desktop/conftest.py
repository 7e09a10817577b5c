"""Fixtures of the desktop tests: Chromium whose fake microphone plays the first agent's tone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.browser import launch_chromium
from tests.data.callcenter.tones import AGENT1_HZ
from tests.integration.webrtc.test_chromium_phone import write_tone_wav


@pytest.fixture
async def chromium(tmp_path: Path) -> AsyncIterator[Browser]:
    """Every page of this browser speaks AGENT1_HZ into its microphone."""
    wav = write_tone_wav(tmp_path / "microphone.wav", AGENT1_HZ, seconds=120.0)
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright, fake_audio_wav=wav)
        yield browser
        await browser.close()

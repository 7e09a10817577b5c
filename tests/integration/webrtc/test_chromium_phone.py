"""Real headless Chromium (Playwright, fake microphone playing a 600 Hz WAV) runs the page's
`softphone.js` against an in-process Hotline server: the page's tone reaches the engine, tones
the engine plays and a bridged caller's tone are found in the page's received audio, keys
arrive, PCMU and a 127.0.0.1 candidate pair are in `getStats()`, a re-offer keeps the call,
and bye ends the session.
Every packet stays on loopback (tests/browser.py flags; the gateway offers 127.0.0.1 only).

The server is built here from `create_api` plus `hotline.api.phone.router`, because the real
`hotline demo` has no media engine wired yet."""

from __future__ import annotations

import asyncio
import math
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.async_api import Browser, Page, async_playwright

from hotline.media.backend import EndpointContext, RemoteMedia
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.player import Tone
from hotline.media.tones import ToneSpec, render
from hotline.media.webrtc import (
    BrowserConnected,
    BrowserDisconnected,
    DisconnectReason,
    SessionState,
)
from hotline.media.webrtc.sdp import candidates
from tests.browser import SPECTRUM_PEAK_JS, launch_chromium
from tests.integration.media.peers import RtpPeer, stream
from tests.integration.webrtc.conftest import PASSWORD, PhoneServer
from tests.integration.webrtc.peers import wait_until

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")
ARTIFACTS.mkdir(exist_ok=True)
MICROPHONE_HZ = 600.0
PROMPT_HZ = 1000.0
CALLER_HZ = 1400.0

# Runs in the page: the softphone on an <audio> element, and an analyser that averages the
# received spectrum over a while and reports its strongest frequency.
PAGE_SETUP = (
    """
async () => {
  const { Softphone } = await import("/static/js/softphone.js");
  const audio = document.createElement("audio");
  audio.muted = true;
  document.body.append(audio);
  const phone = new Softphone({ audio });
  window.phone = phone;
  window.phoneStates = [];
  phone.onstatechange = (state) => window.phoneStates.push(state);
  window.listen = (ms) => ("""
    + SPECTRUM_PEAK_JS
    + """)(phone.remoteStream, ms);
  await phone.connect();
  return phone.state;
}
"""
)


def write_tone_wav(path: Path, hz: float, seconds: float = 10.0, rate: int = 48_000) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    samples = (np.sin(2 * math.pi * hz * t) * 0.3 * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def peak_hz(pcm: np.ndarray, rate: int = 8000) -> tuple[float, float]:
    """(strongest frequency, its power over the median bin in dB) of an 8 kHz signal."""
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64) * np.hanning(len(pcm)))) ** 2
    spectrum[0] = 0.0
    peak = int(np.argmax(spectrum))
    return peak * rate / len(pcm), 10 * math.log10(spectrum[peak] / (np.median(spectrum) or 1e-30))


@pytest.fixture
async def chromium(tmp_path: Path) -> AsyncIterator[Browser]:
    wav = write_tone_wav(tmp_path / f"microphone-{int(MICROPHONE_HZ)}hz.wav", MICROPHONE_HZ)
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright, fake_audio_wav=wav)
        yield browser
        await browser.close()


async def log_in(page: Page, server: PhoneServer, username: str) -> None:
    await page.goto(f"{server.url}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{server.url}/")


async def test_the_browser_phone_carries_audio_both_ways_on_loopback_with_pcmu(
    chromium: Browser, phone_server: PhoneServer
) -> None:
    _, agent_id = await phone_server.login("agent1")
    assert agent_id is not None
    page = await chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await log_in(page, phone_server, "agent1")

    assert await page.evaluate(PAGE_SETUP) == "connected"
    gateway, engine = phone_server.gateway, phone_server.engine
    session = gateway.session(agent_id)
    assert session is not None
    assert session.state is SessionState.CONNECTED
    [connected] = phone_server.sink.of_type(BrowserConnected)
    assert connected.agent_id == agent_id
    endpoint = gateway.endpoint(agent_id)

    # The page offered a 127.0.0.1 candidate, and the pair in use is loopback at both ends.
    offer: str = await page.evaluate("() => phone._pc.localDescription.sdp")
    assert "127.0.0.1" in {c.address for c in candidates(offer)}
    info: dict[str, Any] = await page.evaluate("() => phone.connectionInfo()")
    assert info["codec"] == "audio/PCMU"
    assert info["local"].startswith("127.0.0.1:")
    assert info["remote"].startswith("127.0.0.1:")

    # A tone the engine plays to the agent is what the page hears.
    await engine.play(endpoint, [Tone(ToneSpec("probe", (PROMPT_HZ,), level_dbm0=-10), 30.0)])
    heard = await page.evaluate("() => listen(1200)")
    assert heard["hz"] == pytest.approx(PROMPT_HZ, abs=15)
    assert heard["aboveMedianDb"] > 30
    await engine.stop_playback(endpoint)

    # A call: the customer's RTP leg bridged into the agent's session, tones both ways.
    caller = await RtpPeer.open()
    local = await engine.create_endpoint(EndpointContext(connected.tenant_id, "I1", "L1"))
    customer = local.endpoint_id
    await engine.apply_remote(customer, RemoteMedia("127.0.0.1", caller.port, "PCMU", 0))
    await engine.bridge(customer, endpoint)
    tone = render(ToneSpec("caller", (CALLER_HZ,), level_dbm0=-10), 3.0)
    frames = [g711.encode(Codec.PCMU, tone[i : i + 160]) for i in range(0, len(tone), 160)]
    talking = asyncio.ensure_future(stream(caller, (local.address, local.port), frames))
    await asyncio.sleep(0.5)
    heard = await page.evaluate("() => listen(1200)")
    await talking
    assert heard["hz"] == pytest.approx(CALLER_HZ, abs=15)
    assert heard["aboveMedianDb"] > 30

    said = np.concatenate([g711.decode(Codec.PCMU, p.payload) for p in caller.rtp()])
    assert len(said) >= 8000 * 2
    hz, above = peak_hz(said[-8000 * 2 :])
    assert hz == pytest.approx(MICROPHONE_HZ, abs=10)
    assert above > 30

    # The page offers again on its socket (as after an ICE failure): the call carries on.
    assert await page.evaluate("() => phone.renegotiate()")
    await page.wait_for_function("() => phone.state === 'connected'")
    assert gateway.endpoint(agent_id) == endpoint
    assert [e.generation for e in phone_server.sink.of_type(BrowserConnected)] == [1, 2]
    talking = asyncio.ensure_future(stream(caller, (local.address, local.port), frames))
    await asyncio.sleep(0.5)
    heard = await page.evaluate("() => listen(1000)")
    await talking
    assert heard["hz"] == pytest.approx(CALLER_HZ, abs=15)
    caller.close()

    # The keypad, then logout.
    digits = engine.dtmf_events(endpoint)
    first = asyncio.ensure_future(anext(digits))
    await asyncio.sleep(0)
    assert await page.evaluate("() => phone.sendDtmf('5')")
    assert (await asyncio.wait_for(first, 5)).digit == "5"
    await digits.aclose()

    await page.screenshot(path=ARTIFACTS / "softphone-connected.png")
    await page.evaluate("() => phone.disconnect()")
    await wait_until(lambda: gateway.session(agent_id) is None)
    [gone] = phone_server.sink.of_type(BrowserDisconnected)
    assert (gone.agent_id, gone.reason) == (agent_id, "closed")
    assert await page.evaluate("() => window.phoneStates") == [
        "connecting", "connected", "reconnecting", "connected", "closed"]  # fmt: skip
    assert errors == []


async def test_the_page_reconnects_after_a_failure_and_yields_to_a_newer_page(
    chromium: Browser, phone_server: PhoneServer
) -> None:
    _, agent_id = await phone_server.login("agent1")
    assert agent_id is not None
    context = await chromium.new_context()
    first = await context.new_page()
    await log_in(first, phone_server, "agent1")
    assert await first.evaluate(PAGE_SETUP) == "connected"
    gateway = phone_server.gateway
    lost = gateway.endpoint(agent_id)

    # The server loses the session (as on an ICE failure): the page comes back by itself.
    await gateway.close(agent_id, reason=DisconnectReason.FAILED)
    await first.wait_for_function("() => phone.state === 'reconnecting'")
    await first.wait_for_function("() => phone.state === 'connected'", timeout=10_000)
    assert gateway.endpoint(agent_id) != lost
    assert await first.evaluate("() => window.phoneStates") == [
        "connecting", "connected", "reconnecting", "connected"]  # fmt: skip

    # A second tab of the same agent takes the phone; the first one stops and says why.
    second = await context.new_page()
    await second.goto(f"{phone_server.url}/")
    assert await second.evaluate(PAGE_SETUP) == "connected"
    await first.wait_for_function("() => phone.state === 'replaced'")
    await asyncio.sleep(1.0)  # long enough for a (wrong) retry to fire
    assert await first.evaluate("() => phone.state") == "replaced"
    assert await second.evaluate("() => phone.state") == "connected"
    assert gateway.session(agent_id).generation == 2  # type: ignore[union-attr]
    await context.close()


async def test_a_page_that_is_not_logged_in_is_told_so(
    chromium: Browser, phone_server: PhoneServer
) -> None:
    page = await chromium.new_page()
    await page.goto(f"{phone_server.url}/login")
    outcome = await page.evaluate(
        """async () => {
          const { Softphone } = await import("/static/js/softphone.js");
          const phone = new Softphone();
          try { await phone.connect(); return "connected"; }
          catch (error) { return [phone.state, error.state, phone.error.code]; }
        }"""
    )
    assert outcome == ["unauthorized", "unauthorized", "auth.required"]
    assert phone_server.gateway.stats()["sessions"] == 0

"""Real headless Chromium for UI tests, kept on loopback (../shared/notes/webrtc-browser-tests.md).

Name lookups are refused except for 127.0.0.1, background networking is off, and Playwright's
`--disable-features` list is merged with ours by `chromium-wrapper.sh` (Chromium honours only
the last such flag). Never `playwright install`: Debian's Chromium is used.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Browser, Playwright

from tests.conftest import CI, require_tool

WRAPPER = Path(__file__).with_name("chromium-wrapper.sh")
CHROMIUM = "/usr/lib/chromium/chromium"

# A JavaScript function `(stream, ms) => {hz, aboveMedianDb}`: averages a MediaStream's
# spectrum over `ms` and reports its strongest frequency and how far above the median bin it
# stands. Tests install it in a page and call it on the received audio.
SPECTRUM_PEAK_JS = """
async (stream, ms) => {
  const ctx = window.testAudioContext || (window.testAudioContext = new AudioContext());
  await ctx.resume();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  source.connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const power = new Float64Array(analyser.frequencyBinCount);
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    analyser.getFloatFrequencyData(bins);
    bins.forEach((db, i) => { power[i] += 10 ** (db / 10); });
  }
  source.disconnect();
  let peak = 1;
  for (let i = 1; i < power.length; i++) if (power[i] > power[peak]) peak = i;
  const sorted = Array.from(power).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] || 1e-30;
  return { hz: peak * ctx.sampleRate / analyser.fftSize,
           aboveMedianDb: 10 * Math.log10(power[peak] / median) };
}
"""

LOOPBACK_ARGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns,Translate,OptimizationHints,MediaRouter",
]


def media_args(fake_audio_wav: Path | None) -> list[str]:
    args = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
    ]
    if fake_audio_wav is not None:
        args.append(f"--use-file-for-fake-audio-capture={fake_audio_wav}")
    return args


def _check_chromium() -> None:
    if not Path(CHROMIUM).exists():
        require_tool("chromium")


def _check_locale(lang: str) -> None:
    """Chromium draws native date and time controls in its own language, which needs that
    language's pack (Debian's chromium-l10n); without it, silently en-US."""
    if not (Path(CHROMIUM).parent / "locales" / f"{lang}.pak").exists():
        message = f"Chromium has no {lang} locale (scripts/system-deps.sh all installs it)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)


async def launch_chromium(
    playwright: Playwright, *, fake_audio_wav: Path | None = None, lang: str | None = None
) -> Browser:
    """Chromium on loopback; `lang`: its own language (`--lang`), the one its native date and
    time controls speak — a page's locale alone does not change them."""
    _check_chromium()
    args = [*LOOPBACK_ARGS, *media_args(fake_audio_wav)]
    env: dict[str, str | float | bool] | None = None
    if lang is not None:
        _check_locale(lang)
        args.append(f"--lang={lang}")
        # On Linux Chromium takes its language from LANGUAGE, not from --lang.
        env = {**os.environ, "LANGUAGE": lang.replace("-", "_")}
    return await playwright.chromium.launch(
        executable_path=str(WRAPPER), headless=True, args=args, env=env
    )

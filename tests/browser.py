"""Real headless Chromium for UI tests, kept on loopback (../shared/notes/webrtc-browser-tests.md).

Name lookups are refused except for 127.0.0.1, background networking is off, and Playwright's
`--disable-features` list is merged with ours by `chromium-wrapper.sh` (Chromium honours only
the last such flag). Never `playwright install`: Debian's Chromium is used.
"""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Playwright

from tests.conftest import require_tool

WRAPPER = Path(__file__).with_name("chromium-wrapper.sh")
CHROMIUM = "/usr/lib/chromium/chromium"

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


async def launch_chromium(playwright: Playwright, *, fake_audio_wav: Path | None = None) -> Browser:
    _check_chromium()
    return await playwright.chromium.launch(
        executable_path=str(WRAPPER),
        headless=True,
        args=[*LOOPBACK_ARGS, *media_args(fake_audio_wav)],
    )

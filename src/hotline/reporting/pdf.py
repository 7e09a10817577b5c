"""Reports as PDF (ADR 0171): headless Chromium prints the report page — the same figures, the
charts drawn by the chart library the app serves, the CJK font from the system — to a PDF.

The page is written to a private temporary folder and opened from there (`file://`), with
every network name refused: printing needs no server, no session and no port, and the page
reaches no network; it loads only our own module and the chart library, by their paths."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from hotline.analytics.reports.errors import PdfUnavailable

__all__ = ["chromium_args", "print_pdf"]


def chromium_args(chromium: Path, page: Path, out: Path, profile: Path) -> list[str]:
    args = [
        str(chromium),
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing outside this machine's files
        "--allow-file-access-from-files",  # the page's module and the chart library are files
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=10000",  # scripts finish (virtual time, not a wait)
        f"--print-to-pdf={out}",
        page.as_uri(),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to start its sandbox as root
    return args


async def print_pdf(html: str, chromium: Path, *, timeout_s: float = 60.0) -> bytes:
    """The PDF of a self-contained page (its assets named by absolute `file://` URLs)."""
    if not await asyncio.to_thread(chromium.exists):
        raise PdfUnavailable(f"{chromium} not found")
    with tempfile.TemporaryDirectory(prefix="hotline-pdf-") as folder:
        root = Path(folder)
        page, out = root / "report.html", root / "report.pdf"
        await asyncio.to_thread(page.write_text, html, encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            *chromium_args(chromium, page, out, root / "profile"),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await asyncio.wait_for(process.communicate(), timeout_s)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise PdfUnavailable(f"no PDF within {timeout_s:g} s") from None
        pdf = await asyncio.to_thread(_read, out)
        if process.returncode != 0 or not pdf:
            tail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise PdfUnavailable(f"chromium exited {process.returncode}: {tail[0][:200]}")
        return pdf


def _read(out: Path) -> bytes:
    return out.read_bytes() if out.is_file() else b""

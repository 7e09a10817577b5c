"""A PDF read back as its reader would: the text (poppler's pdftotext, the layout kept) and the
images in it (pdfimages -list). A skip locally, a failure under CI=true, when poppler is missing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import require_tool


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(
        [require_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, check=True
    )
    return out.stdout.decode()


def pdf_images(pdf: Path) -> list[str]:
    """One line per image (a chart drawn on a canvas prints as an image and its mask)."""
    out = subprocess.run(
        [require_tool("pdfimages"), "-list", str(pdf)], capture_output=True, check=True
    )
    lines = out.stdout.decode().splitlines()[2:]  # past the header and its underline
    return [line for line in lines if line.split()[2:3] == ["image"]]  # not their masks

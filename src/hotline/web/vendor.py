"""Browser libraries served by the app (ADR 0170): pinned npm packages that `make` installs into
the ignored `vendor/node_modules` (vendor/package-lock.json), never copied into the repository
nor fetched from a CDN. Only each package's built files are served, under `/static/vendor/`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["PACKAGES", "default_vendor_dir", "install_vendor", "vendor_file"]

PACKAGES = {"chart.js": "dist", "drawflow": "dist"}
"""Each package served, and the folder of it that is (its built files)."""


def default_vendor_dir() -> Path:
    """The source tree's vendor/node_modules (an editable install, the tests, the demo)."""
    return Path(__file__).resolve().parents[3] / "vendor" / "node_modules"


def vendor_file(root: Path, package: str, name: str) -> Path:
    """Where one served file of a package is on disk (the PDF printer loads it from there)."""
    return root / package / PACKAGES[package] / name


def install_vendor(app: FastAPI, root: Path) -> None:
    """Mount each package's files; before `/static`, which would shadow them. A package not
    installed answers 404 (the page says the charts are missing; CI fails, ADR 0170)."""
    for package, folder in PACKAGES.items():
        app.mount(
            f"/static/vendor/{package}",
            StaticFiles(directory=root / package / folder, check_dir=False),
            name=f"vendor-{package}",
        )

"""Every name a module of `hotline.imports` exports exists (the surface targets build on)."""

from __future__ import annotations

import importlib
import pkgutil

import hotline.imports


def test_every_exported_name_exists() -> None:
    for info in pkgutil.iter_modules(hotline.imports.__path__):
        module = importlib.import_module(f"hotline.imports.{info.name}")
        for name in getattr(module, "__all__", []):
            assert hasattr(module, name), f"hotline.imports.{info.name}.{name}"

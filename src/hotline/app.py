"""Composition root: builds every service from one `Settings` object. No globals."""

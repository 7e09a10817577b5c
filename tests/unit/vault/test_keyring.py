"""The keyring's derived secrets: the same after a restart (a new `Keyring` on the same
directory) and after a rotation, different per tenant and per purpose."""

from __future__ import annotations

from pathlib import Path

from hotline.vault.keyring import Keyring


def test_a_derived_secret_outlives_restarts_and_rotations(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    first = Keyring(keys).derive("demo", "chat.visitor")
    assert len(first) == 32
    again = Keyring(keys)  # the server started again
    assert again.derive("demo", "chat.visitor") == first
    again.rotate("demo")
    assert again.derive("demo", "chat.visitor") == first
    assert again.derive("demo", "other") != first
    assert again.derive("acme", "chat.visitor") != first

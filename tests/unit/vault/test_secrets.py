"""Secrets sealed at rest: they open only for their center and purpose, a changed value is
refused, a plain value from before sealing opens as itself, and a center's first key is made
once even when two keyrings (two processes) ask for it together."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hotline.vault.errors import KeyMissing
from hotline.vault.keyring import Keyring
from hotline.vault.secrets import SecretBox, SecretDamaged, is_sealed_text


def test_sealed_secret_opens_for_its_center_and_purpose_only(tmp_path: Path) -> None:
    box = SecretBox(Keyring(tmp_path))
    sealed = box.seal("t1", "webhook.secret", "s3cret-密钥")
    assert is_sealed_text(sealed)
    assert "s3cret" not in sealed
    assert box.seal("t1", "webhook.secret", "s3cret-密钥") != sealed  # a fresh nonce each time
    assert SecretBox(Keyring(tmp_path)).open("t1", "webhook.secret", sealed) == "s3cret-密钥"
    with pytest.raises(SecretDamaged):
        box.open("t1", "trunk.password", sealed)  # another purpose
    box.seal("t2", "webhook.secret", "x")  # t2 gets its own key: t1's value is not its own
    with pytest.raises(KeyMissing):
        box.open("t2", "webhook.secret", sealed)
    kid = sealed.split(":")[2]
    body = sealed.rsplit(":", 1)[1]
    flipped = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with pytest.raises(SecretDamaged):
        box.open("t1", "webhook.secret", f"sealed:v1:{kid}:{flipped}")
    assert box.open("t1", "webhook.secret", "plain-from-before") == "plain-from-before"


def test_rotated_key_still_opens_older_secrets(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path)
    box = SecretBox(keyring)
    old = box.seal("t1", "p", "one")
    keyring.rotate("t1")
    new = box.seal("t1", "p", "two")
    assert old.split(":")[2] != new.split(":")[2]
    assert (box.open("t1", "p", old), box.open("t1", "p", new)) == ("one", "two")


def test_first_key_is_made_once_across_keyrings(tmp_path: Path) -> None:
    rings = [Keyring(tmp_path) for _ in range(8)]
    start = threading.Barrier(len(rings))
    got: list[str] = []

    def first(ring: Keyring) -> None:
        start.wait()
        got.append(ring.current("t1")[0])

    threads = [threading.Thread(target=first, args=(r,)) for r in rings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1
    assert Keyring(tmp_path).current("t1")[0] == got[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t1.json"]  # no temporary left

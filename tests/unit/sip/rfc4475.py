"""The RFC 4475 golden files and their table of expected outcomes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

DIR = Path(__file__).resolve().parents[2] / "data" / "sip" / "rfc4475"


@dataclass(frozen=True)
class Case:
    name: str
    section: str
    title: str
    parser: str
    endpoint: str

    @property
    def data(self) -> bytes:
        return (DIR / f"{self.name}.dat").read_bytes()


def cases() -> list[Case]:
    out = []
    for line in (DIR / "expected.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            out.append(Case(*line.split("\t")))
    return out


def checksums() -> dict[str, str]:
    sums = {}
    for line in (DIR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        sums[name.removesuffix(".dat")] = digest
    return sums


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

"""SMPP 3.4 PDUs through smpplib's codec (ADR 0231): the one module that imports it.

`encode("submit_sm", 7, source_addr=..., short_message=b"...")` gives the wire bytes;
`decode(raw)` gives a `Pdu` with the command, status, sequence and fields (strings as text,
octet strings as bytes). `read_frame` reads one length-prefixed PDU from a stream.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass, field
from typing import Any

from smpplib import consts as smpp_consts
from smpplib import exceptions as smpp_exceptions
from smpplib import smpp as smpp_codec

__all__ = [
    "ESME_RINVSYSID",
    "ESME_ROK",
    "ESME_RSYSERR",
    "MAX_PDU",
    "Pdu",
    "PduError",
    "decode",
    "encode",
    "read_frame",
]

ESME_ROK = 0x00
ESME_RSYSERR = 0x08
ESME_RINVSYSID = 0x0F
ESME_RBINDFAIL = 0x0D
MAX_PDU = 64 * 1024
_TEXT_FIELDS = {
    "system_id", "password", "system_type", "source_addr", "destination_addr", "message_id",
    "service_type", "schedule_delivery_time", "validity_period", "address_range",
    "receipted_message_id",
}  # fmt: skip


class PduError(Exception):
    """A frame that is not a PDU this codec reads."""


class _Sequence:
    """What smpplib's PDU classes ask of a client: a sequence (we always set our own)."""

    sequence = 0

    def next_sequence(self) -> int:
        return 0


@dataclass(frozen=True, slots=True)
class Pdu:
    command: str
    status: int
    sequence: int
    fields: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


def encode(command: str, sequence: int, *, status: int = ESME_ROK, **fields: Any) -> bytes:
    pdu = smpp_codec.make_pdu(command, client=_Sequence(), allow_unknown_opt_params=True, **fields)
    pdu.sequence = sequence
    pdu.status = status
    return bytes(pdu.generate())


def _plain(name: str, value: Any) -> Any:
    if isinstance(value, bytes) and name in _TEXT_FIELDS:
        return value.decode("ascii", errors="replace")
    return value


def decode(raw: bytes) -> Pdu:
    try:
        pdu = smpp_codec.parse_pdu(raw, client=_Sequence(), allow_unknown_opt_params=True)
    except (smpp_exceptions.UnknownCommandError, struct.error, IndexError, ValueError) as e:
        raise PduError(str(e)) from None
    if pdu is None:
        raise PduError("unknown command")
    names = set(getattr(pdu, "params", {}))
    fields = {
        n: _plain(n, getattr(pdu, n, None)) for n in names if getattr(pdu, n, None) is not None
    }
    return Pdu(command=str(pdu.command), status=int(pdu.status), sequence=int(pdu.sequence),
               fields=fields)  # fmt: skip


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    """One PDU's bytes; `asyncio.IncompleteReadError` when the peer closed."""
    head = await reader.readexactly(4)
    (length,) = struct.unpack(">L", head)
    if not 16 <= length <= MAX_PDU:
        raise PduError(f"a PDU of {length} octets")
    return head + await reader.readexactly(length - 4)


DESCRIPTIONS: dict[int, str] = dict(smpp_consts.DESCRIPTIONS)

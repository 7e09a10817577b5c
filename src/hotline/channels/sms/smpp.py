"""The SMPP provider: one SMPP 3.4 transceiver session per center over asyncio, with
smpplib's PDU codec (ADR 0231). submit_sm for each part of a message, deliver_sm for inbound
messages (concatenated parts joined) and delivery receipts, enquire_link both ways, and a
reconnect (with a fresh bind) whenever the link drops or stops answering.

A received message is acknowledged (deliver_sm_resp) only after the service stored it; the
parts of a long message before its last are held in memory and acknowledged at once (a
crash between loses those parts: the SMSC does not resend what it saw acknowledged).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hotline.channels.sms.encoding import (
    ESM_UDHI,
    Concat,
    join_parts,
    parse_udh,
    split,
)
from hotline.channels.sms.errors import SmsEncodingError, SmsProviderError
from hotline.channels.sms.model import (
    DeliveryReceipt,
    InboundSms,
    OutboundSms,
    SendResult,
    SmsStatus,
)
from hotline.channels.sms.provider import ProviderEvents
from hotline.channels.sms.settings import SmppProviderConfig
from hotline.channels.sms.smpp_pdu import (
    ESME_ROK,
    ESME_RSYSERR,
    Pdu,
    PduError,
    decode,
    encode,
    read_frame,
)
from hotline.egress import EgressPolicy, EgressRefused
from hotline.ids import new_id

__all__ = ["SmppProvider", "address_of", "receipt_of"]

log = logging.getLogger(__name__)

_RECEIPT = 0x04  # esm_class message type: SMSC delivery receipt (SMPP 3.4 §5.2.12)
_RETRY_STATUSES = {0x08, 0x14, 0x58, 0x45}  # system error, queue full, throttled, submit failed
# message_state (SMPP 3.4 §5.2.28): 2 delivered, 3 expired, 4 deleted, 5 undeliverable,
# 6 accepted, 7 unknown, 8 rejected
_STATE = {2: SmsStatus.DELIVERED, 3: SmsStatus.FAILED, 4: SmsStatus.FAILED,
          5: SmsStatus.FAILED, 6: SmsStatus.SENT, 7: SmsStatus.FAILED,
          8: SmsStatus.FAILED}  # fmt: skip
_STAT_WORDS = {"DELIVRD": SmsStatus.DELIVERED, "ACCEPTD": SmsStatus.SENT,
               "ENROUTE": SmsStatus.SENT, "EXPIRED": SmsStatus.FAILED,
               "DELETED": SmsStatus.FAILED, "UNDELIV": SmsStatus.FAILED,
               "REJECTD": SmsStatus.FAILED, "UNKNOWN": SmsStatus.FAILED}  # fmt: skip
_RECEIPT_TEXT = re.compile(rb"id:(?P<id>\S+).*?stat:(?P<stat>\w+)(?:.*?err:(?P<err>\w+))?", re.S)
_PARTIAL_KEEP_S = 600.0


def address_of(number: str) -> dict[str, Any]:
    """TON/NPI and digits for an address: +E.164 international, digits unknown, letters
    alphanumeric (a sender id)."""
    if number.startswith("+") and number[1:].isdigit():
        return {"ton": 1, "npi": 1, "addr": number[1:]}
    if number.isdigit():
        return {"ton": 0, "npi": 1, "addr": number}
    return {"ton": 5, "npi": 0, "addr": number}


def receipt_of(pdu: Pdu, now: float) -> DeliveryReceipt | None:
    """A deliver_sm that is a delivery receipt, read from its TLVs or its text."""
    provider_id = pdu.get("receipted_message_id")
    state = pdu.get("message_state")
    status = _STATE.get(int(state)) if state is not None else None
    error: str | None = None
    found = _RECEIPT_TEXT.search(pdu.get("short_message") or b"")
    if found:
        provider_id = provider_id or found["id"].decode("ascii", errors="replace")
        status = status or _STAT_WORDS.get(found["stat"].decode("ascii", errors="replace"))
        err = (found["err"] or b"").decode("ascii", errors="replace")
        if err and err.strip("0"):
            error = f"err:{err}"
    if not provider_id or status is None:
        return None
    if status is SmsStatus.FAILED and error is None:
        error = "undelivered"
    return DeliveryReceipt(provider_id=str(provider_id), status=status, at=now, error=error)


@dataclass
class _Partial:
    first_at: float
    total: int
    data_coding: int
    parts: dict[int, bytes] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)


class SmppProvider:
    name = "smpp"

    def __init__(
        self,
        config: SmppProviderConfig,
        events: ProviderEvents,
        *,
        now: Callable[[], float],
        response_timeout_s: float = 10.0,
        policy: EgressPolicy | None = None,
    ) -> None:
        """`policy`: the egress guard the SMSC's address must pass (as a webhook's does)."""
        self.config = config
        self.policy = policy
        self.events = events
        self.now = now
        self.response_timeout_s = response_timeout_s
        self.binds = 0  # how many times a session was bound (reconnects show here)
        self._sequence = 0
        self._pending: dict[int, asyncio.Future[Pdu]] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._bound = asyncio.Event()
        self._closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._partials: dict[tuple[str, str, int, int], _Partial] = {}

    # -- life --
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="smpp-session")

    @property
    def bound(self) -> bool:
        return self._bound.is_set()

    async def wait_bound(self, timeout_s: float) -> None:
        self.start()
        try:
            await asyncio.wait_for(self._bound.wait(), timeout_s)
        except TimeoutError:
            raise SmsProviderError("the SMSC is not bound", retry=True) from None

    async def close(self) -> None:
        self._closing.set()
        writer = self._writer
        if writer is not None and self.bound:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._request("unbind"), 2.0)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._handlers):
            task.cancel()
        self._drop()

    # -- sending --
    async def send(self, sms: OutboundSms) -> SendResult:
        await self.wait_bound(max(self.config.reconnect_s * 2, self.response_timeout_s))
        layout = split(sms.text, reference=sms.reference)
        source, target = address_of(sms.sender), address_of(sms.to)
        ids: list[str] = []
        for part in layout.parts:
            answer = await self._request(
                "submit_sm",
                source_addr_ton=source["ton"], source_addr_npi=source["npi"],
                source_addr=source["addr"], dest_addr_ton=target["ton"],
                dest_addr_npi=target["npi"], destination_addr=target["addr"],
                esm_class=part.esm_class, data_coding=layout.data_coding,
                registered_delivery=1, short_message=part.short_message,
            )  # fmt: skip
            if answer.status != ESME_ROK:
                raise SmsProviderError(
                    f"submit_sm status 0x{answer.status:02x}",
                    retry=answer.status in _RETRY_STATUSES,
                )
            ids.append(str(answer.get("message_id") or ""))
        return SendResult(provider_ids=tuple(ids), parts=len(ids), encoding=layout.encoding.value)

    async def _request(self, command: str, **fields: Any) -> Pdu:
        writer = self._writer
        if writer is None:
            raise SmsProviderError("the SMSC link is down", retry=True)
        self._sequence = self._sequence % 0x7FFFFFFF + 1
        sequence = self._sequence
        future: asyncio.Future[Pdu] = asyncio.get_running_loop().create_future()
        self._pending[sequence] = future
        try:
            writer.write(encode(command, sequence, **fields))
            await writer.drain()
            return await asyncio.wait_for(future, self.response_timeout_s)
        except TimeoutError:
            raise SmsProviderError(f"no answer to {command}", retry=True) from None
        except (ConnectionError, OSError) as e:
            raise SmsProviderError(f"{type(e).__name__}: {e}", retry=True) from None
        finally:
            self._pending.pop(sequence, None)

    # -- the session --
    async def _run(self) -> None:
        while not self._closing.is_set():
            try:
                await self._session()
            except (OSError, asyncio.IncompleteReadError, PduError, SmsProviderError) as e:
                log.warning("SMPP link to %s:%s: %s", self.config.host, self.config.port, e)
            finally:
                self._drop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.config.reconnect_s)

    def _drop(self) -> None:
        self._bound.clear()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(SmsProviderError("the SMSC link dropped", retry=True))
        self._pending.clear()

    async def _address(self) -> str:
        """The SMSC's address, checked against the egress policy (`EgressRefused` if not)."""
        host = self.config.host
        if self.policy is None:
            return host
        found = await asyncio.get_running_loop().getaddrinfo(
            host, self.config.port, type=socket.SOCK_STREAM
        )
        if not found:
            raise OSError(f"{host} does not resolve")
        address = str(found[0][4][0])
        self.policy.check(host, address)
        return address

    async def _session(self) -> None:
        try:
            address = await self._address()
        except EgressRefused as refused:
            raise SmsProviderError(str(refused), retry=False) from None
        reader, writer = await asyncio.open_connection(address, self.config.port)
        self._writer = writer
        keepalive: asyncio.Task[None] | None = None
        reading = asyncio.create_task(self._read(reader))
        try:
            answer = await self._request(
                "bind_transceiver",
                system_id=self.config.system_id, password=self.config.password,
                system_type=self.config.system_type, interface_version=0x34,
            )  # fmt: skip
            if answer.status != ESME_ROK:
                raise SmsProviderError(f"bind refused: 0x{answer.status:02x}", retry=True)
            self.binds += 1
            self._bound.set()
            log.info("SMPP bound to %s:%s", self.config.host, self.config.port)
            keepalive = asyncio.create_task(self._keepalive())
            done, _ = await asyncio.wait({reading, keepalive}, return_when=asyncio.FIRST_COMPLETED)
            for finished in done:
                finished.result()
        finally:
            for task in (reading, keepalive):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

    async def _keepalive(self) -> None:
        """enquire_link every `enquire_link_s`; no answer ends the session (reconnect)."""
        while True:
            await asyncio.sleep(self.config.enquire_link_s)
            await self._request("enquire_link")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            pdu = decode(await read_frame(reader))
            future = self._pending.get(pdu.sequence)
            if pdu.command.endswith("_resp") or pdu.command == "generic_nack":
                if future is not None and not future.done():
                    future.set_result(pdu)
            elif pdu.command == "enquire_link":
                self._answer("enquire_link_resp", pdu.sequence)
            elif pdu.command == "unbind":
                self._answer("unbind_resp", pdu.sequence)
                raise SmsProviderError("the SMSC unbound", retry=True)
            elif pdu.command == "deliver_sm":
                task = asyncio.create_task(self._delivered(pdu))
                self._handlers.add(task)
                task.add_done_callback(self._handlers.discard)

    def _answer(self, command: str, sequence: int, status: int = ESME_ROK) -> None:
        if self._writer is not None:
            self._writer.write(encode(command, sequence, status=status))

    async def _delivered(self, pdu: Pdu) -> None:
        status = ESME_ROK
        try:
            await self._handle_deliver(pdu)
        except Exception:
            log.exception("deliver_sm not handled; the SMSC will send it again")
            status = ESME_RSYSERR
        self._answer("deliver_sm_resp", pdu.sequence, status)

    async def _handle_deliver(self, pdu: Pdu) -> None:
        now = self.now()
        esm = int(pdu.get("esm_class") or 0)
        if esm & 0x3C == _RECEIPT:
            receipt = receipt_of(pdu, now)
            if receipt is not None:
                await self.events.receipt(receipt)
            return
        sender = _number(pdu.get("source_addr") or "", int(pdu.get("source_addr_ton") or 0))
        recipient = _number(pdu.get("destination_addr") or "", int(pdu.get("dest_addr_ton") or 0))
        data_coding = int(pdu.get("data_coding") or 0)
        raw = pdu.get("short_message") or pdu.get("message_payload") or b""
        concat: Concat | None = None
        payload = raw
        if esm & ESM_UDHI:
            concat, payload = parse_udh(raw)
        elif pdu.get("sar_msg_ref_num") is not None:
            concat = Concat(
                int(pdu.get("sar_msg_ref_num")), int(pdu.get("sar_total_segments") or 1),
                int(pdu.get("sar_segment_seqnum") or 1),
            )  # fmt: skip
        part_id = new_id(now)
        if concat is None or concat.total == 1:
            text = join_parts([payload], data_coding)
            await self.events.inbound(InboundSms(sender, recipient, text, now, "smpp", (part_id,)))
            return
        await self._expire(now)
        key = (sender, recipient, concat.reference, concat.total)
        partial = self._partials.setdefault(key, _Partial(now, concat.total, data_coding))
        partial.parts[concat.number] = payload
        partial.ids[concat.number] = part_id
        if len(partial.parts) < partial.total:
            return
        del self._partials[key]
        await self._deliver_joined(sender, recipient, partial, now)

    async def _deliver_joined(
        self, sender: str, recipient: str, partial: _Partial, now: float
    ) -> None:
        numbers = sorted(partial.parts)
        try:
            text = join_parts([partial.parts[n] for n in numbers], partial.data_coding)
        except SmsEncodingError:
            text = "".join(join_parts([partial.parts[n]], partial.data_coding) for n in numbers)
        ids = tuple(partial.ids[n] for n in numbers)
        await self.events.inbound(
            InboundSms(sender, recipient, text, now, "smpp", ids, parts=len(numbers))
        )

    async def _expire(self, now: float) -> None:
        """Parts whose siblings never came are delivered as they are after a while."""
        for key, partial in list(self._partials.items()):
            if now - partial.first_at > _PARTIAL_KEEP_S:
                del self._partials[key]
                log.warning("SMS from %s: %d of %d parts", key[0], len(partial.parts), key[3])
                await self._deliver_joined(key[0], key[1], partial, now)


def _number(addr: str, ton: int) -> str:
    return f"+{addr}" if ton == 1 and addr.isdigit() else addr

"""An SMSC double: a real SMPP 3.4 server on loopback for the SMS tests, speaking through
the same smpplib PDUs as the client. It binds transceivers (checking system id and password),
answers submit_sm with a message id and (when asked) a delivery receipt, answers and sends
enquire_link, delivers messages to the bound client, and can drop every link (reconnects).
It joins what it receives on its own (UDH read here, not with the code under test)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from hotline.channels.sms.smpp_pdu import (
    ESME_RINVSYSID,
    ESME_ROK,
    Pdu,
    decode,
    encode,
    read_frame,
)

__all__ = ["Smsc", "Submitted"]


@dataclass
class Submitted:
    pdu: Pdu
    raw: bytes
    message_id: str


@dataclass
class Smsc:
    system_id: str = "hotline"
    password: str = "secret"
    receipts: str | None = "DELIVRD"  # the stat of the receipt sent after each submit_sm
    host: str = "127.0.0.1"
    port: int = 0
    submitted: list[Submitted] = field(default_factory=list)
    binds: int = 0
    enquire_links: int = 0
    receipts_acknowledged: int = 0  # receipts the client answered (so has applied)
    _server: asyncio.Server | None = None
    _links: list[asyncio.StreamWriter] = field(default_factory=list)
    _bound: list[asyncio.StreamWriter] = field(default_factory=list)
    _sequence: int = 1000
    _waiters: dict[int, asyncio.Future[Pdu]] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def start(self) -> Smsc:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.drop_links()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def drop_links(self) -> None:
        """Close every connection, as an SMSC restart would."""
        for writer in self._links:
            writer.close()
        self._links.clear()
        self._bound.clear()

    async def wait(self, predicate: object, timeout_s: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout_s)  # type: ignore[arg-type]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def joined(self, first: int = 0) -> list[str]:
        """The texts submitted from index `first` on, concatenated parts joined."""
        texts: list[str] = []
        pending: dict[int, dict[int, bytes]] = {}
        for item in self.submitted[first:]:
            sm: bytes = item.pdu.get("short_message") or b""
            coding = item.pdu.get("data_coding") or 0
            codec = "utf-16-be" if coding == 8 else "latin-1"
            if item.pdu.get("esm_class", 0) & 0x40:
                header_len = sm[0]
                ref, total, number = sm[3], sm[4], sm[5]  # 05 00 03 ref total number
                pending.setdefault(ref, {})[number] = sm[header_len + 1 :]
                if len(pending[ref]) == total:
                    got = pending.pop(ref)
                    data = b"".join(got[n] for n in range(1, total + 1))
                    texts.append(data.decode(codec))
            else:
                texts.append(sm.decode(codec))
        return texts

    async def deliver(
        self, sender: str, recipient: str, parts: list[tuple[bytes, int, int]]
    ) -> list[Pdu]:
        """Send deliver_sm PDUs (short_message, esm_class, data_coding) to the bound client;
        returns its deliver_sm_resp answers."""
        writer = self._bound[-1]
        answers = []
        for short_message, esm_class, data_coding in parts:
            answers.append(
                await self._request(
                    writer,
                    "deliver_sm",
                    source_addr_ton=1,
                    source_addr_npi=1,
                    source_addr=sender.lstrip("+"),
                    dest_addr_ton=0,
                    dest_addr_npi=1,
                    destination_addr=recipient,
                    esm_class=esm_class,
                    data_coding=data_coding,
                    short_message=short_message,
                )
            )
        return answers

    async def enquire(self) -> Pdu:
        return await self._request(self._bound[-1], "enquire_link")

    async def _request(self, writer: asyncio.StreamWriter, command: str, **fields: object) -> Pdu:
        self._sequence += 1
        future: asyncio.Future[Pdu] = asyncio.get_running_loop().create_future()
        self._waiters[self._sequence] = future
        writer.write(encode(command, self._sequence, **fields))
        await writer.drain()
        return await asyncio.wait_for(future, 10)

    async def _receipt(self, writer: asyncio.StreamWriter, submitted: Pdu, text: bytes) -> None:
        await self._request(
            writer,
            "deliver_sm",
            source_addr=submitted.get("destination_addr"),
            destination_addr=submitted.get("source_addr"),
            esm_class=0x04,
            short_message=text,
        )
        self.receipts_acknowledged += 1
        await self._notify()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._links.append(writer)
        try:
            while True:
                raw = await read_frame(reader)
                await self._handle(decode(raw), raw, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            with contextlib.suppress(ValueError):
                self._bound.remove(writer)
            writer.close()
            await self._notify()

    async def _handle(self, pdu: Pdu, raw: bytes, writer: asyncio.StreamWriter) -> None:
        if pdu.command.endswith("_resp"):
            future = self._waiters.pop(pdu.sequence, None)
            if future is not None and not future.done():
                future.set_result(pdu)
            return
        if pdu.command == "bind_transceiver":
            ok = pdu.get("system_id") == self.system_id and pdu.get("password") == self.password
            status = ESME_ROK if ok else ESME_RINVSYSID
            writer.write(
                encode(
                    "bind_transceiver_resp", pdu.sequence, status=status, system_id="smsc-double"
                )
            )
            if ok:
                self.binds += 1
                self._bound.append(writer)
        elif pdu.command == "enquire_link":
            self.enquire_links += 1
            writer.write(encode("enquire_link_resp", pdu.sequence))
        elif pdu.command == "unbind":
            writer.write(encode("unbind_resp", pdu.sequence))
        elif pdu.command == "submit_sm":
            message_id = f"smsc-{len(self.submitted) + 1}"
            self.submitted.append(Submitted(pdu, raw, message_id))
            writer.write(encode("submit_sm_resp", pdu.sequence, message_id=message_id))
            if self.receipts:
                await writer.drain()
                text = (
                    f"id:{message_id} sub:001 dlvr:001 submit date:2612070000 done "
                    f"date:2612070000 stat:{self.receipts} err:000 text:"
                ).encode()
                asyncio.get_running_loop().create_task(self._receipt(writer, pdu, text))
        await writer.drain()
        await self._notify()

"""The stream transports of `SipService`: TCP, and TLS made on first use (ADR 0102, 0103).

TLS listens when the service has a port and a certificate; without them it still exists for
the connections we open (a trunk over TLS). Both apply the same connection limits, whose
decisions consult the protector for addresses with a live registration.
"""

from __future__ import annotations

from collections.abc import Callable

from hotline.sip.address import Address
from hotline.sip.connections import ConnectionLimits
from hotline.sip.transport.tcp import Receiver, TcpTransport
from hotline.sip.transport.tls import TlsConfig, tls_contexts

__all__ = ["StreamTransports"]


class StreamTransports:
    def __init__(
        self,
        on_message: Receiver,
        *,
        max_message_bytes: int,
        limits: ConnectionLimits,
        now: Callable[[], float],
        is_known: Callable[[str], bool],
        tls: TlsConfig,
    ) -> None:
        self._on_message = on_message
        self._max_message_bytes = max_message_bytes
        self._limits = limits
        self._now = now
        self._is_known = is_known
        self._tls_config = tls
        self.tcp = self._make("tcp")
        self.tls: TcpTransport | None = None

    def _make(self, name: str) -> TcpTransport:
        server_ssl = client_ssl = None
        if name == "tls":
            server_ssl, client_ssl = tls_contexts(self._tls_config)
        return TcpTransport(
            self._on_message,
            max_message_bytes=self._max_message_bytes,
            name=name,
            limits=self._limits,
            now=self._now,
            is_known=self._is_known,
            server_ssl=server_ssl,
            client_ssl=client_ssl,
        )

    def get(self, transport: str) -> TcpTransport | None:
        """The transport for `transport` ("tcp", "tls"); TLS is made on first use."""
        if transport == "tcp":
            return self.tcp
        if transport != "tls":
            return None
        if self.tls is None:
            self.tls = self._make("tls")
        return self.tls

    def has_connection(self, flow: Address) -> bool:
        stream = self.get(flow.transport) if flow.transport != "tls" else self.tls
        return stream is not None and stream.has_connection(flow)

    async def start_tls(self, host: str, port: int) -> Address:
        """Listen for TLS with the configured certificate."""
        tls = self.get("tls")
        assert tls is not None
        tls.server_ssl, tls.client_ssl = tls_contexts(self._tls_config)
        return await tls.start(host, port)

    def configure(self, *, limits: ConnectionLimits | None, tls: TlsConfig | None) -> None:
        if limits is not None:
            self._limits = limits
            for stream in (self.tcp, self.tls):
                if stream is not None:
                    stream.guard.limits = limits
        if tls is not None:
            self._tls_config = tls
            if self.tls is not None:
                self.tls.client_ssl = tls_contexts(tls)[1]

    async def close(self) -> None:
        await self.tcp.close()
        if self.tls is not None:
            await self.tls.close()

    def metrics(self) -> dict[str, int]:
        out = {"tcp_framing_errors": self.tcp.framing_errors, **self.tcp.guard.counters()}
        if self.tls is not None:
            out["tls_framing_errors"] = self.tls.framing_errors
            out.update({k.replace("tcp_", "tls_"): v for k, v in self.tls.guard.counters().items()})
        return out

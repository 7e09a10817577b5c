"""TLS contexts for SIP over TLS (RFC 3261 §26.2, RFC 5630 `sips:`; ADR 0103).

The server side presents the configured certificate (TLS 1.2 or newer); the client side, used
for trunks we connect to, verifies the peer's certificate and host name against `ca_file` (or
the system's CAs) unless verification is switched off for a lab. Phones are reached over the
connection they registered on, so the client side is seldom used for them.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Protocol

__all__ = ["TlsConfig", "TlsSettings", "tls_contexts"]


@dataclass(frozen=True, slots=True)
class TlsSettings:
    port: int | None
    cert: str | None
    key: str | None
    ca_file: str | None = None
    verify_peer: bool = True


class TlsConfig(Protocol):
    """What the contexts are made from (`SipServiceConfig` has these fields)."""

    @property
    def tls_cert(self) -> str | None: ...
    @property
    def tls_key(self) -> str | None: ...
    @property
    def tls_ca_file(self) -> str | None: ...
    @property
    def tls_verify_peer(self) -> bool: ...


def tls_contexts(config: TlsConfig) -> tuple[ssl.SSLContext | None, ssl.SSLContext]:
    """(server context or None without a certificate, client context)."""
    server: ssl.SSLContext | None = None
    if config.tls_cert and config.tls_key:
        server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.minimum_version = ssl.TLSVersion.TLSv1_2
        server.load_cert_chain(config.tls_cert, config.tls_key)
    client = ssl.create_default_context(cafile=config.tls_ca_file)
    client.minimum_version = ssl.TLSVersion.TLSv1_2
    if not config.tls_verify_peer:
        client.check_hostname = False
        client.verify_mode = ssl.CERT_NONE
    return server, client

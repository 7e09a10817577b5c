"""The SIP edge's settings onto a running `SipService` (issue 13): message budgets and table
caps, limits on TCP/TLS connections, the TLS listener and the SRTP policy.

`telephony.sip_config` builds the service from the older `sip.*` settings; this maps the
edge settings that came after, keeping what it set (one call from `Services.start_telephony`).
"""

from __future__ import annotations

import dataclasses

from hotline.config import SipSettings
from hotline.sip.connections import ConnectionLimits
from hotline.sip.protection import ProtectionSettings
from hotline.sip.transport.service import SipService
from hotline.sip.transport.tls import TlsSettings

__all__ = ["apply_sip_edge", "edge_protection", "edge_stream_limits", "edge_tls"]


def edge_protection(sip: SipSettings, base: ProtectionSettings) -> ProtectionSettings:
    return dataclasses.replace(
        base,
        trusted_rate_per_s=sip.trusted_rate_limit_per_s,
        trusted_burst=sip.trusted_rate_limit_burst,
        network_rate_per_s=sip.network_rate_limit_per_s,
        network_burst=sip.network_rate_limit_burst,
        global_rate_per_s=sip.global_rate_limit_per_s,
        global_burst=sip.global_rate_limit_burst,
        max_server_transactions=sip.max_transactions,
        max_dialogs=sip.max_dialogs,
    )


def edge_stream_limits(sip: SipSettings) -> ConnectionLimits:
    return ConnectionLimits(
        max_per_source=sip.tcp_max_connections_per_source,
        max_total=sip.tcp_max_connections,
        idle_timeout_s=sip.tcp_idle_timeout_s,
        message_timeout_s=sip.tcp_message_timeout_s,
    )


def edge_tls(sip: SipSettings) -> TlsSettings | None:
    if sip.tls_port is None:
        return None
    return TlsSettings(
        port=sip.tls_port,
        cert=str(sip.tls_cert) if sip.tls_cert else None,
        key=str(sip.tls_key) if sip.tls_key else None,
        ca_file=str(sip.tls_ca_file) if sip.tls_ca_file else None,
        verify_peer=sip.tls_verify_peer,
    )


async def apply_sip_edge(service: SipService, sip: SipSettings) -> None:
    await service.reconfigure(
        protection=edge_protection(sip, service.config.protection),
        stream_limits=edge_stream_limits(sip),
        tls=edge_tls(sip),
        srtp=sip.srtp,
    )

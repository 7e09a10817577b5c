"""Providers from a center's settings: the HTTP gateway and the SMSC both through the egress
guard (their addresses are the center's to choose, like a webhook's); SMPP as a session
started at once."""

from __future__ import annotations

from collections.abc import Callable

from hotline.channels.sms.http_provider import HttpProvider
from hotline.channels.sms.provider import ProviderEvents, SmsProvider
from hotline.channels.sms.settings import SmsConfig
from hotline.channels.sms.smpp import SmppProvider
from hotline.egress import EgressPolicy, guarded_client

__all__ = ["provider_factory"]


def provider_factory(
    policy: EgressPolicy, now: Callable[[], float]
) -> Callable[[str, SmsConfig, ProviderEvents], SmsProvider]:
    def build(tenant_id: str, config: SmsConfig, events: ProviderEvents) -> SmsProvider:
        if config.provider == "http":
            assert config.http is not None
            client = guarded_client(policy, timeout=config.http.timeout_s, follow_redirects=False)
            return HttpProvider(config.http, client)
        assert config.smpp is not None
        session = SmppProvider(config.smpp, events, now=now, policy=policy)
        session.start()
        return session

    return build

"""An httpx client whose every request — the first and each redirect — is resolved here, its
addresses checked against the `EgressPolicy`, and then sent to the checked address (the name
stays in the Host header and the TLS server name), so a DNS answer that changes between the
check and the connection (rebinding) cannot reach an internal address."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

from hotline.egress.errors import EgressRefused
from hotline.egress.policy import EgressPolicy

__all__ = ["GuardedTransport", "guarded_client"]

MAX_REDIRECTS = 3


class GuardedTransport(httpx.AsyncBaseTransport):
    def __init__(self, policy: EgressPolicy, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.policy = policy
        # No proxies from the environment: the request must go to the address we checked.
        self.inner = inner or httpx.AsyncHTTPTransport(trust_env=False, retries=0)

    async def _resolve(self, host: str, port: int) -> str:
        try:
            return str(ipaddress.ip_address(host))
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise httpx.ConnectError(f"cannot resolve {host}: {error}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        # Every answer must be allowed: a name with one public and one internal address
        # could otherwise be steered to the internal one.
        for address in addresses:
            self.policy.check(host, address)
        return addresses[0]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise EgressRefused(
                f"only http and https URLs are called, not {url.scheme}",
                details={"host": url.host, "address": ""},
            )
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        address = await self._resolve(host, port)
        self.policy.check(host, address)
        pinned = ipaddress.ip_address(address.split("%", 1)[0])
        request.url = url.copy_with(host=str(pinned))
        if url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def guarded_client(
    policy: EgressPolicy, *, timeout: float, follow_redirects: bool = True
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for calls to addresses a tenant configured (webhooks)."""
    return httpx.AsyncClient(
        transport=GuardedTransport(policy),
        timeout=timeout,
        follow_redirects=follow_redirects,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,
    )

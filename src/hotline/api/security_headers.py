"""Browser defences on every response (docs/security.md, ADR 0113): a strict Content-Security-
Policy — scripts, styles and everything else from this server only, no inline script, no
plugins, no framing — plus nosniff, the referrer policy, the opener policy, the permissions the
pages use (the microphone for the browser phone, nothing else), `no-store` on API answers, and
HSTS when it is turned on. A route that set its own header keeps it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["CSP", "SecurityHeaders"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        # 'self' covers this origin's WebSocket (ws: and wss:) in CSP 3 browsers.
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

_FIXED: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"microphone=(self), camera=(), geolocation=(), payment=(), usb=()"),
]


class SecurityHeaders:
    def __init__(self, app: Asgi, *, hsts_seconds: int = 0) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_seconds}".encode() if hsts_seconds > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith("/api/")
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                extra = [(n, v) for n, v in _FIXED if n not in present]
                if api and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                if https and self.hsts is not None:
                    extra.append((b"strict-transport-security", self.hsts))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, with_headers)

"""Input every endpoint refuses before it reaches a route: bodies larger than the limit, and NUL
characters in the address or a JSON body (PostgreSQL cannot store them; nothing a person types
contains one). A pure ASGI middleware, so it covers every router and reads a body only once.

The statuses come from `api.errors` like every other error's."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from hotline.api.errors import BodyTooLarge, error_body, status_for
from hotline.errors import InvalidInput

__all__ = ["InputGuard", "nul_field"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


def nul_field(data: Any) -> str | None:
    """The path (`phones[2]`, `custom.note`) of the first JSON string or key holding NUL."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return path or "body"
        elif isinstance(node, dict):
            for key, value in node.items():
                child = f"{path}.{key}" if path else str(key)
                if "\x00" in str(key):
                    return child
                stack.append((value, child))
        elif isinstance(node, list):
            stack.extend((value, f"{path}[{i}]") for i, value in enumerate(node))
    return None


class InputGuard:
    def __init__(self, app: Asgi, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"\x00" in unquote_to_bytes(
            scope.get("query_string") or b""
        ):
            await _refuse(send, InvalidInput("the address contains a NUL character"))
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _refuse(send, self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; let the app see it
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _refuse(send, self._too_large())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if b"json" in headers.get(b"content-type", b"") and b"\\u0000" in body.replace(
            b"\\\\", b""
        ):
            try:
                field = nul_field(json.loads(body))
            except (ValueError, RecursionError):
                field = None  # the route reports the unreadable body
            if field is not None:
                await _refuse(
                    send,
                    InvalidInput(
                        f"{field}: text may not contain a NUL character", details={"field": field}
                    ),
                )
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> BodyTooLarge:
        return BodyTooLarge(
            f"the request body is larger than {self.max_body_bytes} bytes",
            details={"max_bytes": self.max_body_bytes},
        )


async def _refuse(send: Send, error: InvalidInput) -> None:
    payload = json.dumps(error_body(error.code, error.message, error.details)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status_for(error),
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})

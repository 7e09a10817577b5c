"""The one dispatch table from router decisions to lifecycle actions (DESIGN §10).

`center.py` fills it: `Offer` → `Offers.offer`, `CancelOffer` → `Offers.cancel`,
`DialCallback` → `Offers.dial_callback`, `Announce` / `OfferCallback` / `Overflow` /
`Rejected` / `Exited` → `QueueWaits`. A decision without a handler is a wiring error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from hotline.routing import Decision

__all__ = ["DecisionDispatch"]

D = TypeVar("D")


class DecisionDispatch:
    def __init__(self) -> None:
        self._handlers: dict[type[Any], Callable[[Any], None]] = {}

    def on(self, kind: type[D], handler: Callable[[D], None]) -> None:
        self._handlers[kind] = handler

    def apply(self, decision: Decision) -> None:
        handler = self._handlers.get(type(decision))
        if handler is None:
            raise LookupError(f"no handler for router decision {type(decision).__name__}")
        handler(decision)

    def kinds(self) -> set[type[Any]]:
        return set(self._handlers)

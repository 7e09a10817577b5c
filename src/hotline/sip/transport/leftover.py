"""Ending the dialogs a previous run of the process left up (issue 13: no dead calls after a
crash). The call-control layer keeps each confirmed dialog's snapshot in the event log
(`leg.answered.dialog`); after a restart the node sends each open one a BYE with
`Reason: Q.850;cause=41` (temporary failure), so callers, agents' phones and trunks are
released instead of hearing silence."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from hotline.sip.address import Address
from hotline.sip.dialog import Dialog
from hotline.sip.errors import DialogError, SipError
from hotline.sip.transport.calls import CallFailed, reason_header

if TYPE_CHECKING:
    from hotline.sip.transport.service import SipService

__all__ = ["end_leftover_dialog"]

log = logging.getLogger(__name__)


def _flow(text: object) -> Address | None:
    """The peer's source address as `udp:host:port`; only UDP survives a restart (a TCP
    connection does not: the dialog's own target is used then)."""
    if not isinstance(text, str) or text.count(":") < 2:
        return None
    transport, rest = text.split(":", 1)
    host, _, port = rest.rpartition(":")
    if transport != "udp" or not port.isdigit():
        return None
    return Address(transport, host, int(port))


async def end_leftover_dialog(
    service: SipService, snapshot: Mapping[str, object], *, q850_cause: int, timeout_s: float
) -> int:
    """BYE one dialog from its snapshot; its status (408: no answer, 400: not a snapshot)."""
    data = snapshot.get("dialog")
    if not isinstance(data, Mapping):
        return 400
    try:
        dialog = Dialog.from_snapshot(data)
    except DialogError as exc:
        log.warning("cannot end a dialog left by a crash: %s", exc)
        return 400
    extra = []
    reason = reason_header(q850_cause)
    if reason is not None:
        extra.append(("Reason", reason))
    request = dialog.create_request("BYE", extra=extra)
    destination = (None if dialog.route_set else _flow(snapshot.get("flow"))) or (
        dialog.destination()
    )
    try:
        response, _ = await asyncio.wait_for(service.request(request, destination), timeout_s)
    except (CallFailed, TimeoutError):
        return 408
    except SipError as exc:
        log.warning("BYE of dialog %s failed: %s", dialog.call_id, exc)
        return 503
    return response.status

"""The flow's `lookup` node: the customer by caller number (CRM) or an HTTP webhook.

Both answer within the node's `timeout` (`LookupFailed("timeout")` otherwise). A webhook is a
GET with the node's `params` and `key`; its JSON object becomes `<store_as>.<field>` (scalars
only; nested objects are flattened with dots, lists are skipped). It reaches only addresses
the egress policy allows (`egress.*`: public ones, plus the operator's networks).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from hotline.egress import EgressPolicy, EgressRefused, guarded_client
from hotline.flows.actions import Lookup
from hotline.flows.inputs import LookupCompleted, LookupFailed
from hotline.interactions.ports import CustomerDirectory, CustomerRecord, Scalar

__all__ = ["flatten", "lookup_customer", "lookup_webhook"]

log = logging.getLogger(__name__)


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            out.update(flatten(value, key + "."))
        elif value is None or isinstance(value, str | int | float | bool):
            out[key] = value
    return out


async def lookup_customer(
    directory: CustomerDirectory,
    tenant_id: str,
    request: Lookup,
    *,
    known: tuple[str | None, CustomerRecord | None] | None = None,
) -> LookupCompleted | LookupFailed:
    """`known` is the (number, record) looked up when the call arrived: reused, not refetched."""
    if known is not None and known[0] == request.key:
        record = known[1]
    else:
        try:
            record = await asyncio.wait_for(
                directory.find_by_number(tenant_id, request.key), request.timeout
            )
        except TimeoutError:
            return LookupFailed("timeout")
        except Exception as exc:  # noqa: BLE001 - any directory failure takes `failed`
            return LookupFailed(f"error: {type(exc).__name__}")
    if record is None:
        return LookupCompleted(False)
    return LookupCompleted(True, record.variables())


async def lookup_webhook(request: Lookup, egress: EgressPolicy) -> LookupCompleted | LookupFailed:
    """GET the flow's URL with the key; only to addresses `egress` allows, checked after DNS
    (a tenant's flow must not reach the server's own network)."""
    if not request.url:
        return LookupFailed("error: no url")
    params = {**request.params, "key": request.key}
    try:
        async with guarded_client(
            egress, timeout=request.timeout, follow_redirects=False
        ) as client:
            response = await asyncio.wait_for(
                client.get(request.url, params=params), request.timeout
            )
    except EgressRefused as refused:
        log.warning("webhook lookup refused: %s", refused)
        return LookupFailed("error: address not allowed")
    except (TimeoutError, httpx.TimeoutException):
        return LookupFailed("timeout")
    except httpx.HTTPError as exc:
        return LookupFailed(f"error: {type(exc).__name__}")
    if response.status_code == 404:
        return LookupCompleted(False)
    if response.status_code >= 300:
        return LookupFailed(f"http {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return LookupFailed("error: not JSON")
    if not isinstance(body, Mapping):
        return LookupFailed("error: not a JSON object")
    found = body.get("found", True)
    return LookupCompleted(bool(found), flatten(body))

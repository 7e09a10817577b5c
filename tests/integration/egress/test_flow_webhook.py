"""The flow's webhook lookup goes through the egress policy: a flow pointing at the server's own
network (loopback here) fails its lookup with "address not allowed" and nothing reaches the
target; once the operator allows that network, the same lookup finds the customer's fields."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hotline.egress import EgressPolicy
from hotline.flows.actions import Lookup
from hotline.flows.inputs import LookupCompleted, LookupFailed
from hotline.interactions.lookup import lookup_webhook
from tests.integration.egress.test_guarded_client import Server


@pytest.fixture
async def crm() -> AsyncIterator[Server]:
    server = Server("127.0.0.1")
    await server.start()
    yield server
    await server.stop()


def _lookup(server: Server) -> Lookup:
    return Lookup(
        source="webhook",
        key="13800138000",
        timeout=3.0,
        url=f"http://127.0.0.1:{server.port}/customers",
        params={"fields": "vip"},
    )


async def test_a_webhook_to_an_internal_address_is_refused_before_any_byte(crm: Server) -> None:
    result = await lookup_webhook(_lookup(crm), EgressPolicy())
    assert result == LookupFailed("error: address not allowed")
    assert crm.requests == []


async def test_an_allowed_network_is_reached_with_the_key(crm: Server) -> None:
    result = await lookup_webhook(_lookup(crm), EgressPolicy.of(["127.0.0.0/8"]))
    assert result == LookupCompleted(True, {"found": True})
    [request] = crm.requests
    assert request.startswith("GET /customers?fields=vip&key=13800138000 ")

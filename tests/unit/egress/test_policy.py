"""Which addresses outgoing webhook calls may reach."""

from __future__ import annotations

import ipaddress

import pytest

from hotline.egress import EgressPolicy, EgressRefused


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00::5", "::ffff:127.0.0.1",
        "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1", "192.0.2.1",
    ],
)  # fmt: skip
def test_internal_addresses_are_refused(address: str) -> None:
    policy = EgressPolicy()
    assert not policy.allows(ipaddress.ip_address(address))
    with pytest.raises(EgressRefused) as caught:
        policy.check("crm.example", address)
    assert caught.value.details == {
        "host": "crm.example",
        "address": str(ipaddress.ip_address(address)),
    }


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert EgressPolicy().allows(ipaddress.ip_address(address))


def test_the_operator_allows_a_network() -> None:
    policy = EgressPolicy.of(["10.20.0.0/16"])
    assert policy.allows(ipaddress.ip_address("10.20.3.4"))
    assert policy.allows(ipaddress.ip_address("::ffff:10.20.3.4"))
    assert not policy.allows(ipaddress.ip_address("10.21.0.1"))
    assert EgressPolicy(allow_private=True).allows(ipaddress.ip_address("127.0.0.1"))

"""The public surface of `hotline.sip` is what `__all__` says, and every name exists."""

from __future__ import annotations

import importlib

import pytest

import hotline.sip

MODULES = [
    "hotline.sip",
    "hotline.sip.address",
    "hotline.sip.auth",
    "hotline.sip.dialog",
    "hotline.sip.endpoint",
    "hotline.sip.events",
    "hotline.sip.offeranswer",
    "hotline.sip.policy",
    "hotline.sip.registrar",
    "hotline.sip.sdp",
    "hotline.sip.trace",
    "hotline.sip.transport.calls",
    "hotline.sip.transport.service",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(set(exported)) == len(exported)
    for item in exported:
        assert hasattr(module, item), f"{name}.{item}"


def test_package_exports_the_entry_points() -> None:
    expected = {"parse_message", "SipParseError", "compute_ha1", "OutboundPolicy", "Request"}
    assert expected <= set(hotline.sip.__all__)


def test_event_type_names_are_stable() -> None:
    from hotline.sip import events

    names = sorted(getattr(events, n).type for n in events.__all__)
    assert names == [
        "sip.flood_detected",
        "sip.outbound_denied",
        "sip.reachability",
        "sip.registered",
        "sip.scanner_blocked",
        "sip.source_banned",
        "sip.source_unbanned",
        "sip.trunk_registration",
        "sip.trusted_source_abuse",
        "sip.unregistered",
    ]

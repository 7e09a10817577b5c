"""Toll-fraud policy, abuse protection and trunk identification."""

from __future__ import annotations

import pytest

from hotline.sip.address import Address
from hotline.sip.errors import OutboundCapReached, OutboundDenied
from hotline.sip.policy import OutboundPolicy, OutboundRules, normalize_number
from hotline.sip.protection import ProtectionSettings, Protector, Verdict
from hotline.sip.trunk import Trunk, caller_id_of, did_of, identify_trunk
from tests.unit.sip.messages import request

RULES = OutboundRules(
    allow={"agent": ("0", "1"), "supervisor": ("00",), "*": ("110", "120")},
    deny=("00", "1900"),
    max_concurrent=2,
)


@pytest.mark.parametrize(
    ("role", "number", "allowed"),
    [
        ("agent", "13800138000", True),
        ("agent", "010-5555 1234", True),
        ("agent", "0044 20 7946 0000", False),  # international: deny 00 beats allow 0
        # The supervisor's "00" allow and the tenant-wide "00" deny have equal length: deny wins.
        ("supervisor", "0044 20 7946 0000", False),
        ("agent", "19001234", False),
        ("qa", "13800138000", False),
        ("qa", "110", True),
        ("agent", "", False),
    ],
)
def test_prefix_rules(role: str, number: str, allowed: bool) -> None:
    policy = OutboundPolicy({"t1": RULES})
    decision = policy.check("t1", role, number)
    assert decision.allowed is allowed, decision.reason


def test_unknown_tenant_is_denied_by_default() -> None:
    assert not OutboundPolicy().check("nobody", "agent", "13800138000").allowed


def test_concurrent_cap_and_release() -> None:
    policy = OutboundPolicy({"t1": RULES})
    first = policy.acquire("t1", "agent", "13800138000")
    policy.acquire("t1", "agent", "13800138001")
    with pytest.raises(OutboundCapReached):
        policy.acquire("t1", "agent", "13800138002")
    first.release()
    first.release()  # idempotent
    assert policy.active("t1") == 1
    policy.acquire("t1", "agent", "13800138002")
    with pytest.raises(OutboundDenied) as info:
        policy.acquire("t1", "agent", "19001234")
    assert info.value.code == "sip.outbound.denied"


def test_room_is_what_the_cap_still_lets_out() -> None:
    policy = OutboundPolicy({"t1": RULES})
    assert policy.room("t1") == 2
    permit = policy.acquire("t1", "agent", "13800138000")
    assert policy.room("t1") == 1
    policy.acquire("t1", "agent", "13800138001")
    assert policy.room("t1") == 0
    policy.set_rules("t1", OutboundRules(allow=RULES.allow, max_concurrent=1))  # lowered
    assert policy.room("t1") == 0
    permit.release()
    assert policy.room("t1") == 0
    assert policy.room("other") == OutboundRules().max_concurrent


def test_normalize_number() -> None:
    assert normalize_number("+86 (10) 5555-1234") == "+861055551234"


def test_rate_limit_refills_over_time() -> None:
    p = Protector(ProtectionSettings(rate_per_s=2, burst=2))
    assert [p.check_datagram("a", 100, 0.0) for _ in range(3)] == [
        Verdict.ACCEPT,
        Verdict.ACCEPT,
        Verdict.RATE_LIMITED,
    ]
    assert p.check_datagram("a", 100, 0.5) is Verdict.ACCEPT
    assert p.check_datagram("b", 100, 0.5) is Verdict.ACCEPT
    assert p.check_datagram("b", 70_000, 0.5) is Verdict.TOO_LARGE


def test_failed_auth_bans_and_ban_expires() -> None:
    p = Protector(ProtectionSettings(auth_failures_before_ban=3, ban_seconds=60))
    for _ in range(3):
        p.auth_failed("10.0.0.9", 10.0)
    assert p.check_datagram("10.0.0.9", 100, 11.0) is Verdict.BANNED
    (notice,) = p.take_notices()
    assert (notice.kind, notice.until) == ("banned", 70.0)
    assert p.bans(11.0) == {"10.0.0.9": 70.0}
    assert p.check_datagram("10.0.0.9", 100, 71.0) is Verdict.ACCEPT
    assert p.counters.bans == 1


def test_scanner_user_agents() -> None:
    p = Protector()
    assert p.check_user_agent("x", "friendly-scanner 1.0") is Verdict.BLOCKED_USER_AGENT
    assert p.check_user_agent("x", "baresip v1.0.0") is Verdict.ACCEPT


def test_trunk_identification_did_and_caller_id() -> None:
    trunks = [
        Trunk("carrier", "192.0.2.50", inbound_sources=("192.0.2.51",)),
        Trunk("b", "10.1.1.1"),
    ]
    assert identify_trunk(trunks, Address("udp", "192.0.2.51", 5060)) is trunks[0]
    assert identify_trunk(trunks, Address("udp", "127.0.0.1", 5060)) is None
    invite = request(
        "INVITE",
        uri="sip:4008001234@pbx.example.com",
        extra='P-Asserted-Identity: "Li Si" <sip:+8613900139000@carrier.example.net>\r\n',
    )
    assert did_of(invite) == "4008001234"
    assert did_of(invite, Trunk("to", "h", did_from="to")) == "agent"
    caller = caller_id_of(invite)
    assert (caller.number, caller.display) == ("+8613900139000", "Li Si")


def test_trunk_address_is_never_banned_but_reported() -> None:
    p = Protector(ProtectionSettings(auth_failures_before_ban=3, ban_seconds=60))
    p.trust({"192.0.2.50"})
    for _ in range(3):
        p.auth_failed("192.0.2.50", 10.0)
    assert p.bans(11.0) == {}
    assert p.check_datagram("192.0.2.50", 100, 11.0) is Verdict.ACCEPT
    (notice,) = p.take_notices()
    assert (notice.kind, notice.source) == ("trusted_abuse", "192.0.2.50")
    assert not p.ban("192.0.2.50", 100.0, "manual")
    assert p.counters.trusted_auth_failures == 1


def test_ban_list_and_unban() -> None:
    p = Protector(ProtectionSettings(auth_failures_before_ban=1, ban_seconds=60))
    p.auth_failed("198.51.100.1", 5.0)
    (ban,) = p.ban_list(6.0)
    assert (ban.source, ban.since, ban.until) == ("198.51.100.1", 5.0, 65.0)
    assert p.unban("198.51.100.1")
    assert not p.unban("198.51.100.1")
    assert p.check_datagram("198.51.100.1", 100, 6.0) is Verdict.ACCEPT


def test_network_and_global_budgets_spare_known_sources() -> None:
    settings = ProtectionSettings(
        rate_per_s=100, burst=10, network_rate_per_s=10, network_burst=15,
        global_rate_per_s=10, global_burst=25,
    )  # fmt: skip
    p = Protector(settings)
    p.trust({"10.0.0.1"})
    p.add_known("10.0.0.2")
    # Five sources of one /24 share its 15 messages, though each has 10 of its own.
    verdicts = [p.check_datagram(f"10.0.0.{i}", 100, 0.0) for i in range(3, 8) for _ in range(5)]
    assert verdicts.count(Verdict.ACCEPT) == 15
    assert verdicts.count(Verdict.NETWORK_LIMITED) == 10
    # Another network: what is left of the 25 shared by every unknown source.
    verdicts = [p.check_datagram(f"10.9.{i}.1", 100, 0.0) for i in range(20)]
    assert verdicts.count(Verdict.ACCEPT) == 10
    assert verdicts.count(Verdict.OVER_BUDGET) == 10
    # The trunk and the registered phone are not counted in either shared budget.
    assert p.check_datagram("10.0.0.1", 100, 0.0) is Verdict.ACCEPT
    assert p.check_datagram("10.0.0.2", 100, 0.0) is Verdict.ACCEPT
    p.remove_known("10.0.0.2")
    assert p.check_datagram("10.0.0.2", 100, 0.0) is Verdict.NETWORK_LIMITED
    kinds = sorted({(n.kind, n.source) for n in p.take_notices()})
    assert kinds == [("flood", "10.0.0.0/24"), ("overload", "*")]
    # One second later the budgets have refilled by their rates.
    assert p.check_datagram("10.9.0.1", 100, 1.0) is Verdict.ACCEPT


def test_sweep_forgets_refilled_sources() -> None:
    p = Protector(ProtectionSettings(rate_per_s=10, burst=10))
    for i in range(100):
        p.check_datagram(f"198.51.{i}.1", 100, 0.0)
    assert p.tracked == 200  # sources and their networks
    assert p.sweep(0.05) == 100  # the networks (400/s) refilled, the sources (10/s) not yet
    assert p.sweep(1.0) == 100
    assert p.tracked == 0


def test_network_of() -> None:
    from hotline.sip.protection import network_of

    assert network_of("10.1.2.3") == "10.1.2.0/24"
    assert network_of("2001:db8::1") == "2001:db8::/64"


def test_a_flood_episode_is_reported_once_until_it_has_been_quiet() -> None:
    p = Protector(ProtectionSettings(rate_per_s=10, burst=10, flood_quiet_s=10))
    for t in (0.0, 2.0, 5.0):  # bursts with short lulls: one episode
        for _ in range(30):
            p.check_datagram("198.51.100.3", 100, t)
    assert [n.kind for n in p.take_notices()] == ["flood"]
    p.check_datagram("198.51.100.3", 100, 16.0)  # quiet for 11 s: the episode ended
    for _ in range(30):
        p.check_datagram("198.51.100.3", 100, 16.0)
    assert [n.kind for n in p.take_notices()] == ["flood"]

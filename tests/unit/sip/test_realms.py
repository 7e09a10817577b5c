"""Several SIP domains on one server (ADR 0141): which realm a request is for, and the
address-of-record its registration is kept under."""

from __future__ import annotations

from hotline.sip.realms import RealmMap
from tests.unit.sip.messages import request


def realms() -> RealmMap:
    found = RealmMap("hotline", "t-demo")
    found.add("east.example.com", "t-east")
    return found


def test_register_is_for_its_to_host_and_unknown_hosts_fall_back() -> None:
    map_ = realms()
    east = request("REGISTER", uri="sip:east.example.com", to_uri="sip:1001@East.Example.com")
    assert map_.realm_for(east) == "east.example.com"
    # An IP address (the phone registered straight to the server) is the configured realm.
    assert map_.realm_for(request("REGISTER", uri="sip:127.0.0.1")) == "hotline"


def test_invite_is_for_its_from_host_then_its_request_uri_host() -> None:
    map_ = realms()
    from_east = request(from_uri="sip:1001@east.example.com")
    assert map_.realm_for(from_east) == "east.example.com"
    to_east = request(uri="sip:4002@east.example.com")
    assert map_.realm_for(to_east) == "east.example.com"
    assert map_.realm_for(request()) == "hotline"


def test_aors_are_bare_in_the_configured_realm_and_qualified_elsewhere() -> None:
    map_ = realms()
    assert map_.aor("1001", "hotline") == "1001"
    assert map_.aor("1001", "east.example.com") == "1001@east.example.com"
    assert map_.aor_of_tenant("t-east", "1001") == "1001@east.example.com"
    assert map_.aor_of_tenant("t-demo", "1001") == "1001"
    assert map_.tenant_of_aor("1001@east.example.com") == "t-east"
    assert map_.tenant_of_aor("1001") == "t-demo"


def test_domains_follow_their_tenants() -> None:
    map_ = realms()
    map_.add("east2.example.com", "t-east")  # the tenant's domain changed
    assert "east.example.com" not in map_
    assert map_.tenant_of("east2.example.com") == "t-east"
    map_.remove("t-east")
    assert map_.realm_of("east2.example.com") == "hotline"
    # The configured realm's tenant is whichever center the database names for it.
    map_.add("HOTLINE", "t-other")
    assert map_.tenant_of_aor("1001") == "t-other"

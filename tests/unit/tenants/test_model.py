"""A tenant's lifecycle as a table, its limits, and what the operator must give."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hotline.errors import IllegalTransition
from hotline.tenants import Limits, TenantAction, TenantIn, TenantStatus, next_status
from hotline.tenants.service import one_time_password

A, S, D = TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.DELETING


def test_transitions_suspend_resume_delete_and_undelete() -> None:
    assert next_status(A, TenantAction.SUSPEND) is S
    assert next_status(S, TenantAction.RESUME) is A
    assert next_status(A, TenantAction.DELETE) is D
    assert next_status(S, TenantAction.DELETE) is D
    assert next_status(D, TenantAction.RESUME) is A  # within the grace period
    for status, action in [(A, TenantAction.RESUME), (S, TenantAction.SUSPEND),
                           (D, TenantAction.SUSPEND), (D, TenantAction.DELETE)]:  # fmt: skip
        with pytest.raises(IllegalTransition):
            next_status(status, action)


def test_limits_count_seats_and_calls() -> None:
    seats = Limits(agents=50, concurrent_calls=2)
    assert seats.agents_allowed(49)
    assert not seats.agents_allowed(50)
    assert seats.call_allowed(1)
    assert not seats.call_allowed(2)
    assert Limits().agents_allowed(10**6)
    assert Limits().call_allowed(10**6)
    assert Limits.of({"max_agents": 3, "max_concurrent_calls": None}) == Limits(agents=3)


def test_the_operator_input_names_what_is_wrong() -> None:
    ok = TenantIn(name="华东", slug="east", sip_domain="East.Example.COM")
    assert (ok.sip_domain, ok.timezone) == ("east.example.com", "Asia/Shanghai")
    cases = {
        "slug": {"slug": "platform"},
        "timezone": {"timezone": "Mars/Olympus"},
        "sip_domain": {"sip_domain": "not a domain"},
        "max_agents": {"max_agents": 0},
    }
    for field, change in cases.items():
        values = {"name": "x", "slug": "east", "sip_domain": "e.example", **change}
        with pytest.raises(ValidationError) as caught:
            TenantIn(**values)  # type: ignore[arg-type]
        assert caught.value.errors()[0]["loc"] == (field,), field


def test_one_time_passwords_are_long_and_differ() -> None:
    first, second = one_time_password(), one_time_password()
    assert first != second
    assert (len(first), first.count("-")) == (19, 3)

from __future__ import annotations

import pytest

from hotline.auth.errors import WeakPassword
from hotline.auth.passwords import hash_password, verify_password
from hotline.auth.roles import POLICY, Permission, Role, allowed
from hotline.auth.throttle import ThrottlePolicy
from hotline.auth.tokens import digest, new_api_token, same


def test_admin_may_do_everything_in_a_center_and_agents_may_not_configure() -> None:
    assert POLICY[Role.ADMIN] == frozenset(Permission) - {Permission.TENANTS_MANAGE}
    assert POLICY[Role.OPERATOR] >= {Permission.TENANTS_MANAGE, Permission.SELF}
    assert not allowed(["operator"], Permission.CONFIG_READ)  # no center's data
    assert allowed(["agent"], Permission.CONFIG_READ)
    assert not allowed(["agent"], Permission.CONFIG_WRITE)
    assert not allowed(["agent"], Permission.USERS_READ)
    assert allowed(["agent", "supervisor"], Permission.EVENTS_READ)
    assert not allowed(["no-such-role"], Permission.SELF)
    assert not allowed([], Permission.SELF)


def test_throttle_locks_after_max_failures_in_the_window_then_releases() -> None:
    policy = ThrottlePolicy(max_failures=5, window_s=900, lockout_s=300)
    now = 10_000.0
    assert policy.locked_for([now - 10] * 4, now) == 0
    failures = [now - 50, now - 40, now - 30, now - 20, now - 10]
    assert policy.locked_for(failures, now) == pytest.approx(290)
    assert policy.locked_for(failures, now + 290) == 0
    # Failures older than the window do not count.
    assert policy.locked_for([now - 1000] * 10, now) == 0


def test_passwords_hash_and_verify_and_refuse_short_ones() -> None:
    h = hash_password("correct horse")
    assert verify_password(h, "correct horse")
    assert not verify_password(h, "wrong horse")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "x")
    with pytest.raises(WeakPassword):
        hash_password("short")


def test_tokens_are_stored_as_digests() -> None:
    token = new_api_token()
    assert token.startswith("htl_")
    assert len(digest(token)) == 64
    assert digest(token) != token
    assert same("a", "a")
    assert not same("a", "b")

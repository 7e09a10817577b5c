"""Whether a center takes one more call: suspended, deleted, full, or open."""

from __future__ import annotations

from hotline.tenants.admission import CallGate
from hotline.tenants.model import MB, TenantStatus


def test_an_active_center_without_a_limit_takes_every_call() -> None:
    assert CallGate().refusal(live=10_000) is None


def test_a_suspended_or_deleted_center_refuses_with_403_and_a_cause() -> None:
    suspended = CallGate(TenantStatus.SUSPENDED).refusal(live=0)
    assert suspended is not None
    assert (suspended.status, suspended.q850, suspended.code) == (403, 21, "tenant.suspended")
    closed = CallGate(TenantStatus.DELETING).refusal(live=0)
    assert closed is not None
    assert closed.status == 403


def test_the_call_over_the_limit_is_busy() -> None:
    gate = CallGate(max_calls=2)
    assert gate.refusal(live=1) is None
    full = gate.refusal(live=2)
    assert full is not None
    assert (full.status, full.q850, full.code) == (486, 17, "tenant.limit.calls")


def test_a_gate_reads_a_tenants_row() -> None:
    gate = CallGate.of({"status": "suspended", "max_concurrent_calls": 3})
    assert gate == CallGate(TenantStatus.SUSPENDED, 3)
    assert CallGate.of({"status": None, "max_concurrent_calls": None}) == CallGate()


def test_recording_starts_below_the_storage_limit_only() -> None:
    gate = CallGate.of({"status": "active", "max_recording_mb": 2})
    assert gate.max_recording_mb == 2
    assert gate.records(used_bytes=0)
    assert gate.records(used_bytes=2 * MB - 1)
    assert not gate.records(used_bytes=2 * MB)
    assert not gate.records(used_bytes=5 * MB)


def test_no_storage_limit_records_everything() -> None:
    assert CallGate().records(used_bytes=10**15)
    assert CallGate(max_recording_mb=None).records(used_bytes=10**12)

"""Settings refuse bad values naming the field; the public surface stays deliberate."""

from __future__ import annotations

from typing import Any

import pytest

import hotline.analytics.realtime
from hotline.analytics.realtime import (
    AlertThresholds,
    QueueSettings,
    RealtimeProjection,
    RealtimeSettings,
    RealtimeSettingsInvalid,
    WrongTenant,
)
from hotline.errors import InvalidInput
from hotline.events import EventRecord

from .feed import MORNING, TENANT


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: RealtimeSettings(time_zone="Mars/Olympus"), "time_zone"),
        (lambda: RealtimeSettings(window_s=0), "window_s"),
        (lambda: RealtimeSettings(short_abandon_s=-1), "short_abandon_s"),
        (lambda: RealtimeSettings(sl_target=1.0), "sl_target"),
        (lambda: RealtimeSettings(shrinkage=1.0), "shrinkage"),
        (lambda: RealtimeSettings(default_aht_s=0), "default_aht_s"),
        (lambda: RealtimeSettings(csat_satisfied_from={5: 6}), "csat_satisfied_from.5"),
        (lambda: RealtimeSettings(queues={"a": QueueSettings("b")}), "queues.a"),
        (lambda: QueueSettings(""), "queue_id"),
        (lambda: QueueSettings("q", sl_target=0.0), "queues.q.sl_target"),
        (lambda: QueueSettings("q", sl_threshold_s=float("nan")), "queues.q.sl_threshold_s"),
        (
            lambda: AlertThresholds(waiting_above=3, waiting_clear_at=4),
            "thresholds.waiting_clear_at",
        ),
        (
            lambda: AlertThresholds(longest_wait_above_s=30, longest_wait_clear_at_s=40),
            "thresholds.longest_wait_clear_at_s",
        ),
        (lambda: AlertThresholds(sl_below=1.5), "thresholds.sl_below"),
        (lambda: AlertThresholds(sl_min_contacts=0), "thresholds.sl_min_contacts"),
        (lambda: AlertThresholds(min_active_s=-1), "thresholds.min_active_s"),
    ],
)
def test_bad_settings_name_their_field(make: Any, field: str) -> None:
    with pytest.raises(RealtimeSettingsInvalid) as caught:
        make()
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.code == "realtime.settings.invalid"
    assert caught.value.details["field"] == field


def test_defaults_follow_the_glossary() -> None:
    settings = RealtimeSettings()
    assert settings.time_zone == "Asia/Shanghai"
    assert (settings.window_s, settings.short_abandon_s) == (1800.0, 5.0)
    assert (settings.sl_target, settings.sl_threshold_s, settings.shrinkage) == (0.8, 20.0, 0.3)


@pytest.mark.parametrize(("scale", "lowest"), [(2, 2), (3, 3), (4, 4), (5, 4), (9, 8)])
def test_satisfied_ratings(scale: int, lowest: int) -> None:
    assert RealtimeSettings().satisfied_from(scale) == lowest


def test_satisfied_rating_can_be_configured_per_scale() -> None:
    assert RealtimeSettings(csat_satisfied_from={5: 5}).satisfied_from(5) == 5


def test_another_tenants_record_is_refused() -> None:
    record = EventRecord("t2", 1, MORNING, "queue.entered", "i1", None, None, {"queue_id": "q"})
    with pytest.raises(WrongTenant) as caught:
        RealtimeProjection(TENANT).apply(record)
    assert caught.value.code == "realtime.tenant.mismatch"


def test_unknown_types_are_skipped_but_advance_the_seq() -> None:
    projection = RealtimeProjection(TENANT)
    assert projection.apply(EventRecord(TENANT, 7, MORNING, "sip.registered", None, None, None, {}))
    assert projection.seq == 7
    assert not projection.apply(
        EventRecord(TENANT, 7, MORNING, "queue.entered", "i", None, None, {})
    )
    assert projection.snapshot(MORNING).queues == {}


def test_transfers_count_once_tracked() -> None:
    projection = RealtimeProjection(TENANT, RealtimeSettings(track_transfers=True))
    records = [
        EventRecord(TENANT, 1, MORNING, "queue.entered", "i1", None, None, {"queue_id": "q"}),
        EventRecord(
            TENANT,
            2,
            MORNING + 5,
            "queue.answered",
            "i1",
            None,
            "a1",
            {"queue_id": "q", "wait_s": 5.0, "sl_threshold_s": 20.0},
        ),
        EventRecord(TENANT, 3, MORNING + 60, "interaction.transferred", "i1", None, None, {}),
    ]
    projection.apply_all(records)
    snapshot = projection.snapshot(MORNING + 60)
    assert (snapshot.queues["q"].today.transferred, snapshot.queues["q"].today.transfer_rate) == (
        1,
        1.0,
    )
    assert snapshot.agents["a1"].transferred == 1


def test_all_is_sorted_unique_and_importable() -> None:
    names = hotline.analytics.realtime.__all__
    assert len(names) == len(set(names))
    # isort order, as ruff keeps it: CONSTANTS, then Classes, then functions
    assert sorted(names, key=lambda n: (not n.isupper(), n[0].islower(), n)) == names
    for name in names:
        assert getattr(hotline.analytics.realtime, name) is not None

"""What may change in a campaign, and when: a running campaign keeps its mode, queue and
flow; a finished one is not edited; every bad value names its field."""

from __future__ import annotations

import pytest

from hotline.dialer.edit import changes_of, edit_campaign, edit_lists
from hotline.dialer.errors import CampaignStateError, DialerError
from hotline.dialer.machine import MachineAction, MachineHandling
from hotline.dialer.model import (
    Campaign,
    CampaignList,
    CampaignStatus,
    DialMode,
    ListOrder,
)

ZONE = "Asia/Shanghai"


def campaign(status: CampaignStatus = CampaignStatus.RUNNING) -> Campaign:
    return Campaign("c1", "t1", "续费", DialMode.PREDICTIVE, status=status, queue_id="sales")


def field_of(error: pytest.ExceptionInfo[DialerError]) -> object:
    return error.value.details["field"]


def test_caps_windows_retries_and_dispositions_change_while_running() -> None:
    after = edit_campaign(
        campaign(),
        {
            "abandon_cap": 0.02,
            "abandon_window_s": 30 * 86_400.0,
            "max_lines_per_agent": 2.5,
            "window": {"mon-fri": ["09:00-18:00"]},
            "retry": {
                "busy": {"interval_s": 600, "max_attempts": 2},
                "machine": {"action": "message"},
            },
            "caller_ids": ["+86 10 6552 9988"],
            "dispositions": [
                {"code": "sale", "label_zh": "成交", "label_en": "Sale", "conversion": True}
            ],
        },
        default_zone=ZONE,
    )
    assert after.abandon_cap == 0.02
    assert after.max_lines_per_agent == 2.5
    assert after.caller_ids == ("+861065529988",)
    handling = MachineHandling.from_retry(after.retry)
    assert handling is not None
    assert handling.action is MachineAction.MESSAGE
    assert after.dispositions[0].conversion
    assert not after.dispositions[0].right_party
    before, new = changes_of(campaign(), after)
    assert set(new) == {
        "abandon_cap", "abandon_window_s", "max_lines_per_agent", "window", "retry",
        "caller_ids", "dispositions",
    }  # fmt: skip
    assert before["abandon_cap"] == 0.03
    assert new["dispositions"][0]["code"] == "sale"


def test_the_mode_changes_only_when_paused() -> None:
    with pytest.raises(DialerError) as error:
        edit_campaign(campaign(), {"mode": "progressive"}, default_zone=ZONE)
    assert field_of(error) == "mode"
    paused = edit_campaign(
        campaign(CampaignStatus.PAUSED), {"mode": "progressive"}, default_zone=ZONE
    )
    assert paused.mode is DialMode.PROGRESSIVE
    # The same value is no change, running or not.
    assert edit_campaign(campaign(), {"mode": "predictive"}, default_zone=ZONE) == campaign()


def test_a_finished_campaign_is_not_edited() -> None:
    with pytest.raises(CampaignStateError):
        edit_campaign(campaign(CampaignStatus.FINISHED), {"name": "x"}, default_zone=ZONE)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"abandon_cap": 0.05}, "abandon_cap"),
        ({"abandon_window_s": 60 * 86_400.0}, "abandon_window_s"),
        ({"max_lines_per_agent": 9}, "max_lines_per_agent"),
        ({"ring_timeout_s": 2}, "ring_timeout_s"),
        ({"name": "  "}, "name"),
        ({"caller_ids": ["+8610", "12"]}, "caller_ids.0"),
        ({"retry": {"busy": {"interval_s": 5}}}, "retry.busy.interval_s"),
        ({"dispositions": [{"code": "Sale!", "label_zh": "a", "label_en": "b"}]},
         "dispositions.0.code"),
        ({"dispositions": [{"code": "a", "label_zh": "", "label_en": "b"}]},
         "dispositions.0.label_zh"),
        ({"status": "running"}, "status"),
    ],
)  # fmt: skip
def test_a_bad_value_names_its_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(DialerError) as error:
        edit_campaign(campaign(CampaignStatus.PAUSED), changes, default_zone=ZONE)
    assert field_of(error) == field


def test_lists_are_reordered_any_time_and_taken_off_only_when_not_running() -> None:
    current = [CampaignList("a", 0), CampaignList("b", 1)]
    kept, removed = edit_lists(
        current, [{"list_id": "b", "order": "priority"}, {"list_id": "a"}], CampaignStatus.RUNNING
    )
    assert kept == [CampaignList("b", 0, ListOrder.PRIORITY), CampaignList("a", 1)]
    assert removed == []
    with pytest.raises(DialerError) as error:
        edit_lists(current, [{"list_id": "a"}], CampaignStatus.RUNNING)
    assert field_of(error) == "lists"
    assert edit_lists(current, [{"list_id": "a"}], CampaignStatus.PAUSED)[1] == ["b"]
    with pytest.raises(DialerError) as error:
        edit_lists(current, [{"list_id": "z"}], CampaignStatus.PAUSED)
    assert field_of(error) == "lists.0.list_id"


@pytest.mark.parametrize(
    ("retry", "field"),
    [
        ({"busy": {"interval_s": 30}}, "retry.busy.interval_s"),
        ({"no_answer": {"max_attempts": 1.5}}, "retry.no_answer.max_attempts"),
        ({"invalid": {"interval_s": 600}}, "retry.invalid"),  # a dead number is never retried
        ({"ringing": {}}, "retry.ringing"),
        ({"max_attempts": 0}, "retry.max_attempts"),
        ({"machine": {"action": "shout"}}, "retry.machine.action"),
    ],
)
def test_a_campaign_with_retry_rules_that_cannot_apply_cannot_exist(
    retry: dict[str, object], field: str
) -> None:
    # Checked when it is made (a stored row too), not at the first finished call.
    with pytest.raises(DialerError) as error:
        Campaign("c1", "t1", "续费", DialMode.PREDICTIVE, queue_id="sales", retry=retry)
    assert field_of(error) == field
    with pytest.raises(DialerError) as error:
        edit_campaign(campaign(), {"retry": retry}, default_zone=ZONE)
    assert field_of(error) == field

"""Changing a campaign's settings: which settings may change in which status, the checks a
new value passes (the same as at creation), and what changed for the audit log (ADR 0196).

A running campaign keeps dialing while its caps, retries, windows, caller ids, script and
dispositions change; what decides who takes its calls (mode, queue, flow) changes only while
it is paused or a draft; a finished campaign is not edited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from hotline.dialer.errors import CampaignStateError, InvalidCampaign
from hotline.dialer.hygiene import dialable_number
from hotline.dialer.model import (
    Campaign,
    CampaignList,
    CampaignStatus,
    DialMode,
    Disposition,
    ListOrder,
    Then,
)
from hotline.dialer.script import parse_script
from hotline.dialer.windows import CallingWindow

__all__ = [
    "EDITABLE",
    "NEEDS_PAUSE",
    "changes_of",
    "dispositions_out",
    "edit_campaign",
    "edit_lists",
    "parse_dispositions",
]

EDITABLE = frozenset(
    {
        "name",
        "mode",
        "queue_id",
        "flow_id",
        "abandon_cap",
        "abandon_window_s",
        "ring_timeout_s",
        "max_lines_per_agent",
        "caller_ids",
        "caller_id_daily_cap",
        "window",
        "calendar_id",
        "retry",
        "script",
        "dispositions",
    }
)
# Who takes the campaign's calls: changed only while no call is being placed.
NEEDS_PAUSE = frozenset({"mode", "queue_id", "flow_id"})
_CODE = re.compile(r"^[a-z0-9_]{1,32}$")


def parse_dispositions(items: Sequence[Mapping[str, Any]]) -> tuple[Disposition, ...]:
    """`[{"code": "sale", "label_zh": "成交", "label_en": "Sale", "conversion": true}, …]`;
    a bad item names its field (`dispositions.2.code`)."""
    if len(items) > 50:
        raise InvalidCampaign("at most 50 dispositions", field="dispositions")
    out: list[Disposition] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"dispositions.{index}"
        code = item.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise InvalidCampaign(
                "a code is 1 to 32 lowercase letters, digits or _", field=f"{where}.code",
                value=code,
            )  # fmt: skip
        if code in seen:
            raise InvalidCampaign("this code is used twice", field=f"{where}.code", value=code)
        seen.add(code)
        labels = {}
        for name in ("label_zh", "label_en"):
            label = item.get(name, "")
            if not isinstance(label, str) or not label.strip() or len(label) > 60:
                raise InvalidCampaign("a label is 1 to 60 characters", field=f"{where}.{name}")
            labels[name] = label.strip()
        flags = {}
        for name in ("right_party", "conversion"):
            flag = item.get(name, False)
            if not isinstance(flag, bool):
                raise InvalidCampaign("must be true or false", field=f"{where}.{name}", value=flag)
            flags[name] = flag
        then = item.get("then", "done")
        if then not in {str(t) for t in Then}:
            raise InvalidCampaign(
                "not something a disposition does next", field=f"{where}.then", value=then
            )
        out.append(
            Disposition(code, labels["label_zh"], labels["label_en"], **flags, then=Then(then))
        )
    return tuple(out)


def edit_campaign(campaign: Campaign, changes: Mapping[str, Any], *, default_zone: str) -> Campaign:
    """The campaign with `changes` applied, every new value checked; the status decides what
    may change. `changes` hold API values (lists and mappings), only the keys to change."""
    if campaign.status is CampaignStatus.FINISHED:
        raise CampaignStateError(str(campaign.status), "edit")
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise InvalidCampaign("this setting cannot be changed", field=unknown[0])
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "mode":
            value = DialMode(value)
        elif key == "caller_ids":
            value = tuple(
                dialable_number(number, field=f"caller_ids.{index}")
                for index, number in enumerate(value)
            )
        elif key == "window":
            CallingWindow(value, default_zone=default_zone)
        elif key == "script":
            parse_script(value)
        elif key == "dispositions":
            value = parse_dispositions(value)
        elif key == "name":
            value = str(value).strip()
        if value != getattr(campaign, key):
            values[key] = value
    if campaign.status is CampaignStatus.RUNNING:
        for key in sorted(NEEDS_PAUSE & set(values)):
            raise InvalidCampaign("pause the campaign before changing this", field=key)
    if values.get("mode") is DialMode.AGENTLESS and "queue_id" not in changes:
        values["queue_id"] = None
    return replace(campaign, **values)  # __post_init__ checks the retries and what goes together


def changes_of(before: Campaign, after: Campaign) -> tuple[dict[str, Any], dict[str, Any]]:
    """The settings that differ, before and after, as the audit log keeps them."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key in sorted(EDITABLE):
        a, b = getattr(before, key), getattr(after, key)
        if a != b:
            old[key], new[key] = _plain(a), _plain(b)
    return old, new


def edit_lists(
    current: Sequence[CampaignList],
    wanted: Sequence[Mapping[str, Any]],
    status: CampaignStatus,
) -> tuple[list[CampaignList], list[str]]:
    """The campaign's lists in the `wanted` order (`[{"list_id", "order"}]`) and the ids of
    those left out. A list is attached with its records first (hygiene runs then); one is
    taken off only while the campaign is not running."""
    if status is CampaignStatus.FINISHED:
        raise CampaignStateError(str(status), "edit")
    attached = {item.list_id for item in current}
    kept: list[CampaignList] = []
    for index, item in enumerate(wanted):
        list_id = str(item.get("list_id", ""))
        if list_id not in attached:
            raise InvalidCampaign("attach this list first", field=f"lists.{index}.list_id")
        if any(k.list_id == list_id for k in kept):
            raise InvalidCampaign("this list is named twice", field=f"lists.{index}.list_id")
        try:
            order = ListOrder(item.get("order", ListOrder.IN_ORDER))
        except ValueError:
            raise InvalidCampaign(
                "in order, random or by priority", field=f"lists.{index}.order"
            ) from None
        kept.append(CampaignList(list_id, index, order))
    removed = sorted(attached - {k.list_id for k in kept})
    if removed and status is CampaignStatus.RUNNING:
        raise InvalidCampaign("pause the campaign before taking a list off", field="lists")
    return kept, removed


def dispositions_out(campaign: Campaign) -> list[dict[str, Any]]:
    """The campaign's dispositions as stored and shown."""
    return [_plain(d) for d in campaign.dispositions]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Disposition):
        return {
            "code": value.code,
            "label_zh": value.label_zh,
            "label_en": value.label_en,
            "right_party": value.right_party,
            "conversion": value.conversion,
            "then": str(value.then),
        }
    if isinstance(value, Mapping):
        return dict(value)
    return value

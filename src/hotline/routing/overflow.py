"""Overflow (溢出): ordered, timed steps a queue applies to an interaction that waits too long.

Each step fires `after_s` seconds after the interaction entered its queue. Steps that stay in the
queue change *who may answer* — widen the skills, lower the proficiency, add another queue's
agents — or offer the caller a callback; the interaction keeps its place in line throughout.
Steps that leave — voicemail, transfer out — end its time in the router.

`targets_after` is the pure part: given the home queue, the interaction's own skills and the
steps fired so far, which requirements and queues may serve it now.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hotline.ids import QueueId
from hotline.routing.agents import MAX_PROFICIENCY, MIN_PROFICIENCY
from hotline.routing.destinations import Destination, DestinationKind
from hotline.routing.errors import InvalidRoutingConfig
from hotline.routing.skills import Requirement

__all__ = ["LEAVING_ACTIONS", "OverflowAction", "OverflowStep", "check_steps", "widen"]


class OverflowAction(StrEnum):
    WIDEN_SKILLS = "widen_skills"  # drop `skills` (all when none named) from the requirement
    LOWER_PROFICIENCY = "lower_proficiency"  # minimum of `skills` (all when none) → `proficiency`
    ADD_QUEUE = "add_queue"  # the agents of `queue_id` may answer too
    OFFER_CALLBACK = "offer_callback"  # offer the caller a callback that keeps its place
    VOICEMAIL = "voicemail"  # leave for voicemail (`target`: mailbox; None: the queue's)
    TRANSFER = "transfer"  # leave for `target` (a number or SIP URI)


LEAVING_ACTIONS = frozenset({OverflowAction.VOICEMAIL, OverflowAction.TRANSFER})
CALLER_ACTIONS = frozenset({OverflowAction.OFFER_CALLBACK, *LEAVING_ACTIONS})
"""Steps that need the caller on the line; they are skipped for a callback kept in line."""


@dataclass(frozen=True, slots=True)
class OverflowStep:
    after_s: float
    action: OverflowAction
    skills: tuple[str, ...] = ()
    proficiency: int | None = None
    queue_id: QueueId | None = None
    target: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.after_s) and self.after_s >= 0):
            raise InvalidRoutingConfig("an overflow step needs after_s >= 0", field="after_s")
        object.__setattr__(self, "skills", tuple(self.skills))
        if self.action is OverflowAction.LOWER_PROFICIENCY and (
            self.proficiency is None or not MIN_PROFICIENCY <= self.proficiency <= MAX_PROFICIENCY
        ):
            raise InvalidRoutingConfig(
                f"lower_proficiency needs a proficiency {MIN_PROFICIENCY}–{MAX_PROFICIENCY}",
                field="proficiency",
            )
        if self.action is OverflowAction.ADD_QUEUE and not self.queue_id:
            raise InvalidRoutingConfig("add_queue needs a queue_id", field="queue_id")
        if self.action is OverflowAction.TRANSFER and not self.target:
            raise InvalidRoutingConfig("transfer needs a target", field="target")

    @property
    def leaves(self) -> bool:
        return self.action in LEAVING_ACTIONS

    @property
    def needs_caller(self) -> bool:
        return self.action in CALLER_ACTIONS

    def destination(self) -> Destination | None:
        if self.action is OverflowAction.VOICEMAIL:
            return Destination(DestinationKind.VOICEMAIL, self.target)
        if self.action is OverflowAction.TRANSFER:
            return Destination(DestinationKind.TRANSFER, self.target)
        return None

    def describe_target(self) -> str | None:
        if self.action is OverflowAction.ADD_QUEUE:
            return self.queue_id
        if self.action in (OverflowAction.WIDEN_SKILLS, OverflowAction.LOWER_PROFICIENCY):
            return ",".join(self.skills) or None
        return self.target


def check_steps(steps: Sequence[OverflowStep]) -> None:
    """Steps must be in time order so that one timer walks them."""
    for earlier, later in itertools.pairwise(steps):
        if later.after_s < earlier.after_s:
            raise InvalidRoutingConfig(
                "overflow steps must be in order of after_s", field="overflow"
            )


def widen(
    home: Requirement,
    steps: Sequence[OverflowStep],
    queue_requirement: Callable[[QueueId], Requirement | None],
) -> tuple[Requirement, list[tuple[QueueId, Requirement]]]:
    """The home requirement after `steps`, and the (queue, requirement) of queues they added.

    A queue added by `add_queue` brings its agents as configured; a queue that no longer
    exists is skipped.
    """
    requirement = home
    added: list[tuple[QueueId, Requirement]] = []
    for step in steps:
        if step.action is OverflowAction.WIDEN_SKILLS:
            requirement = requirement.without(step.skills)
        elif step.action is OverflowAction.LOWER_PROFICIENCY:
            assert step.proficiency is not None
            requirement = requirement.lowered(step.proficiency, step.skills)
        elif step.action is OverflowAction.ADD_QUEUE:
            assert step.queue_id is not None
            other = queue_requirement(step.queue_id)
            if other is not None and all(q != step.queue_id for q, _ in added):
                added.append((step.queue_id, other))
    return requirement, added

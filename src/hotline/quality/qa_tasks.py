"""QA tasks after sampling (ADR 0193): an admin or a QA user gives an open task to another QA
user, or cancels it with a reason. States are data (`TRANSITIONS`); the task keeps its contact,
so a cancelled contact is never sampled again (one task per contact, ever: ADR 0216). The
repository flushes; the edge commits and writes the audit log."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from hotline.events import DomainEvent
from hotline.quality.errors import QaTaskNotFound, QaTaskRefused, QualityInvalid
from hotline.quality.events import QaTaskCancelled, QaTaskReassigned

__all__ = ["REASON_MAX", "TRANSITIONS", "QaTaskService", "TaskChange", "TaskState", "next_state"]

REASON_MAX = 500


class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"  # its evaluation was submitted
    CANCELLED = "cancelled"


TRANSITIONS: dict[tuple[TaskState, str], TaskState] = {
    (TaskState.OPEN, "reassign"): TaskState.OPEN,
    (TaskState.OPEN, "cancel"): TaskState.CANCELLED,
    (TaskState.OPEN, "submit"): TaskState.DONE,
}


def next_state(state: str, action: str) -> TaskState:
    """The task's state after `action`; `QaTaskRefused` when the table has no such move."""
    try:
        return TRANSITIONS[(TaskState(state), action)]
    except (KeyError, ValueError):
        raise QaTaskRefused("quality.task.not_open", {"state": state}) from None


class QaTaskRepository(Protocol):
    async def task(self, tenant_id: str, task_id: str) -> dict[str, Any] | None: ...
    async def evaluators(self, tenant_id: str) -> dict[str, str | None]: ...
    async def evaluation_started(self, tenant_id: str, task_id: str) -> bool: ...
    async def update_task(
        self, tenant_id: str, task_id: str, values: Mapping[str, Any]
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class TaskChange:
    """The task before and after (the audit log's `before` and `after`)."""

    before: dict[str, Any]
    after: dict[str, Any]


class QaTaskService:
    def __init__(
        self,
        repo: QaTaskRepository,
        tenant_id: str,
        emit: Callable[[DomainEvent], None],
        now: Callable[[], float],
    ) -> None:
        self.repo = repo
        self.tenant_id = tenant_id
        self.emit = emit
        self.now = now

    async def _open_task(self, task_id: str, action: str) -> dict[str, Any]:
        task = await self.repo.task(self.tenant_id, task_id)
        if task is None:
            raise QaTaskNotFound(task_id)
        next_state(task["state"], action)
        # The evaluator who started has a draft of her own: the task is hers to finish.
        if await self.repo.evaluation_started(self.tenant_id, task_id):
            raise QaTaskRefused("quality.task.started", {"id": task_id})
        return task

    async def reassign(self, task_id: str, assignee_id: str, by: str) -> TaskChange:
        """Give the open task to another of the center's QA users (never the agent evaluated)."""
        task = await self._open_task(task_id, "reassign")
        evaluators = await self.repo.evaluators(self.tenant_id)
        if assignee_id not in evaluators:
            raise QualityInvalid("quality.task.assignee_unknown", "assignee_id")
        if evaluators[assignee_id] is not None and evaluators[assignee_id] == task["agent_id"]:
            raise QualityInvalid("quality.task.assignee_own_work", "assignee_id")
        await self.repo.update_task(self.tenant_id, task_id, {"assignee_id": assignee_id})
        self.emit(
            QaTaskReassigned(
                tenant_id=self.tenant_id, at=self.now(), interaction_id=task["interaction_id"],
                agent_id=task["agent_id"], task_id=task_id, from_id=task["assignee_id"],
                to_id=assignee_id, by=by,
            )
        )  # fmt: skip
        return TaskChange(
            {"assignee_id": task["assignee_id"], "state": task["state"]},
            {"assignee_id": assignee_id, "state": task["state"]},
        )

    async def cancel(self, task_id: str, reason: str, by: str) -> TaskChange:
        """Cancel the open task; its contact stays sampled (it is never picked again)."""
        reason = reason.strip()
        if not reason:
            raise QualityInvalid("quality.task.reason_required", "reason")
        if len(reason) > REASON_MAX:
            raise QualityInvalid("quality.task.reason_long", "reason")
        task = await self._open_task(task_id, "cancel")
        state = next_state(task["state"], "cancel")
        await self.repo.update_task(self.tenant_id, task_id, {"state": state.value})
        self.emit(
            QaTaskCancelled(
                tenant_id=self.tenant_id, at=self.now(), interaction_id=task["interaction_id"],
                agent_id=task["agent_id"], task_id=task_id, reason=reason, by=by,
            )
        )  # fmt: skip
        return TaskChange(
            {"state": task["state"], "assignee_id": task["assignee_id"]},
            {"state": state.value, "assignee_id": task["assignee_id"], "reason": reason},
        )

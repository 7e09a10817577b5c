"""QA tasks after sampling (ADR 0193) and the sampling rules' field errors, without a database:
the transitions table, reassigning to a QA user only (never the agent evaluated), cancelling
with a reason, a started evaluation keeping its task, and `parse_rules` naming the field of an
out-of-range value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from hotline.events import DomainEvent
from hotline.quality.errors import QaTaskNotFound, QaTaskRefused, QualityInvalid
from hotline.quality.events import QaTaskCancelled, QaTaskReassigned
from hotline.quality.qa_tasks import TRANSITIONS, QaTaskService, TaskState, next_state
from hotline.quality.sampling import parse_rules


class InMemoryTasks:
    def __init__(self, evaluators: dict[str, str | None]) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.people = evaluators
        self.started: set[str] = set()

    def add(
        self, task_id: str, agent_id: str, assignee_id: str | None, state: str = "open"
    ) -> None:
        self.rows[task_id] = {
            "id": task_id, "tenant_id": "t", "interaction_id": f"c-{task_id}",
            "agent_id": agent_id, "assignee_id": assignee_id, "state": state,
        }  # fmt: skip

    async def task(self, tenant_id: str, task_id: str) -> dict[str, Any] | None:
        found = self.rows.get(task_id)
        return None if found is None else dict(found)

    async def evaluators(self, tenant_id: str) -> dict[str, str | None]:
        return dict(self.people)

    async def evaluation_started(self, tenant_id: str, task_id: str) -> bool:
        return task_id in self.started

    async def update_task(self, tenant_id: str, task_id: str, values: Mapping[str, Any]) -> None:
        self.rows[task_id].update(values)


def _service(repo: InMemoryTasks) -> tuple[QaTaskService, list[DomainEvent]]:
    emitted: list[DomainEvent] = []
    return QaTaskService(repo, "t", emitted.append, lambda: 100.0), emitted


def test_only_an_open_task_moves() -> None:
    assert next_state("open", "cancel") is TaskState.CANCELLED
    assert next_state("open", "reassign") is TaskState.OPEN
    assert next_state("open", "submit") is TaskState.DONE
    for state in ("done", "cancelled", "nonsense"):
        for action in ("cancel", "reassign", "submit"):
            with pytest.raises(QaTaskRefused) as caught:
                next_state(state, action)
            assert caught.value.code == "quality.task.not_open"
    assert {s for s, _ in TRANSITIONS} == {TaskState.OPEN}


async def test_reassign_goes_to_another_qa_user_never_the_agent_evaluated() -> None:
    repo = InMemoryTasks({"qa1": None, "qa2": None, "qa3": "agent7"})
    repo.add("t1", "agent7", "qa1")
    service, emitted = _service(repo)

    change = await service.reassign("t1", "qa2", by="admin")
    assert repo.rows["t1"]["assignee_id"] == "qa2"
    assert (change.before["assignee_id"], change.after["assignee_id"]) == ("qa1", "qa2")
    assert emitted == [
        QaTaskReassigned(tenant_id="t", at=100.0, interaction_id="c-t1", agent_id="agent7",
                         task_id="t1", from_id="qa1", to_id="qa2", by="admin")
    ]  # fmt: skip

    for who, code in (("someone", "quality.task.assignee_unknown"),
                      ("qa3", "quality.task.assignee_own_work")):  # fmt: skip
        with pytest.raises(QualityInvalid) as caught:
            await service.reassign("t1", who, by="admin")
        assert (caught.value.code, caught.value.details["field"]) == (code, "assignee_id")
    assert repo.rows["t1"]["assignee_id"] == "qa2"
    with pytest.raises(QaTaskNotFound):
        await service.reassign("missing", "qa1", by="admin")


async def test_cancel_needs_a_reason_and_a_started_evaluation_keeps_its_task() -> None:
    repo = InMemoryTasks({"qa1": None})
    repo.add("t1", "agent1", "qa1")
    repo.add("t2", "agent1", "qa1")
    repo.started.add("t2")
    service, emitted = _service(repo)

    for reason, code in (("  ", "quality.task.reason_required"),
                         ("x" * 501, "quality.task.reason_long")):  # fmt: skip
        with pytest.raises(QualityInvalid) as caught:
            await service.cancel("t1", reason, by="qa1")
        assert (caught.value.code, caught.value.details["field"]) == (code, "reason")
    assert repo.rows["t1"]["state"] == "open"

    change = await service.cancel("t1", "  test call ", by="qa1")
    assert repo.rows["t1"]["state"] == "cancelled"
    assert change.after == {"state": "cancelled", "assignee_id": "qa1", "reason": "test call"}
    assert isinstance(emitted[-1], QaTaskCancelled)
    assert emitted[-1].reason == "test call"
    with pytest.raises(QaTaskRefused) as caught:
        await service.cancel("t1", "again", by="qa1")
    assert caught.value.code == "quality.task.not_open"

    for act in (service.cancel("t2", "why", by="qa1"), service.reassign("t2", "qa1", by="x")):
        with pytest.raises(QaTaskRefused) as caught:
            await act
        assert caught.value.code == "quality.task.started"
    assert repo.rows["t2"]["state"] == "open"


@pytest.mark.parametrize(
    ("rule", "code", "field"),
    [
        ({"key": "r", "kind": "random", "percent": 150}, "quality.sampling.percent_range",
         "rules.0.percent"),
        ({"key": "r", "kind": "random", "percent": 0}, "quality.sampling.percent_range",
         "rules.0.percent"),
        ({"key": "r", "kind": "random"}, "quality.sampling.percent_required", "rules.0"),
        ({"key": "l", "kind": "longer_than", "seconds": -1}, "quality.sampling.seconds_range",
         "rules.0.seconds"),
        ({"key": "l", "kind": "low_rating", "at_most": 5}, "quality.sampling.at_most_range",
         "rules.0.at_most"),
        ({"key": "n", "kind": "new_agent", "weeks": 53}, "quality.sampling.weeks_range",
         "rules.0.weeks"),
        ({"key": "Bad Key", "kind": "low_rating"}, "quality.sampling.key_invalid",
         "rules.0.key"),
        ({"key": "d", "kind": "disposition", "dispositions": ["a", ""]},
         "quality.sampling.dispositions_invalid", "rules.0.dispositions"),
        ({"key": "x", "kind": "nonsense"}, "quality.sampling.invalid", "rules.0.kind"),
    ],
)  # fmt: skip
def test_parse_rules_names_the_field(rule: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(QualityInvalid) as caught:
        parse_rules({"rules": [rule]})
    assert (caught.value.code, caught.value.details["field"]) == (code, field)


def test_parse_rules_keeps_good_rules() -> None:
    parsed = parse_rules({"rules": [{"key": "r", "kind": "random", "percent": 5}]})
    assert parsed.rules[0].percent == 5.0

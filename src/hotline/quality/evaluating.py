"""QA evaluations as people work them (ADR 0217–0219): admins write and publish scorecard
versions; a QA user evaluates her task's segment against the published version, anchoring
comments at times of the recording; the agent acknowledges or disputes; a second evaluator
resolves; calibrations have several evaluators score one segment. Who may do what is decided
here, from the roles (`hotline.auth.roles`); the rules are in `scorecards` and `evaluations`.
Every change is an event; the repository flushes, the edge commits."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hotline.auth.roles import Role, sees_all
from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.quality import evaluations as rules
from hotline.quality.calibration import Spread, spreads
from hotline.quality.errors import (
    EvaluationNotFound,
    EvaluationRefused,
    QualityInvalid,
    ScorecardNotFound,
    ScorecardPublished,
)
from hotline.quality.evaluations import Comment, Evaluation, EvaluationState
from hotline.quality.events import (
    EvaluationAcknowledged,
    EvaluationDisputed,
    EvaluationResolved,
    EvaluationSubmitted,
)
from hotline.quality.qa_tasks import next_state
from hotline.quality.scorecards import Scorecard, ScorecardState

__all__ = ["CalibrationView", "EvaluationRepository", "EvaluationService", "Who"]


class EvaluationRepository(Protocol):
    async def scorecards(self, tenant_id: str) -> list[dict[str, Any]]: ...
    async def scorecard(self, tenant_id: str, name: str, version: int) -> dict[str, Any] | None: ...
    async def scorecard_by_id(self, tenant_id: str, scorecard_id: str) -> dict[str, Any] | None: ...
    async def published(self, tenant_id: str, name: str) -> dict[str, Any] | None: ...
    async def last_version(self, tenant_id: str, name: str) -> int: ...
    async def add_scorecard(self, row: Mapping[str, Any]) -> None: ...
    async def set_scorecard(
        self, tenant_id: str, name: str, version: int, **values: Any
    ) -> None: ...
    async def retire_published(self, tenant_id: str, name: str) -> None: ...
    async def evaluation(self, tenant_id: str, evaluation_id: str) -> Evaluation | None: ...
    async def add_evaluation(self, evaluation: Evaluation) -> None: ...
    async def save_evaluation(self, evaluation: Evaluation) -> None: ...
    async def evaluations(
        self,
        tenant_id: str,
        *,
        agent_ids: Sequence[str] | None = None,
        evaluator_id: str | None = None,
        second_evaluator_id: str | None = None,
        calibration_id: str | None = None,
        calibrations: bool = False,
        states: Sequence[str] = (),
        limit: int = 500,
    ) -> list[Evaluation]: ...
    async def open_disputes(self, tenant_id: str) -> dict[str, int]: ...
    async def add_comment(self, tenant_id: str, evaluation_id: str, comment: Comment) -> None: ...
    async def comments(self, tenant_id: str, evaluation_id: str) -> list[Comment]: ...
    async def task(self, tenant_id: str, task_id: str) -> dict[str, Any] | None: ...
    async def set_task_state(self, tenant_id: str, task_id: str, state: str) -> None: ...
    async def evaluators(self, tenant_id: str) -> dict[str, str | None]: ...
    async def team_agents(self, tenant_id: str, supervisor_id: str) -> list[str]: ...
    async def add_calibration(self, row: Mapping[str, Any]) -> None: ...
    async def calibration(self, tenant_id: str, calibration_id: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class Who:
    """Who is asking, in which language."""

    user_id: str
    roles: tuple[str, ...]
    agent_id: str | None
    language: str = "zh-CN"

    @property
    def qa(self) -> bool:
        return Role.QA.value in self.roles

    @property
    def admin(self) -> bool:
        return Role.ADMIN.value in self.roles


@dataclass(frozen=True, slots=True)
class CalibrationView:
    calibration: dict[str, Any]
    evaluations: list[Evaluation]
    spread: list[Spread] | None  # None until every evaluator has submitted


class EvaluationService:
    def __init__(
        self,
        repo: EvaluationRepository,
        tenant_id: str,
        emit: Callable[[DomainEvent], None],
        now: Callable[[], float],
    ) -> None:
        self.repo = repo
        self.tenant_id = tenant_id
        self.emit = emit
        self.now = now

    # -- scorecards (admins) ----------------------------------------------------------------

    async def new_version(self, who: Who, form: Scorecard) -> dict[str, Any]:
        """A new draft version of the scorecard called `form.name` (version 1 when new)."""
        version = await self.repo.last_version(self.tenant_id, form.name) + 1
        row = {
            "id": new_id(), "tenant_id": self.tenant_id, "name": form.name, "version": version,
            "state": ScorecardState.DRAFT.value, "form": form, "created_at": self.now(),
            "created_by": who.user_id, "published_at": None,
        }  # fmt: skip
        await self.repo.add_scorecard(row)
        return row

    async def version(self, name: str, version: int) -> dict[str, Any]:
        found = await self.repo.scorecard(self.tenant_id, name, version)
        if found is None:
            raise ScorecardNotFound(f"{name} v{version}")
        return found

    async def by_id(self, scorecard_id: str) -> dict[str, Any]:
        found = await self.repo.scorecard_by_id(self.tenant_id, scorecard_id)
        if found is None:
            raise ScorecardNotFound(scorecard_id)
        return found

    async def change_draft(self, scorecard_id: str, form: Scorecard) -> dict[str, Any]:
        found = await self.by_id(scorecard_id)
        name, version = found["name"], found["version"]
        if found["state"] != ScorecardState.DRAFT.value:
            raise ScorecardPublished(name, version)
        if form.name != name:
            raise QualityInvalid("quality.scorecard.invalid", "name")
        await self.repo.set_scorecard(self.tenant_id, name, version, form=form)
        return {**found, "form": form}

    async def publish(self, scorecard_id: str) -> dict[str, Any]:
        """The version becomes the one evaluations use; the one before it is retired."""
        found = await self.by_id(scorecard_id)
        name, version = found["name"], found["version"]
        if found["state"] != ScorecardState.DRAFT.value:
            raise ScorecardPublished(name, version)
        await self.repo.retire_published(self.tenant_id, name)
        now = self.now()
        await self.repo.set_scorecard(
            self.tenant_id, name, version, state=ScorecardState.PUBLISHED.value, published_at=now
        )
        return {**found, "state": ScorecardState.PUBLISHED.value, "published_at": now}

    async def _form(self, evaluation: Evaluation) -> Scorecard:
        found = await self.version(evaluation.scorecard, evaluation.version)
        form: Scorecard = found["form"]
        return form

    # -- evaluating (QA users) ------------------------------------------------------------

    async def start(self, who: Who, task_id: str, scorecard: str) -> Evaluation:
        """A draft evaluation of the task's segment with the scorecard's published version;
        the task's evaluation again when one was started."""
        if not who.qa:
            raise EvaluationRefused("quality.evaluation.not_yours")
        task = await self.repo.task(self.tenant_id, task_id)
        if task is None:
            raise EvaluationNotFound(task_id)
        if task["assignee_id"] not in (None, who.user_id):
            raise EvaluationRefused("quality.evaluation.not_yours")
        if who.agent_id is not None and task["agent_id"] == who.agent_id:
            raise EvaluationRefused("quality.evaluation.own_work")
        started = [
            e for e in await self.repo.evaluations(self.tenant_id, agent_ids=[task["agent_id"]])
            if e.task_id == task_id
        ]  # fmt: skip
        if started:
            if started[0].evaluator_id != who.user_id:
                raise EvaluationRefused("quality.evaluation.task_taken")
            return started[0]
        next_state(task["state"], "submit")  # a cancelled task is not evaluated (ADR 0193)
        card = await self.repo.published(self.tenant_id, scorecard)
        if card is None:
            raise EvaluationRefused("quality.evaluation.scorecard_draft")
        evaluation = Evaluation(
            id=new_id(), tenant_id=self.tenant_id, interaction_id=task["interaction_id"],
            work_id=task["work_id"], agent_id=task["agent_id"], evaluator_id=who.user_id,
            scorecard=card["name"], version=card["version"], state=EvaluationState.DRAFT,
            created_at=self.now(), task_id=task_id,
        )  # fmt: skip
        await self.repo.add_evaluation(evaluation)
        return evaluation

    async def get(self, who: Who, evaluation_id: str) -> Evaluation:
        """The evaluation if `who` may see it: QA users and admins every one; a supervisor her
        teams' agents'; an agent her own once submitted, never a calibration's."""
        found = await self.repo.evaluation(self.tenant_id, evaluation_id)
        if found is None or not await self._may_see(who, found):
            raise EvaluationNotFound(evaluation_id)
        return found

    async def _may_see(self, who: Who, e: Evaluation) -> bool:
        if sees_all(who.roles):
            return True
        if e.state is EvaluationState.DRAFT or e.calibration_id is not None:
            return False
        if who.agent_id is not None and e.agent_id == who.agent_id:
            return True
        if Role.SUPERVISOR.value in who.roles:
            return e.agent_id in await self.repo.team_agents(self.tenant_id, who.user_id)
        return False

    async def visible(self, who: Who, states: Sequence[str] = ()) -> list[Evaluation]:
        if sees_all(who.roles):
            # calibrations stay out of the lists (and the figures), but for the evaluator
            # asked to score one: it is her work to find
            found = await self.repo.evaluations(self.tenant_id, calibrations=True, states=states)
            return [e for e in found if e.calibration_id is None or e.evaluator_id == who.user_id]
        agents: set[str] = set()
        if Role.SUPERVISOR.value in who.roles:
            agents.update(await self.repo.team_agents(self.tenant_id, who.user_id))
        if who.agent_id is not None:
            agents.add(who.agent_id)
        found = await self.repo.evaluations(self.tenant_id, agent_ids=sorted(agents), states=states)
        return [e for e in found if e.state is not EvaluationState.DRAFT]

    async def _own_draft(self, who: Who, evaluation_id: str) -> Evaluation:
        found = await self.get(who, evaluation_id)
        if found.evaluator_id != who.user_id:
            raise EvaluationRefused("quality.evaluation.not_yours")
        return found

    async def save_draft(
        self, who: Who, evaluation_id: str, answers: Mapping[str, Any]
    ) -> Evaluation:
        """Keep what is answered so far (each answer must fit its question)."""
        found = await self._own_draft(who, evaluation_id)
        if found.state is not EvaluationState.DRAFT:
            raise EvaluationRefused("quality.evaluation.not_yours")
        clean = rules.check_answers(await self._form(found), answers, who.language, complete=False)
        saved = dataclasses.replace(found, answers=clean)
        await self.repo.save_evaluation(saved)
        return saved

    async def comment(self, who: Who, evaluation_id: str, at_s: float | None, text: str) -> Comment:
        """A remark at a time of the recording, by the evaluator or the second evaluator."""
        found = await self.get(who, evaluation_id)
        if who.user_id not in (found.evaluator_id, found.second_evaluator_id):
            raise EvaluationRefused("quality.evaluation.not_yours")
        if not text.strip():
            raise QualityInvalid("quality.evaluation.text_required", "text")
        if at_s is not None and at_s < 0:
            raise QualityInvalid("quality.evaluation.time_invalid", "at_s")
        at = None if at_s is None else round(at_s, 2)
        comment = Comment(new_id(), at, text.strip()[:2000], who.user_id, self.now())
        await self.repo.add_comment(self.tenant_id, evaluation_id, comment)
        return comment

    async def comments(self, who: Who, evaluation_id: str) -> list[Comment]:
        await self.get(who, evaluation_id)
        return await self.repo.comments(self.tenant_id, evaluation_id)

    async def submit(self, who: Who, evaluation_id: str, answers: Mapping[str, Any]) -> Evaluation:
        found = await self._own_draft(who, evaluation_id)
        now = self.now()
        done = rules.submit(found, await self._form(found), answers, who.language, now)
        await self.repo.save_evaluation(done)
        if done.task_id is not None:
            await self.repo.set_task_state(self.tenant_id, done.task_id, "done")
        self.emit(
            EvaluationSubmitted(
                tenant_id=self.tenant_id, at=now, interaction_id=done.interaction_id,
                agent_id=done.agent_id, evaluation_id=done.id, work_id=done.work_id,
                evaluator_id=done.evaluator_id, scorecard=done.scorecard, version=done.version,
                score=done.score, critical_failed=done.critical_failed,
                calibration_id=done.calibration_id,
            )
        )  # fmt: skip
        return done

    # -- the agent's side -----------------------------------------------------------------

    async def acknowledge(self, who: Who, evaluation_id: str) -> Evaluation:
        found = await self.get(who, evaluation_id)
        now = self.now()
        done = rules.acknowledge(found, who.agent_id or "", now)
        await self.repo.save_evaluation(done)
        self.emit(
            EvaluationAcknowledged(
                tenant_id=self.tenant_id, at=now, interaction_id=done.interaction_id,
                agent_id=done.agent_id, evaluation_id=done.id,
            )
        )  # fmt: skip
        return done

    async def dispute(self, who: Who, evaluation_id: str, reason: str) -> Evaluation:
        """The agent disputes; the QA user with the fewest open disputes, not the first
        evaluator, is given it to resolve."""
        found = await self.get(who, evaluation_id)
        evaluators = await self.repo.evaluators(self.tenant_id)
        able = [u for u, agent in evaluators.items() if agent is None or agent != found.agent_id]
        second = rules.second_evaluator(found, able, await self.repo.open_disputes(self.tenant_id))
        now = self.now()
        done = rules.dispute(found, who.agent_id or "", reason, second, now)
        await self.repo.save_evaluation(done)
        self.emit(
            EvaluationDisputed(
                tenant_id=self.tenant_id, at=now, interaction_id=done.interaction_id,
                agent_id=done.agent_id, evaluation_id=done.id, reason=done.dispute_reason,
                second_evaluator_id=second,
            )
        )  # fmt: skip
        return done

    async def resolve(
        self, who: Who, evaluation_id: str, answers: Mapping[str, Any] | None, note: str
    ) -> Evaluation:
        found = await self.get(who, evaluation_id)
        if not who.qa:
            raise EvaluationRefused("quality.evaluation.not_yours")
        now = self.now()
        done = rules.resolve(
            found, await self._form(found), who.user_id, answers, note, who.language, now
        )
        await self.repo.save_evaluation(done)
        self.emit(
            EvaluationResolved(
                tenant_id=self.tenant_id, at=now, interaction_id=done.interaction_id,
                agent_id=done.agent_id, evaluation_id=done.id, resolver_id=who.user_id,
                resolution=str(done.resolution), score=done.score,
                original_score=done.original_score,
            )
        )  # fmt: skip
        return done

    # -- calibration ----------------------------------------------------------------------

    async def evaluators(self, who: Who) -> list[str]:
        """The QA users a calibration may name (asked by a QA user or an admin)."""
        if not (who.qa or who.admin):
            raise EvaluationRefused("quality.evaluation.not_yours")
        return sorted(await self.repo.evaluators(self.tenant_id))

    async def calibrate(
        self, who: Who, task_id: str, scorecard: str, evaluators: Sequence[str]
    ) -> CalibrationView:
        """A calibration of the task's segment: a draft evaluation for each evaluator (QA
        users of the center, at least two)."""
        if not (who.qa or who.admin):
            raise EvaluationRefused("quality.evaluation.not_yours")
        task = await self.repo.task(self.tenant_id, task_id)
        if task is None:
            raise EvaluationNotFound(task_id)
        qa_users = await self.repo.evaluators(self.tenant_id)
        chosen = sorted(set(evaluators))
        if len(chosen) < 2 or any(u not in qa_users for u in chosen):
            raise QualityInvalid("quality.calibration.evaluators_required", "evaluators")
        card = await self.repo.published(self.tenant_id, scorecard)
        if card is None:
            raise EvaluationRefused("quality.evaluation.scorecard_draft")
        now = self.now()
        row = {
            "id": new_id(), "tenant_id": self.tenant_id, "interaction_id": task["interaction_id"],
            "work_id": task["work_id"], "agent_id": task["agent_id"], "scorecard": card["name"],
            "version": card["version"], "evaluators": chosen, "created_by": who.user_id,
            "created_at": now,
        }  # fmt: skip
        await self.repo.add_calibration(row)
        for user in chosen:
            await self.repo.add_evaluation(
                Evaluation(
                    id=new_id(), tenant_id=self.tenant_id, interaction_id=row["interaction_id"],
                    work_id=row["work_id"], agent_id=row["agent_id"], evaluator_id=user,
                    scorecard=row["scorecard"], version=row["version"],
                    state=EvaluationState.DRAFT, created_at=now, calibration_id=row["id"],
                )
            )  # fmt: skip
        return await self.calibration(who, row["id"])

    async def calibration(self, who: Who, calibration_id: str) -> CalibrationView:
        """The session; the spread per question once every evaluator has submitted."""
        if not sees_all(who.roles):
            raise EvaluationNotFound(calibration_id)
        row = await self.repo.calibration(self.tenant_id, calibration_id)
        if row is None:
            raise EvaluationNotFound(calibration_id)
        found = await self.repo.evaluations(self.tenant_id, calibration_id=calibration_id)
        found.sort(key=lambda e: e.evaluator_id)
        if any(e.state is EvaluationState.DRAFT for e in found):
            return CalibrationView(row, found, None)
        form: Scorecard = (await self.version(row["scorecard"], row["version"]))["form"]
        return CalibrationView(
            row, found, spreads(form, [e.points for e in found], [e.score for e in found])
        )

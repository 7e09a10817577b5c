"""Nodes that play prompts and read the caller's keys: play, menu, collect, survey.

Menus and surveys take one key; collect takes an entry ended by count, terminator or timeout.
Each retries with the invalid / timeout prompt before the main prompt, up to `retries` extra
attempts, then takes `on_failure` (or hangs up). Keys typed during an interruptible prompt are
used first, and keys beyond what a menu needs carry on to the next menu (dial-ahead "2 1").
"""

from __future__ import annotations

import re

from hotline.flows.actions import Collect, Hangup, Play
from hotline.flows.events import SurveyAnswered, SurveyOffered
from hotline.flows.inputs import CollectTimedOut, DigitsCollected, FlowInput, PlaybackDone
from hotline.flows.nodes.base import Finish, Goto, Handler, Run, Transition, Wait
from hotline.flows.schema import CollectNode, MenuNode, PlayNode, Prompt, SurveyNode
from hotline.flows.state import EndReason

__all__ = ["CollectHandler", "MenuHandler", "PlayHandler", "SurveyHandler", "then"]


def then(target: str | None, cause: str = "normal", detail: str = "") -> Transition:
    """Go on to `target`, or hang up when a branch is left empty."""
    if target is None:
        return Finish(EndReason.HANGUP, Hangup(cause), detail)
    return Goto(target)


def ask_key(
    run: Run, prompts: tuple[Prompt, ...], timeout: float, *, phase: str = "", attempt: int = 0
) -> Wait:
    collect = Collect(run.prompts(prompts), 1, 1, None, timeout, timeout)
    return Wait(collect, phase, attempt)


class PlayHandler(Handler[PlayNode]):
    def enter(self, node: PlayNode, run: Run) -> Transition:
        return Wait(Play(run.prompts(node.prompt), node.interruptible))

    def resume(self, node: PlayNode, run: Run, event: FlowInput) -> Transition:
        if not isinstance(event, PlaybackDone):
            return super().resume(node, run, event)
        if node.interruptible:
            run.type_ahead += event.interrupted_by
        return Goto(node.next)


class MenuHandler(Handler[MenuNode]):
    def enter(self, node: MenuNode, run: Run) -> Transition:
        keys = run.take_type_ahead()
        if keys:
            return self.choose(node, run, keys)
        return ask_key(run, node.prompt, node.timeout)

    def resume(self, node: MenuNode, run: Run, event: FlowInput) -> Transition:
        if isinstance(event, DigitsCollected) and event.digits:
            return self.choose(node, run, event.digits)
        if isinstance(event, DigitsCollected | CollectTimedOut):
            run.keyed("", "timeout")
            return self.retry(node, run, node.timeout_prompt)
        return super().resume(node, run, event)

    def choose(self, node: MenuNode, run: Run, keys: str) -> Transition:
        key, rest = keys[0], keys[1:]
        target = node.options.get(key)
        if target is None:
            run.keyed(key, "invalid")
            return self.retry(node, run, node.invalid_prompt)
        run.keyed(key, "matched")
        run.type_ahead = rest
        if node.variable:
            run.set(node.variable, key)
        return Goto(target)

    def retry(self, node: MenuNode, run: Run, before: tuple[Prompt, ...]) -> Transition:
        attempt = run.attempt + 1
        if attempt > node.retries:
            return then(node.on_failure, detail="no valid choice")
        return ask_key(run, (*before, *node.prompt), node.timeout, attempt=attempt)


class CollectHandler(Handler[CollectNode]):
    def enter(self, node: CollectNode, run: Run) -> Transition:
        prefix = run.take_type_ahead()
        end = prefix.find(node.terminator) if node.terminator else -1
        if end >= 0:
            run.type_ahead = prefix[end + 1 :]
            return self.check(node, run, prefix[:end])
        if len(prefix) >= node.max_digits:
            run.type_ahead = prefix[node.max_digits :]
            return self.check(node, run, prefix[: node.max_digits])
        return self.ask(node, run, (), 0, prefix)

    def ask(
        self, node: CollectNode, run: Run, before: tuple[Prompt, ...], attempt: int, prefix: str
    ) -> Wait:
        collect = Collect(
            run.prompts((*before, *node.prompt)),
            node.min_digits,
            node.max_digits,
            node.terminator,
            node.timeout,
            node.inter_digit_timeout,
            prefix,
        )
        return Wait(collect, "", attempt)

    def resume(self, node: CollectNode, run: Run, event: FlowInput) -> Transition:
        if isinstance(event, DigitsCollected):
            digits = event.digits
            if node.terminator and digits.endswith(node.terminator):
                digits = digits[: -len(node.terminator)]
            return self.check(node, run, digits)
        if isinstance(event, CollectTimedOut):
            # A complete entry followed by silence is an answer, not a timeout.
            if event.digits and self.valid(node, event.digits):
                return self.check(node, run, event.digits)
            run.keyed(event.digits, "timeout", sensitive=node.sensitive)
            return self.retry(node, run, node.timeout_prompt)
        return super().resume(node, run, event)

    def valid(self, node: CollectNode, digits: str) -> bool:
        if not node.min_digits <= len(digits) <= node.max_digits:
            return False
        return node.pattern is None or re.fullmatch(node.pattern, digits) is not None

    def check(self, node: CollectNode, run: Run, digits: str) -> Transition:
        if not self.valid(node, digits):
            run.keyed(digits, "invalid", sensitive=node.sensitive)
            return self.retry(node, run, node.invalid_prompt)
        run.keyed(digits, "matched", sensitive=node.sensitive)
        run.set(node.variable, digits, sensitive=node.sensitive)
        return Goto(node.next)

    def retry(self, node: CollectNode, run: Run, before: tuple[Prompt, ...]) -> Transition:
        attempt = run.attempt + 1
        if attempt > node.retries:
            return then(node.on_failure, detail="no valid entry")
        return self.ask(node, run, before, attempt, "")


class SurveyHandler(Handler[SurveyNode]):
    def enter(self, node: SurveyNode, run: Run) -> Transition:
        run.emit(SurveyOffered, node=run.node_id, survey=node.survey, question=node.question)
        keys = run.take_type_ahead()
        if keys:
            return self.rate(node, run, keys[0])
        return ask_key(run, node.prompt, node.timeout, phase="ask")

    def resume(self, node: SurveyNode, run: Run, event: FlowInput) -> Transition:
        if run.phase == "thanks" and isinstance(event, PlaybackDone):
            return then(node.next)
        if isinstance(event, DigitsCollected) and event.digits:
            return self.rate(node, run, event.digits[0])
        if isinstance(event, DigitsCollected | CollectTimedOut):
            run.keyed("", "timeout")
            return self.retry(node, run, ())
        return super().resume(node, run, event)

    def rate(self, node: SurveyNode, run: Run, key: str) -> Transition:
        rating = _rating(node, key)
        if rating is None:
            run.keyed(key, "invalid")
            return self.retry(node, run, node.invalid_prompt)
        run.keyed(key, "matched")
        run.set(node.variable, int(key))
        scale = node.scale if node.answers == "scale" else 2
        run.emit(
            SurveyAnswered, node=run.node_id, rating=rating, scale=scale,
            survey=node.survey, question=node.question, kind=node.answers,
        )  # fmt: skip
        if node.thanks:
            return Wait(Play(run.prompts(node.thanks)), "thanks")
        return then(node.next)

    def retry(self, node: SurveyNode, run: Run, before: tuple[Prompt, ...]) -> Transition:
        attempt = run.attempt + 1
        if attempt > node.retries:
            return then(node.next, detail="no rating")
        prompts = (*before, *node.prompt)
        return ask_key(run, prompts, node.timeout, phase="ask", attempt=attempt)


def _rating(node: SurveyNode, key: str) -> int | None:
    """The answer a key gives, higher is better: a scale takes 1–scale as is; a satisfied /
    solved question takes 1 (满意 / yes → 2 of 2) and 2 (不满意 / no → 1 of 2)."""
    if not key.isdigit():
        return None
    if node.answers == "scale":
        return int(key) if 1 <= int(key) <= node.scale else None
    return {"1": 2, "2": 1}.get(key)

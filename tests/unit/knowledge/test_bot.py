"""One bot turn: answer above the threshold, offer choices when unsure, ask again, hand off on
request, when nothing comes near, or after N turns without an answer."""

from __future__ import annotations

from hotline.knowledge.bot import BotOutcome, BotPolicy, BotState, HandOffReason, bot_turn
from hotline.knowledge.search import Hit


def hit(article: str, confidence: float) -> Hit:
    return Hit(article, "zh", article, 1.0, confidence, "", "public", None)


def test_answers_offers_retries_and_hands_off() -> None:
    state = BotState()
    reply, state = bot_turn("我的卡丢了", [hit("card-loss", 0.8), hit("fraud", 0.4)], state)
    assert (reply.outcome, [h.article_id for h in reply.hits]) == (BotOutcome.ANSWER, ["card-loss"])
    reply, state = bot_turn(
        "卡", [hit("a", 0.35), hit("b", 0.3), hit("c", 0.3), hit("d", 0.3)], state
    )
    assert reply.outcome is BotOutcome.OFFER
    assert len(reply.hits) == 3
    reply, state = bot_turn("嗯", [hit("a", 0.2)], state)
    assert (reply.outcome, state.failed_turns) == (BotOutcome.RETRY, 1)
    reply, state = bot_turn("啊", [hit("a", 0.2)], state)
    assert (reply.outcome, reply.reason) == (BotOutcome.HAND_OFF, HandOffReason.FAILED_TURNS)


def test_hand_off_on_request_and_when_nothing_is_near() -> None:
    for message in ("转人工", "帮我转人工服务", "Operator, please", "I want a human"):
        reply, _ = bot_turn(message, [hit("a", 0.9)], BotState())
        assert reply.reason is HandOffReason.REQUESTED, message
    reply, _ = bot_turn("今天天气怎么样", [], BotState())
    assert reply.reason is HandOffReason.LOW_CONFIDENCE
    reply, _ = bot_turn("x", [hit("a", 0.2)], BotState(), BotPolicy(max_failed_turns=1))
    assert reply.reason is HandOffReason.FAILED_TURNS

"""The bot's figures from its log records: containment counts conversations with a question
and no hand-off; hand-off reasons count once per contact; unanswered questions (asked again,
or handed off because nothing came near) are grouped by their words, most asked first."""

from __future__ import annotations

from typing import Any

from hotline.knowledge.figures import BotRecord, bot_figures


def turn(contact: str, at: float, question: str, outcome: str, **more: Any) -> BotRecord:
    payload = {"question": question, "outcome": outcome, "language": "zh-CN", **more}
    return BotRecord("flow.bot_turn", contact, at, payload)


def handed(contact: str, at: float, reason: str) -> BotRecord:
    return BotRecord("flow.bot_handed_off", contact, at, {"reason": reason, "turns": 1})


def test_containment_reasons_and_unanswered_questions() -> None:
    records = [
        turn("c1", 1, "我的银行卡丢了", "answer", article_id="card-loss"),
        turn("c2", 2, "发票怎么开？", "retry"),
        turn("c2", 3, "发票 怎么开", "hand_off", reason="failed_turns"),
        handed("c2", 3, "failed_turns"),
        turn("c3", 4, "转人工", "hand_off", reason="requested"),
        handed("c3", 4, "requested"),
        turn("c4", 5, "", "no_reply"),  # said nothing: not a bot conversation
        turn("c5", 6, "火星上能用吗", "hand_off", reason="low_confidence"),
        handed("c5", 6, "low_confidence"),
    ]
    figures = bot_figures(records)
    assert (figures.conversations, figures.contained, figures.handed_off) == (4, 1, 3)
    assert figures.containment_rate == 0.25
    assert (figures.questions, figures.answered) == (5, 1)
    assert dict(figures.hand_off_reasons) == {
        "failed_turns": 1, "requested": 1, "low_confidence": 1,
    }  # fmt: skip
    top = figures.unanswered[0]
    assert (top.question, top.count, top.last_at) == ("发票 怎么开", 2, 3)
    assert [u.question for u in figures.unanswered] == ["发票 怎么开", "火星上能用吗"]
    assert figures.as_dict()["hand_off_reasons"][0] == {"reason": "failed_turns", "count": 1}


def test_no_conversation_has_no_rate() -> None:
    assert bot_figures([]).containment_rate is None

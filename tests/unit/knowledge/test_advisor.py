"""`KnowledgeBot` on the shipped example articles: a paraphrase in Chinese or English is
answered with the article in the question's language, a near miss offers choices and "1"
picks the first, a request for a person or a question far from every article hands off with
the line in the customer's language."""

from __future__ import annotations

from hotline.flows.actions import AskBot
from hotline.knowledge.advisor import KnowledgeBot
from hotline.knowledge.shelf import KnowledgeShelf
from tests.unit.knowledge.seeded import SeedSource


def ask(language: str = "zh-CN", **given: object) -> AskBot:
    fields: dict[str, object] = {
        "prompts": (), "language": language, "timeout": 60.0, "answer_at": 0.5,
        "offer_at": 0.3, "hand_off_below": 0.15, "max_failed_turns": 2, **given,
    }  # fmt: skip
    return AskBot(**fields)  # type: ignore[arg-type]


def bot() -> KnowledgeBot:
    return KnowledgeBot(KnowledgeShelf(SeedSource(), None))


async def test_a_paraphrase_is_answered_with_the_article_in_its_language() -> None:
    b = bot()
    zh = await b.consult("t1", "我的银行卡丢了怎么办", ask())
    assert (zh.outcome, zh.article_id) == ("answer", "card-loss")
    assert zh.reply.startswith("银行卡挂失\n")
    en = await b.consult("t1", "I lost my card, what should I do?", ask("en"))
    assert (en.outcome, en.article_id) == ("answer", "card-loss")
    assert en.reply.startswith("Report a lost or stolen card\n")


async def test_a_near_miss_offers_choices_and_a_number_picks_one() -> None:
    b = bot()
    offered = await b.consult("t1", "我想换个套餐", ask())
    assert offered.outcome == "offer"
    assert "请回复数字" in offered.reply
    assert len(offered.choices) == 3
    picked = await b.consult("t1", "1", ask(choices=offered.choices))
    assert (picked.outcome, picked.article_id) == ("answer", offered.choices[0])


async def test_it_hands_off_on_request_and_when_nothing_is_near() -> None:
    b = bot()
    asked = await b.consult("t1", "转人工", ask())
    assert (asked.outcome, asked.reason) == ("hand_off", "requested")
    assert "人工客服" in asked.reply
    far = await b.consult("t1", "quantum chromodynamics lecture", ask("en"))
    assert (far.outcome, far.reason) == ("hand_off", "low_confidence")
    assert "agent" in far.reply

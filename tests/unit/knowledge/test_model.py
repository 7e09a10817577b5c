"""Articles: status moves by its table, an article needs a whole language, assist queries."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hotline.knowledge.assist import assist_query, ivr_choices
from hotline.knowledge.errors import ArticleTransitionRefused
from hotline.knowledge.model import ArticleAction, ArticleIn, ArticleStatus, next_status


def test_status_table() -> None:
    assert next_status(ArticleStatus.DRAFT, ArticleAction.PUBLISH) is ArticleStatus.PUBLISHED
    assert (
        next_status(ArticleStatus.PUBLISHED, ArticleAction.UNPUBLISH) is ArticleStatus.UNPUBLISHED
    )
    with pytest.raises(ArticleTransitionRefused) as refused:
        next_status(ArticleStatus.DRAFT, ArticleAction.UNPUBLISH)
    assert refused.value.code == "knowledge.article.transition"


def test_an_article_needs_title_and_body_in_one_language_at_least() -> None:
    assert ArticleIn(title_en="A", body_en="B", tags=["x", "x"]).tags == ["x"]
    with pytest.raises(ValidationError, match="body_zh"):  # the missing half is named
        ArticleIn(title_zh="只有标题")
    with pytest.raises(ValidationError, match="Chinese or in English"):
        ArticleIn()


def test_assist_reads_the_ivr_choices_and_wordy_variables() -> None:
    log = [
        {"type": "flow.node_entered", "payload": {"node": "menu", "title": "主菜单"}},
        {"type": "flow.digits_collected", "payload": {"outcome": "matched", "digits": "2"}},
        {"type": "flow.node_entered", "payload": {"node": "card_loss", "title": None}},
        {"type": "flow.digits_collected", "payload": {"outcome": "timeout", "digits": ""}},
        {"type": "flow.node_entered", "payload": {"node": "agent", "title": "转人工"}},
    ]
    assert ivr_choices(log) == ["card loss"]
    query = assist_query("  我的卡 丢了 ", variables={"account": "12345", "topic": "挂失"},
                         choices=["card loss"])  # fmt: skip
    assert query.parts == ("我的卡 丢了", "card loss", "挂失")
    assert assist_query("", variables={"n": 3}).empty

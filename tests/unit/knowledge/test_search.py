"""Search over published texts: BM25 ranking in both languages, synonyms folded to one word,
typo tolerance (Latin words by edit distance, Chinese by single characters), audiences,
incremental changes and the confidence the bot and the assist box read."""

from __future__ import annotations

import pytest

from hotline.knowledge.search import IndexedText, TenantIndex
from hotline.knowledge.seed import load_seed
from hotline.knowledge.text import Segmenter, SynonymFolder


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.fixture
def index(segmenter: Segmenter) -> TenantIndex:
    seed = load_seed()
    index = TenantIndex(segmenter)
    index.set_synonyms(seed.synonyms)
    for article in seed.articles:
        for text in article.texts():
            index.put(text)
    return index


def top(index: TenantIndex, q: str, **kw: object) -> str | None:
    hits = index.search(q, **kw)  # type: ignore[arg-type]
    return hits[0].article_id if hits else None


def test_terms_cut_chinese_words_and_stem_english(segmenter: Segmenter) -> None:
    terms = segmenter.terms("我的银行卡丢了 Cards were LOST")
    assert {"银行卡", "银行"} <= set(terms)  # search mode: the word and its parts
    assert "丢" in terms  # single characters too
    assert not {"我", "的", "were"} & set(terms)  # stop words
    assert {"card", "lost"} <= set(terms)  # stemmed: cards → card


def test_synonyms_fold_to_the_groups_first_term() -> None:
    folder = SynonymFolder([["话费", "电话费", "手机费"], ["bill", "invoice"]])
    assert folder.fold("手机费多少") == "话费多少"
    assert folder.fold("My Invoice") == "my bill"
    assert folder.fold("invoices") == "invoices"  # whole Latin words only


def test_paraphrases_find_their_article_in_both_languages(index: TenantIndex) -> None:
    assert top(index, "我卡被人偷了") == "card-loss"
    assert top(index, "I lost my bank card") == "card-loss"
    assert top(index, "这个月上网流量还剩多少") == "data-usage"
    assert top(index, "how many gigabytes do I have left") == "data-usage"  # synonym: data


def test_hits_come_in_the_questions_language(index: TenantIndex) -> None:
    zh = index.search("宽带故障报修")[0]
    en = index.search("broadband repair")[0]
    assert (zh.article_id, zh.language, zh.title) == ("broadband-fault", "zh", "宽带故障报修")
    assert (en.article_id, en.language) == ("broadband-fault", "en")


def test_typos_are_tolerated(index: TenantIndex) -> None:
    assert top(index, "international roamng") == "roaming"
    assert top(index, "银行卡挂矢") == "card-loss"  # 矢 for 失


def test_internal_articles_only_for_the_audiences_asked(index: TenantIndex) -> None:
    q = "who approves a refund"
    assert top(index, q) == "refund-approval"
    assert top(index, q, audiences=("public",)) != "refund-approval"


def test_changes_apply_article_by_article(index: TenantIndex) -> None:
    index.put(IndexedText("new", "zh", "亲子储蓄卡", "为孩子开立亲子储蓄卡", (), "public"))
    assert top(index, "亲子储蓄卡") == "new"
    index.drop("new")
    assert top(index, "亲子储蓄卡") != "new"


def test_confidence_says_how_much_of_the_question_is_covered(index: TenantIndex) -> None:
    sure = index.search("report a lost card")[0]
    vague = index.search("card weather tomorrow umbrella")[0]
    assert sure.confidence > 0.8
    assert vague.confidence < 0.5
    assert index.search("") == []
    assert index.search("zzzz qqqq") == []

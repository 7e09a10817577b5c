"""Knowledge-base search quality: the shipped example articles (`hotline/knowledge/data/seed.yaml`,
a bank with a mobile and broadband arm) against labelled customer questions in zh and en
written as paraphrases (`bench/data/kb-questions.yaml`).

Reported per language and overall: top-1 and top-3 accuracy (the labelled article is first /
among the first three), and how many questions got no answer at all, for Hotline's search
(jieba + BM25 + synonyms + typo tolerance, ADR 0251) and, in the same run, for a plain
substring search — what `LIKE '%word%'` over title and body gives: an article scores one for
each of the question's space-separated words it contains (a Chinese question, written without
spaces, is one word). Then the same questions with one typo each (a letter or a character
dropped) to show the typo tolerance. Also the time to index and to answer a question.

    .venv/bin/python bench/kb.py [--show-misses]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from hotline.knowledge.bot import BotOutcome, BotState, HandOffReason, bot_turn
from hotline.knowledge.search import TenantIndex
from hotline.knowledge.seed import SeedArticle, load_seed
from hotline.knowledge.text import Segmenter

QUESTIONS = Path(__file__).parent / "data" / "kb-questions.yaml"

Ranker = Callable[[str], list[str]]


def questions() -> list[tuple[str, str, str]]:
    """(language, question, article key) for every labelled question."""
    with QUESTIONS.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return [
        (lang, q, key)
        for key, by in data.items()
        if not key.startswith("_")
        for lang in ("zh", "en")
        for q in by[lang]
    ]


def special(kind: str) -> list[str]:
    """`_hand_off` (asks for a person) or `_unanswerable` (no article answers) questions."""
    with QUESTIONS.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return [q for lang in ("zh", "en") for q in data[kind][lang]]


def substring_ranker(articles: Sequence[SeedArticle]) -> Ranker:
    texts = [
        (a.key, f"{a.title_zh} {a.body_zh} {a.title_en} {a.body_en}".lower()) for a in articles
    ]

    def rank(question: str) -> list[str]:
        words = question.lower().split()
        scored = [(sum(w in text for w in words), i, key) for i, (key, text) in enumerate(texts)]
        return [key for n, _, key in sorted(scored, key=lambda s: (-s[0], s[1])) if n > 0][:3]

    return rank


def search_ranker(index: TenantIndex) -> Ranker:
    def rank(question: str) -> list[str]:
        return [hit.article_id for hit in index.search(question, limit=3)]

    return rank


def with_typo(question: str, rng: random.Random) -> str:
    """The question with one letter (en: inside a word of 5+ letters) or one character dropped."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in question):
        i = rng.randrange(len(question))
        return question[:i] + question[i + 1 :]
    words = question.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5]
    if not long:
        return question
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1 :]
    return " ".join(words)


def measure(
    name: str, rank: Ranker, qs: Sequence[tuple[str, str, str]], show: bool
) -> dict[str, float]:
    out: dict[str, float] = {}
    for lang in ("zh", "en", "all"):
        subset = [q for q in qs if lang in (q[0], "all")]
        top1 = top3 = none = 0
        for _, question, key in subset:
            got = rank(question)
            top1 += got[:1] == [key]
            top3 += key in got
            none += not got
            if show and lang != "all" and got[:1] != [key]:
                print(f"   miss [{name}] {question!r}: wanted {key}, got {got}")
        n = len(subset)
        out[f"{lang}_top1"], out[f"{lang}_top3"] = top1 / n, top3 / n
        out[f"{lang}_none"] = none / n
        out[f"{lang}_n"] = n
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    seed = load_seed()
    qs = questions()
    rng = random.Random(23)
    typo_qs = [(lang, with_typo(q, rng), key) for lang, q, key in qs]

    segmenter = Segmenter()
    t0 = time.perf_counter()
    segmenter.warm()
    warm_s = time.perf_counter() - t0
    index = TenantIndex(segmenter)
    t0 = time.perf_counter()
    index.set_synonyms(seed.synonyms)
    for article in seed.articles:
        for text in article.texts():
            index.put(text)
    index.search("余额")  # builds the BM25 matrix
    index_s = time.perf_counter() - t0

    print(f"articles: {len(seed.articles)} (zh + en texts: {2 * len(seed.articles)}), "
          f"questions: {len(qs)} (zh {sum(q[0] == 'zh' for q in qs)}, "
          f"en {sum(q[0] == 'en' for q in qs)})")  # fmt: skip
    print(f"jieba dictionary load: {warm_s * 1000:.0f} ms; index build: {index_s * 1000:.1f} ms")
    rows = []
    for label, qset in (("paraphrases", qs), ("one typo each", typo_qs)):
        base = measure("substring", substring_ranker(seed.articles), qset, False)
        t0 = time.perf_counter()
        ours = measure("search", search_ranker(index), qset, args.show_misses)
        per_q = (time.perf_counter() - t0) / len(qset) / 2  # asked per language, then all
        rows.append((label, base, ours, per_q))

    print()
    print(f"{'question set':<15}{'lang':<6}{'substring top1/top3/none':>27}"
          f"{'search top1/top3/none':>26}{'top1 ratio':>12}")  # fmt: skip
    for label, base, ours, _ in rows:
        for lang in ("zh", "en", "all"):

            def fmt(m: dict[str, float], lang: str = lang) -> str:
                return (f"{m[f'{lang}_top1']:6.1%} {m[f'{lang}_top3']:6.1%} "
                        f"{m[f'{lang}_none']:6.1%}")  # fmt: skip

            b1 = base[f"{lang}_top1"]
            ratio = f"{ours[f'{lang}_top1'] / b1:.1f}x" if b1 else "n/a (0)"
            print(f"{label:<15}{lang:<6}{fmt(base):>27}{fmt(ours):>26}{ratio:>12}")
    print(f"\nmean time per question (search): {rows[0][3] * 1000:.2f} ms")
    bot_figures(index, seed.articles, qs)


def bot_figures(
    index: TenantIndex, articles: Sequence[SeedArticle], qs: Sequence[tuple[str, str, str]]
) -> None:
    """One bot turn per question, on the public articles (the bot's audience)."""
    public = {a.key for a in articles if a.audience == "public"}
    asked = [q for q in qs if q[2] in public]
    counts = {"right": 0, "wrong": 0, "offer_right": 0, "offer_wrong": 0, "retry": 0}
    reasons = {r: 0 for r in HandOffReason}
    for _, question, key in asked:
        reply, _ = bot_turn(question, index.search(question, audiences=("public",)), BotState())
        ids = [h.article_id for h in reply.hits]
        if reply.outcome is BotOutcome.ANSWER:
            counts["right" if ids == [key] else "wrong"] += 1
        elif reply.outcome is BotOutcome.OFFER:
            counts["offer_right" if key in ids else "offer_wrong"] += 1
        elif reply.outcome is BotOutcome.RETRY:
            counts["retry"] += 1
        elif reply.reason is not None:
            reasons[reply.reason] += 1
    n = len(asked)
    base = substring_ranker(articles)
    base_right = sum(base(q)[:1] == [key] for _, q, key in asked)

    def requested(q: str) -> bool:
        return bot_turn(q, index.search(q), BotState())[0].reason is HandOffReason.REQUESTED

    hand_off, unanswerable = special("_hand_off"), special("_unanswerable")
    handed = sum(requested(q) for q in hand_off)
    base_handed = sum(("转人工" in q or "operator" in q) for q in hand_off)
    not_answered = sum(
        bot_turn(q, index.search(q, audiences=("public",)), BotState())[0].outcome
        is not BotOutcome.ANSWER
        for q in unanswerable
    )
    base_not_answered = sum(not base(q) for q in unanswerable)
    print(f"\nbot, one turn per question ({n} questions of public articles; BotPolicy defaults)")
    print(f"  answered right (contained): {counts['right'] / n:6.1%}   "
          f"substring bot: {base_right / n:6.1%}")  # fmt: skip
    print(f"  answered wrong:             {counts['wrong'] / n:6.1%}")
    print(f"  choices offered, right one among them: {counts['offer_right'] / n:6.1%}, "
          f"not among them: {counts['offer_wrong'] / n:6.1%}")  # fmt: skip
    print(
        f"  asked to rephrase: {counts['retry'] / n:6.1%}; handed off: "
        + ", ".join(f"{r.value} {reasons[r] / n:.1%}" for r in HandOffReason)
    )
    print(f"  hand-off on request: {handed}/{len(hand_off)}   "
          f"substring bot: {base_handed}/{len(hand_off)}")  # fmt: skip
    print(f"  unanswerable questions not answered: {not_answered}/{len(unanswerable)}   "
          f"substring bot: {base_not_answered}/{len(unanswerable)}")  # fmt: skip


if __name__ == "__main__":
    main()

"""What the knowledge bot writes (or says, on calls) in zh-CN and en: an article as the answer,
the choices when it is unsure, "say it again", and the hand-off line (ADR 0256)."""

from __future__ import annotations

from collections.abc import Sequence

from hotline.knowledge.bot import HandOffReason

__all__ = ["MAX_ANSWER", "answer_text", "hand_off_text", "offer_text", "retry_text"]

MAX_ANSWER = 1500  # characters of an article's body the bot sends; the rest is on the help page


def _zh(language: str) -> bool:
    return language.startswith("zh")


def answer_text(title: str, body: str) -> str:
    flat = body.strip()
    if len(flat) > MAX_ANSWER:
        flat = flat[: MAX_ANSWER - 1] + "…"
    return f"{title}\n{flat}" if flat else title


def offer_text(language: str, titles: Sequence[str]) -> str:
    lines = [f"{i}. {title}" for i, title in enumerate(titles, 1)]
    head = (
        "您想问的是下面哪个问题？请回复数字："
        if _zh(language)
        else "Did you mean one of these? Reply with a number:"
    )
    return "\n".join([head, *lines])


def retry_text(language: str) -> str:
    if _zh(language):
        return "抱歉，我没有理解您的问题。请换个说法再试一次，或回复“转人工”。"
    return 'Sorry, I did not understand. Please say it another way, or write "agent" for a person.'


def hand_off_text(language: str, reason: HandOffReason | str) -> str:
    if _zh(language):
        if reason == HandOffReason.REQUESTED:
            return "好的，正在为您转接人工客服，请稍候。"
        return "这个问题我暂时回答不了，正在为您转接人工客服，请稍候。"
    if reason == HandOffReason.REQUESTED:
        return "Sure, connecting you to an agent, please wait."
    return "I cannot answer that yet; connecting you to an agent, please wait."

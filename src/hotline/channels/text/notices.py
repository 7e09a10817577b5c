"""What the centre itself writes into a text conversation, in zh-CN and en (GLOSSARY): the
customer waits, their place in line, an agent joined or took over. Written for reading, not
for the ear (numbers as digits, unlike the voice announcements).
"""

from __future__ import annotations

import math

__all__ = ["agent_joined", "place_in_line", "please_wait"]


def _zh(language: str) -> bool:
    return language.startswith("zh")


def please_wait(language: str) -> str:
    if _zh(language):
        return "正在为您转接人工客服，请稍候。"
    return "Connecting you to an agent, please wait."


def place_in_line(language: str, position: int, ewt_s: float | None) -> str:
    """Position 1 is next; an unknown wait (nobody staffed) is not said."""
    ahead = max(0, position - 1)
    minutes = None if ewt_s is None else max(1, math.ceil(ewt_s / 60))
    if _zh(language):
        text = "您是下一位" if ahead == 0 else f"您前面还有{ahead}位"
        if minutes is not None:
            text += f"，预计等待{minutes}分钟"
        return text + "。"
    if ahead == 0:
        text = "You are next in line."
    else:
        text = f"{ahead} {'person is' if ahead == 1 else 'people are'} ahead of you."
    if minutes is not None:
        text += f" Expected wait: about {minutes} {'minute' if minutes == 1 else 'minutes'}."
    return text


def agent_joined(language: str, name: str | None) -> str:
    if _zh(language):
        return f"客服{name}为您服务。" if name else "客服已接入，为您服务。"
    return f"{name} has joined the chat." if name else "An agent has joined the chat."

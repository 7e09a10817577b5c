"""The e-mails tickets send, in zh-CN or en: to the customer when a ticket is opened and
resolved (the center's language), to the assignee when a ticket reaches them or nears its
deadline, to the lead or manager a breach escalates to; to a ticket's watchers when its status
changes or someone comments — staff in their own language, never the one who made the change
(`staff_recipients`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hotline.tickets.model import Ticket
from hotline.tickets.numbers import grouped

__all__ = ["TEXT_KINDS", "message", "staff_recipients", "text_message"]

_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "created": {
        "zh-CN": (
            "您的工单 {number} 已受理",
            "您好，{customer}：\n\n我们已收到您的问题“{subject}”，工单号为 {number}。"
            "我们会尽快处理并与您联系。\n",
        ),
        "en": (
            "Your ticket {number} has been opened",
            'Hello {customer},\n\nWe have received your request "{subject}"; its ticket '
            "number is {number}. We will get back to you soon.\n",
        ),
    },
    "resolved": {
        "zh-CN": (
            "您的工单 {number} 已解决",
            "您好，{customer}：\n\n您的工单 {number}（{subject}）已解决。如仍有问题，"
            "请直接回复或来电并提供工单号。\n",
        ),
        "en": (
            "Your ticket {number} is resolved",
            'Hello {customer},\n\nYour ticket {number} ("{subject}") is resolved. If anything '
            "is still wrong, reply or call us with the ticket number.\n",
        ),
    },
    "assigned": {
        "zh-CN": ("工单 {number} 已分配给您", "工单 {number}：{subject}\n部门：{department}\n"),
        "en": (
            "Ticket {number} is assigned to you",
            "Ticket {number}: {subject}\nDepartment: {department}\n",
        ),
    },
    "reminder": {
        "zh-CN": (
            "工单 {number} 即将超时（{target}）",
            "工单 {number}：{subject}\n{target}已用去时限的 {percent}%，截止 {due}。\n",
        ),
        "en": (
            "Ticket {number} is nearly due ({target})",
            "Ticket {number}: {subject}\n{percent}% of the {target} time is used; due {due}.\n",
        ),
    },
    "escalated": {
        "zh-CN": (
            "工单 {number} 已超时升级（第 {level} 级）",
            "工单 {number}：{subject}\n{target}已超时（截止 {due}），升级至您处理。\n",
        ),
        "en": (
            "Ticket {number} escalated (level {level})",
            "Ticket {number}: {subject}\nThe {target} time ran out (due {due}); it is "
            "escalated to you.\n",
        ),
    },
    "watch_status": {
        "zh-CN": (
            "您关注的工单 {number} 状态变为“{status}”",
            "工单 {number}：{subject}\n状态：{previous} → {status}\n",
        ),
        "en": (
            "Ticket {number} you watch is now {status}",
            "Ticket {number}: {subject}\nStatus: {previous} → {status}\n",
        ),
    },
    "watch_comment": {
        "zh-CN": (
            "您关注的工单 {number} 有新的{visibility}",
            "工单 {number}：{subject}\n{visibility}：\n\n{body}\n",
        ),
        "en": (
            "New {visibility} on ticket {number} you watch",
            "Ticket {number}: {subject}\n{visibility}:\n\n{body}\n",
        ),
    },
}

_STATUSES = {
    "new": {"zh-CN": "新建", "en": "new"},
    "open": {"zh-CN": "处理中", "en": "open"},
    "pending": {"zh-CN": "等待客户", "en": "pending on the customer"},
    "on_hold": {"zh-CN": "挂起", "en": "on hold"},
    "resolved": {"zh-CN": "已解决", "en": "resolved"},
    "closed": {"zh-CN": "已关闭", "en": "closed"},
}
_VISIBILITY = {
    True: {"zh-CN": "公开回复", "en": "public comment"},
    False: {"zh-CN": "内部备注", "en": "internal comment"},
}

_TARGETS = {
    "first_response": {"zh-CN": "首次响应", "en": "first response"},
    "next_response": {"zh-CN": "再次响应", "en": "next response"},
    "resolution": {"zh-CN": "解决", "en": "resolution"},
}


def message(
    kind: str, language: str, ticket: Ticket, *, customer: str = "", **values: Any
) -> tuple[str, str]:
    """(subject, body) of one notification."""
    lang = "en" if language.startswith("en") else "zh-CN"
    subject, body = _TEXTS[kind][lang]
    target = values.pop("target", "")
    params = {
        "number": grouped(ticket.number),
        "subject": ticket.subject,
        "department": ticket.department,
        "customer": customer or ("客户" if lang == "zh-CN" else "customer"),
        "target": _TARGETS[str(target)][lang] if target else "",
        **values,
    }
    for name in ("status", "previous"):
        if name in params:
            params[name] = _STATUSES[str(params[name])][lang]
    if "public" in params:
        params["visibility"] = _VISIBILITY[bool(params.pop("public"))][lang]
    return subject.format(**params), body.format(**params)


def staff_recipients(user_ids: Iterable[str | None], actor_id: str | None) -> list[str]:
    """Who of the ticket's people hears of a change: each once, in order, never the person who
    made it (they know)."""
    return [u for u in dict.fromkeys(user_ids) if u and u != actor_id]


# Texts (SMS) to the customer: one short message each (a zh text of up to 70 characters is
# one SMS), the number in plain digits so the phone can copy it.
_SMS: dict[str, dict[str, str]] = {
    "created": {
        "zh-CN": "您的工单已受理，工单号 {number}，我们会尽快与您联系。",
        "en": "Your ticket {number} is open. We will get back to you soon.",
    },
    "resolved": {
        "zh-CN": "您的工单 {number} 已解决。如仍有问题，请来电并提供工单号。",
        "en": "Your ticket {number} is resolved. If anything is still wrong, call us with it.",
    },
}

TEXT_KINDS = frozenset(_SMS)


def text_message(kind: str, language: str, ticket: Ticket) -> str:
    """The SMS of one notification to the customer."""
    lang = "en" if language.startswith("en") else "zh-CN"
    return _SMS[kind][lang].format(number=ticket.number)

"""Who hears of a ticket's change, and the watcher's mail in each language."""

from __future__ import annotations

from hotline.tickets.model import Priority, Ticket, TicketStatus
from hotline.tickets.notify import message, staff_recipients


def test_each_person_once_in_order_never_the_one_who_changed_it() -> None:
    assert staff_recipients(["U2", None, "U1", "U2", "U3"], "U3") == ["U2", "U1"]
    assert staff_recipients(["U1"], "U1") == []
    assert staff_recipients(["U1"], None) == ["U1"]


def _ticket() -> Ticket:
    return Ticket(
        id="T", tenant_id="t", number=10001, subject="屏幕不亮", description="",
        department="售后部",
        status=TicketStatus.OPEN, priority=Priority.NORMAL, category=None,
        customer_id=None, interaction_id=None, assignee_id=None, created_by=None, due_date=None,
        first_response_at=None, resolved_at=None, closed_at=None, merged_into=None,
        created_at=0.0, updated_at=0.0,
    )  # fmt: skip


def test_a_watchers_mail_says_the_status_and_the_comments_kind_in_their_language() -> None:
    ticket = _ticket()
    assert message("watch_status", "en", ticket, status="resolved", previous="on_hold") == (
        "Ticket 10 001 you watch is now resolved",
        "Ticket 10 001: 屏幕不亮\nStatus: on hold → resolved\n",
    )
    subject, body = message("watch_comment", "zh-CN", ticket, public=False, body="已联系")
    assert subject == "您关注的工单 10 001 有新的内部备注"
    assert body.endswith("内部备注：\n\n已联系\n")

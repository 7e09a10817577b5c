"""A `mail.send` payload says whether the mail is to a customer (through the tenant's mailbox,
ADR 0245) or to staff (the center's SMTP server), and keeps its old form for staff."""

from __future__ import annotations

from hotline.jobs import mail_payload


def test_staff_mail_keeps_its_old_payload() -> None:
    assert mail_payload(["lead@center.test"], "s", "b") == {
        "to": ["lead@center.test"],
        "subject": "s",
        "body": "b",
    }


def test_a_ticket_or_customer_mail_is_marked_for_the_mailbox() -> None:
    payload = mail_payload(["c@example.test"], "s", "b", ticket_id="T1", customer_id="C1")
    assert (payload["customer"], payload["ticket_id"], payload["customer_id"]) == (True, "T1", "C1")
    survey = mail_payload(["c@example.test"], "s", "b", customer=True)
    assert (survey["customer"], survey["ticket_id"], survey["customer_id"]) == (True, None, None)

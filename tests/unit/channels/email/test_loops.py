from __future__ import annotations

from email.message import EmailMessage

import pytest

from hotline.channels.email.loops import RateCap, automatic_reason, over_cap


def _mail(**headers: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("x")
    return message


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "a@x.test", "auto_submitted"),
        ({"Auto_Submitted": "auto-generated; owner-email=a@x"}, "a@x.test", "auto_submitted"),
        ({"Precedence": "bulk"}, "a@x.test", "precedence_bulk"),
        ({"Precedence": "list"}, "a@x.test", "precedence_list"),
        ({"List_Id": "<news.x.test>"}, "a@x.test", "mailing_list"),
        ({"X_Auto_Response_Suppress": "All"}, "a@x.test", "suppressed"),
        ({"Return_Path": "<>"}, "a@x.test", "bounce"),
        ({}, "MAILER-DAEMON@x.test", "mailer_daemon"),
        ({}, "no-reply@shop.test", "mailer_daemon"),
        ({}, "help@center.test", "own_address"),
        ({"X_Hotline_Mailbox": "01MB"}, "other@center.test", "own_address"),
        ({"Auto_Submitted": "no"}, "a@x.test", None),
        ({}, "a@x.test", None),
    ],
)
def test_automatic_mail_is_recognised(headers: dict[str, str], sender: str, reason: str) -> None:
    assert automatic_reason(_mail(**headers), sender, ["Help@Center.test"]) == reason


def test_the_cap_counts_answers_within_the_window_only() -> None:
    cap = RateCap(limit=2, window_s=3600)
    assert not over_cap([100.0], 200.0, cap)
    assert over_cap([100.0, 150.0], 200.0, cap)
    assert not over_cap([100.0, 150.0], 100.0 + 3600.0 + 1, cap)

from __future__ import annotations

import pytest

from hotline.channels.email.compose import OutgoingFile, Parent, build_mail
from hotline.channels.email.errors import MailInvalid
from hotline.channels.email.model import ImapServer, Mailbox, SmtpServer
from hotline.channels.email.parse import parse_mail

BOX = Mailbox(
    id="01MB",
    tenant_id="01T",
    address="help@center.test",
    display_name="客服中心",
    imap=ImapServer("imap.test"),
    smtp=SmtpServer("smtp.test"),
    signature="客服中心 400-000-0000",
)
PARENT = Parent("c1@example.test", ("a0@center.test",), "订单 [#HL-AAAAAAAA]", "c@example.test")


def test_a_reply_is_threaded_signed_and_reads_back() -> None:
    message = build_mail(
        BOX,
        message_id="r1@center.test",
        token="HL-AAAAAAAA",
        to=["c@example.test"],
        cc=["boss@example.test"],
        subject="",
        body="您好，已为您补发。",
        now=1_800_000_000.0,
        parent=PARENT,
        files=[OutgoingFile("发票.pdf", "application/pdf", b"%PDF-1.4 x")],
    )
    assert message["In-Reply-To"] == "<c1@example.test>"
    assert message["References"] == "<a0@center.test> <c1@example.test>"
    assert message["Subject"] == "Re: 订单 [#HL-AAAAAAAA]"
    assert "Auto-Submitted" not in message
    parsed = parse_mail(bytes(message))
    assert parsed.message_id == "r1@center.test"
    assert parsed.cc == ("boss@example.test",)
    assert parsed.text.endswith("-- \n客服中心 400-000-0000")
    assert [(a.filename, a.data) for a in parsed.attachments] == [("发票.pdf", b"%PDF-1.4 x")]


def test_an_automatic_answer_says_so() -> None:
    message = build_mail(
        BOX, message_id="r2@center.test", token="HL-AAAAAAAA", to=["c@example.test"],
        subject="Re: x", body="ok", now=0.0, parent=PARENT, automatic=True,
    )  # fmt: skip
    assert message["Auto-Submitted"] == "auto-replied"


@pytest.mark.parametrize(
    ("to", "body", "code", "field"),
    [
        ([], "x", "email.recipient.none", "to"),
        (["not an address"], "x", "email.recipient.invalid", "to[0]"),
        (["a@x.test", "b@"], "x", "email.recipient.invalid", "to[1]"),
        (["a@x.test"], "  ", "email.body.empty", "body"),
    ],
)
def test_bad_input_names_the_field(to: list[str], body: str, code: str, field: str) -> None:
    with pytest.raises(MailInvalid) as caught:
        build_mail(BOX, message_id="m@x", token="HL-A", to=to, subject="s", body=body, now=0.0)
    assert caught.value.code == code
    assert caught.value.details["field"] == field

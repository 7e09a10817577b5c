from __future__ import annotations

from hotline.channels.email.threads import (
    message_ids,
    reference_token,
    resolve_thread,
    strip_reply_prefixes,
    subject_tokens,
    with_token,
)


def test_message_ids_read_brackets_and_bare_ids() -> None:
    assert message_ids("<a@x> <b@y>\r\n <c@z>") == ["a@x", "b@y", "c@z"]
    assert message_ids("a@x") == ["a@x"]
    assert message_ids("") == []
    assert message_ids("not an id") == []


def test_the_token_is_stable_short_and_found_again_in_a_subject() -> None:
    token = reference_token("01THREAD")
    assert token == reference_token("01THREAD")
    assert token != reference_token("01THREAE")
    assert len(token) == 11
    assert token.startswith("HL-")
    subject = with_token("Order missing", token)
    assert subject_tokens("Re: " + subject) == [token]
    assert with_token(subject, token) == subject  # never twice


def test_reply_prefixes_in_both_languages_are_stripped() -> None:
    assert strip_reply_prefixes("Re: RE: Fwd: Order") == "Order"
    assert strip_reply_prefixes("回复：答复: 订单") == "订单"
    assert strip_reply_prefixes("AW: Re[2]: x") == "x"


def test_the_parent_wins_then_references_newest_first_then_the_token() -> None:
    known = {"p@x": "T1", "r1@x": "T2", "r2@x": "T3"}
    tokens = {"HL-AAAAAAAA": "T4"}
    assert resolve_thread(["p@x"], ["r1@x"], [], known, tokens) == "T1"
    assert resolve_thread(["gone@x"], ["r1@x", "r2@x"], [], known, tokens) == "T3"
    assert resolve_thread([], [], ["HL-AAAAAAAA"], known, tokens) == "T4"
    assert resolve_thread(["gone@x"], [], ["HL-ZZZZZZZZ"], known, tokens) is None

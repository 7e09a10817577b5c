"""Publishing checks the ticket departments and categories a flow names (ticket nodes and
voicemail nodes that open tickets), and a voicemail node asks for its ticket with the
recording (ADR 0162)."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.flows.actions import RecordVoicemail, VoicemailTicketRequest
from hotline.flows.errors import FlowInvalid, IssueCode
from hotline.flows.interpreter import Program
from hotline.flows.loader import parse_flow
from hotline.flows.validate import TicketNames, check_flow, ensure_valid

BYE: dict[str, Any] = {"type": "hangup"}
KNOWN = TicketNames(frozenset({"售后部"}), frozenset({"repair"}))
TICKET = {"type": "ticket", "department": "售后部", "category": "repair",
          "subject": "报修", "next": "bye"}  # fmt: skip
VOICEMAIL = {"type": "voicemail", "mailbox": "after-sales", "next": "bye",
             "ticket": {"department": "售后部", "category": "repair",
                        "priority": "high"}}  # fmt: skip


def flow(**nodes: dict[str, Any]) -> dict[str, Any]:
    return {"name": "t", "start": next(iter(nodes)), "nodes": {**nodes, "bye": BYE}}


def test_known_names_pass_and_without_the_centers_names_nothing_is_checked() -> None:
    assert check_flow(flow(open=TICKET), tickets=KNOWN).ok
    assert check_flow(flow(leave=VOICEMAIL), tickets=KNOWN).ok
    assert check_flow(flow(open={**TICKET, "department": "无此部门"})).ok  # `flow check` offline


def test_an_unknown_department_or_category_names_the_node_the_field_and_the_value() -> None:
    bad = {**TICKET, "department": "无此部门", "category": "nothing"}
    vm = {**VOICEMAIL, "ticket": {"department": "销售部", "category": "nope"}}
    check = check_flow(flow(open={**bad, "next": "leave"}, leave=vm), tickets=KNOWN)
    found = [(i.code, i.node, i.field, dict(i.params)["name"]) for i in check.issues]
    assert found == [
        (IssueCode.DEPARTMENT_UNKNOWN, "open", "department", "无此部门"),
        (IssueCode.CATEGORY_UNKNOWN, "open", "category", "nothing"),
        (IssueCode.DEPARTMENT_UNKNOWN, "leave", "ticket.department", "销售部"),
        (IssueCode.CATEGORY_UNKNOWN, "leave", "ticket.category", "nope"),
    ]
    # The template and its value travel with the issue, so the editor says it in the user's
    # language (ADR 0125).
    assert check.issues[0].template == "no ticket department '%(name)s'"
    assert check.issues[0].message == "no ticket department '无此部门'"


def test_publishing_refuses_the_flow_with_every_ticket_issue() -> None:
    parsed = parse_flow(flow(open={**TICKET, "category": "nothing"}))
    with pytest.raises(FlowInvalid) as refused:
        ensure_valid(parsed, tickets=KNOWN)
    assert [i["field"] for i in refused.value.details["issues"]] == ["category"]


def test_a_voicemail_node_asks_for_its_ticket_with_the_message() -> None:
    program = Program(parse_flow(flow(leave=VOICEMAIL)), version=1, content_hash="h")
    result = program.start(
        tenant_id="t1", now=0.0, variables={"caller.number": "13900139077"}, interaction_id="i"
    )
    request = result.waiting_on
    assert isinstance(request, RecordVoicemail)
    assert request.ticket == VoicemailTicketRequest(
        department="售后部",
        subject="语音留言 13900139077",
        category="repair",
        priority="high",
        language="zh-CN",
    )
    english = flow(
        leave={**VOICEMAIL, "ticket": {"department": "售后部", "subject": "VM {caller.number}"}}
    )
    program = Program(parse_flow({**english, "language": "en"}), version=1, content_hash="h")
    result = program.start(tenant_id="t1", now=0.0, variables={"caller.number": "8001"},
                           interaction_id="i")  # fmt: skip
    assert isinstance(result.waiting_on, RecordVoicemail)
    assert result.waiting_on.ticket is not None
    assert (result.waiting_on.ticket.subject, result.waiting_on.ticket.language) == (
        "VM 8001",
        "en",
    )
    plain = Program(
        parse_flow(flow(leave={**VOICEMAIL, "ticket": None})), version=1, content_hash="h"
    )
    result = plain.start(tenant_id="t1", now=0.0, variables={}, interaction_id="i")
    assert isinstance(result.waiting_on, RecordVoicemail)
    assert result.waiting_on.ticket is None

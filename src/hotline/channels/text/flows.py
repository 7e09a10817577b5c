"""Which flow a new text contact runs before it waits in a queue (ADR 0257): the tenant's
published flow named after its kind — `web-chat` for web chat, `sms` for SMS, `email` for a
new mail thread — when there is one; else the contact goes straight to the kind's first
queue, as before there was a bot.
A flow is published like any other (`hotline flow publish`, the designer); its bot node
answers from the knowledge base and hands off to a queue node."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from hotline.channels.text.model import TextKind
from hotline.flows import FlowVersion, Program, ProgramCache
from hotline.flows.errors import FlowError

__all__ = ["FLOW_NAMES", "FlowSource", "TextFlow", "TextFlows"]

FLOW_NAMES: Mapping[TextKind, str] = {
    TextKind.CHAT: "web-chat",
    TextKind.SMS: "sms",
    TextKind.EMAIL: "email",
}


class FlowSource(Protocol):
    """The active versions of a tenant's flows (the hot path, or `FlowService`)."""

    programs: ProgramCache

    async def active(self, tenant_id: str, name: str) -> FlowVersion: ...


@dataclass(frozen=True, slots=True)
class TextFlow:
    program: Program
    name: str
    version: int


class TextFlows:
    def __init__(self, source: FlowSource, names: Mapping[TextKind, str] = FLOW_NAMES) -> None:
        self.source = source
        self.names = names

    async def flow_for(self, tenant_id: str, kind: TextKind) -> TextFlow | None:
        name = self.names.get(kind)
        if name is None:
            return None
        try:
            version = await self.source.active(tenant_id, name)
        except FlowError:
            return None
        return TextFlow(self.source.programs.get(version), name, version.version)

"""The variables a flow can read, and their types: built-ins, declared ones, and node outputs.

Variables are flat dotted names (`caller.number`, `customer.vip_level`) holding scalars. The
driver seeds the caller's facts at start (`caller.number`, `dialed.number`, `channel`,
`emergency.active` …); nodes write their results (`menu` / `collect` / `survey` variables,
`<store_as>.*` from a lookup, `queue.*`, `voicemail.*`, `ticket.*`); `set` nodes compute the
rest; `now.*` is the tenant's local time, computed at each step and never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from hotline.flows.errors import ExpressionSyntaxError
from hotline.flows.expression import parse_expression
from hotline.flows.schema import (
    BotNode,
    CollectNode,
    Flow,
    LookupNode,
    MenuNode,
    SetNode,
    SurveyNode,
    TicketNode,
    TicketStatusNode,
)
from hotline.flows.typecheck import Type, check_expression

__all__ = [
    "BUILTIN_VARIABLES",
    "READ_ONLY_PREFIXES",
    "TICKET_VARIABLES",
    "Scalar",
    "VariableCatalog",
    "is_scalar",
]

Scalar: TypeAlias = str | int | float | bool | None

BUILTIN_VARIABLES: Mapping[str, Type] = {
    # seeded by the driver from the interaction
    "caller.number": Type.STRING,
    "caller.name": Type.STRING,
    "dialed.number": Type.STRING,
    "channel": Type.STRING,  # voice, chat, sms, email
    "language": Type.STRING,  # the caller's prompt language; a `set` node may change it
    "interaction.id": Type.STRING,
    "flow.name": Type.STRING,
    "flow.version": Type.INTEGER,
    "emergency.active": Type.BOOLEAN,  # the tenant-wide switch
    "emergency.message": Type.STRING,  # optional text that replaces the announcement
    # the tenant's local time, computed at each step
    "now.year": Type.INTEGER,
    "now.month": Type.INTEGER,
    "now.day": Type.INTEGER,
    "now.hour": Type.INTEGER,
    "now.minute": Type.INTEGER,
    "now.weekday": Type.INTEGER,
    "now.date": Type.STRING,
    "now.time": Type.STRING,
    # written by nodes
    "queue.name": Type.STRING,
    "queue.entered_at": Type.NUMBER,
    "queue.outcome": Type.STRING,
    "queue.agent_id": Type.STRING,
    "queue.wait": Type.NUMBER,
    "queue.node": Type.STRING,  # the queue node that put the caller in line
    "queue.waiting": Type.BOOLEAN,  # the caller is in line (also during a callback offer)
    "voicemail.recording_id": Type.STRING,
    "voicemail.duration": Type.NUMBER,
    "transfer.outcome": Type.STRING,
    "callback.number": Type.STRING,
    "callback.outcome": Type.STRING,
}

# What the ticket nodes write (the number as digits, so `{ticket.number:digits}` reads it).
TICKET_VARIABLES = (
    "ticket.id",
    "ticket.number",
    "ticket.status",
    "ticket.status_text",
    "ticket.error",
)

# Names the runtime owns; flows may read them but not assign them.
READ_ONLY_PREFIXES = ("now.", "emergency.", "flow.", "interaction.", "queue.")

_SPEC_TYPES = {
    "string": Type.STRING,
    "integer": Type.INTEGER,
    "number": Type.NUMBER,
    "boolean": Type.BOOLEAN,
}


def is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


# What a bot node keeps (flows/nodes/bot.py).
BOT_VARIABLES: dict[str, Type] = {
    "bot.turns": Type.INTEGER,
    "bot.failed_turns": Type.INTEGER,
    "bot.choices": Type.STRING,
    "bot.question": Type.STRING,
    "bot.article": Type.STRING,
    "bot.hand_off_reason": Type.STRING,
}


class VariableCatalog:
    """The type of every variable a flow may read; `lookup(name)` is None for unknown names."""

    def __init__(self, flow: Flow) -> None:
        self.types: dict[str, Type] = dict(BUILTIN_VARIABLES)
        self.prefixes: dict[str, Type] = {}
        for name, spec in flow.variables.items():
            self.types[name] = _SPEC_TYPES[spec.type]
        assigned: list[tuple[str, str]] = []
        for node in flow.nodes.values():
            if isinstance(node, MenuNode | CollectNode) and node.variable:
                self._add(node.variable, Type.STRING)
            elif isinstance(node, SurveyNode):
                self._add(node.variable, Type.INTEGER)
            elif isinstance(node, LookupNode):
                self._add(f"{node.store_as}.found", Type.BOOLEAN)
                self._add(f"{node.store_as}.error", Type.STRING)
                self.prefixes[f"{node.store_as}."] = Type.ANY
            elif isinstance(node, BotNode):
                for name, kind in BOT_VARIABLES.items():
                    self._add(name, kind)
            elif isinstance(node, TicketNode | TicketStatusNode):
                for name in TICKET_VARIABLES:
                    self._add(name, Type.STRING)
            elif isinstance(node, SetNode):
                for name, source in node.assign.items():
                    self._add(name, Type.ANY)
                    assigned.append((name, source))
        # Undeclared `set` targets take the type of what is assigned. One pass in file order is
        # enough for flows people write; anything unresolved stays `any`.
        inferred: dict[str, set[Type]] = {}
        for name, source in assigned:
            if name in flow.variables:
                continue
            try:
                found, _ = check_expression(parse_expression(source), self.lookup)
            except ExpressionSyntaxError:  # the validator reports it with node and field
                found = Type.ANY
            inferred.setdefault(name, set()).add(found)
        for name, kinds in inferred.items():
            self.types[name] = kinds.pop() if len(kinds) == 1 else Type.ANY

    def _add(self, name: str, kind: Type) -> None:
        known = self.types.get(name)
        self.types[name] = kind if known in (None, kind) else Type.ANY

    def lookup(self, name: str) -> Type | None:
        known = self.types.get(name)
        if known is not None:
            return known
        for prefix, kind in self.prefixes.items():
            if name.startswith(prefix):
                return kind
        return None

    def declared_type(self, name: str) -> Type | None:
        return self.types.get(name)

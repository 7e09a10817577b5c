"""Node handlers: how each node type enters, what it asks for, and how it takes the answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.flows.nodes.base import Finish, Goto, Handler, Run, Transition, Wait
from hotline.flows.nodes.bot import BotHandler
from hotline.flows.nodes.keys import CollectHandler, MenuHandler, PlayHandler, SurveyHandler
from hotline.flows.nodes.logic import (
    ConditionHandler,
    EmergencyHandler,
    HoursHandler,
    LookupHandler,
    SetHandler,
)
from hotline.flows.nodes.routing import (
    CallbackHandler,
    HangupHandler,
    QueueHandler,
    TransferHandler,
    VoicemailHandler,
)
from hotline.flows.nodes.sms import SmsHandler
from hotline.flows.nodes.tickets import TicketHandler, TicketStatusHandler

__all__ = ["HANDLERS", "Finish", "Goto", "Handler", "Run", "Transition", "Wait"]

HANDLERS: Mapping[str, Handler[Any]] = {
    "play": PlayHandler(),
    "menu": MenuHandler(),
    "collect": CollectHandler(),
    "condition": ConditionHandler(),
    "hours": HoursHandler(),
    "lookup": LookupHandler(),
    "set": SetHandler(),
    "queue": QueueHandler(),
    "voicemail": VoicemailHandler(),
    "callback": CallbackHandler(),
    "transfer": TransferHandler(),
    "survey": SurveyHandler(),
    "ticket": TicketHandler(),
    "ticket_status": TicketStatusHandler(),
    "sms": SmsHandler(),
    "bot": BotHandler(),
    "emergency": EmergencyHandler(),
    "hangup": HangupHandler(),
}

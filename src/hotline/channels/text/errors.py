"""Errors of the text-conversation core, each with a stable dotted code (DESIGN §3.5).

TextError
├── ConversationNotFound                          (NotFound)
├── ConversationClosed, NotInConversation         (Conflict)
└── InvalidMessage: empty, too long, bad file     (InvalidInput)
"""

from __future__ import annotations

from hotline.errors import Conflict, HotlineError, InvalidInput, NotFound

__all__ = [
    "ConversationClosed",
    "ConversationNotFound",
    "InvalidMessage",
    "NotInConversation",
    "TextError",
]


class TextError(HotlineError):
    code = "text.error"


class ConversationNotFound(TextError, NotFound):
    code = "text.conversation.not_found"


class ConversationClosed(TextError, Conflict):
    """The conversation ended: nothing more can be written to it."""

    code = "text.conversation.closed"


class NotInConversation(TextError, Conflict):
    """The agent writes to a conversation it is not connected to."""

    code = "text.conversation.not_joined"


class InvalidMessage(TextError, InvalidInput):
    """`details["field"]` names what is wrong: `body`, `client_id`, `attachment`."""

    code = "text.message.invalid"

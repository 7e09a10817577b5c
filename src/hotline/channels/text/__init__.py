"""The text-conversation core shared by web chat, SMS and e-mail (ADR 0220,
docs/text-conversations.md): messages, their store, `TextChannel` (the lifecycle's `Channel`
port for text) and `Conversations`, what providers and desks call."""

from hotline.channels.text.channel import Room, TextChannel, TextFlowMedia
from hotline.channels.text.conversations import Conversations, Opening
from hotline.channels.text.errors import (
    ConversationClosed,
    ConversationNotFound,
    InvalidMessage,
    NotInConversation,
    TextError,
)
from hotline.channels.text.flows import FLOW_NAMES, TextFlow, TextFlows
from hotline.channels.text.model import (
    MAX_BODY_CHARS,
    Attachment,
    Message,
    NewMessage,
    Sender,
    TextKind,
)
from hotline.channels.text.ports import (
    Delivery,
    DeskFeed,
    InMemoryMessageStore,
    ListDelivery,
    ListDeskFeed,
    MessageStore,
)

__all__ = [
    "FLOW_NAMES",
    "MAX_BODY_CHARS",
    "Attachment",
    "ConversationClosed",
    "ConversationNotFound",
    "Conversations",
    "Delivery",
    "DeskFeed",
    "InMemoryMessageStore",
    "InvalidMessage",
    "ListDelivery",
    "ListDeskFeed",
    "Message",
    "MessageStore",
    "NewMessage",
    "NotInConversation",
    "Opening",
    "Room",
    "Sender",
    "TextChannel",
    "TextError",
    "TextFlow",
    "TextFlowMedia",
    "TextFlows",
    "TextKind",
]

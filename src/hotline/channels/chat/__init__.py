"""Web chat: the visitor's side of a text conversation (ADR 0222, docs/text-conversations.md).

`protocol` reads and writes the widget's WebSocket frames, `hub` carries stored messages to the
visitors' sockets and the agents' desks, `service` attaches a chat `TextChannel` to each
centre's lifecycle and runs one visitor's session. The widget itself is
`web/static/chat/widget.js`, served by the app (one script tag on the host page).
"""

from hotline.channels.chat.hub import ChatHub
from hotline.channels.chat.protocol import ChatFrameError, Hello, Leave, Say, Typing, parse
from hotline.channels.chat.service import ChatService, VisitorSession

__all__ = [
    "ChatFrameError",
    "ChatHub",
    "ChatService",
    "Hello",
    "Leave",
    "Say",
    "Typing",
    "VisitorSession",
    "parse",
]

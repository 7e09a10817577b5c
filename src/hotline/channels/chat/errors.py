"""Web chat's own errors: a file refused by the centre's limits, a bad chat setting. Each has a
stable code; the message is a catalog id (English, the catalogs and the widget have zh-CN).

ChatFileRefused      (InvalidMessage → InvalidInput)   chat.file.too_large | .type | .empty
ChatSettingsInvalid                    (InvalidInput)   chat.settings.invalid
ChatBusy                                (Unavailable)   chat.busy
"""

from __future__ import annotations

from typing import Any, ClassVar

from hotline.channels.text.errors import InvalidMessage
from hotline.errors import InvalidInput, Unavailable

__all__ = ["ChatBusy", "ChatFileRefused", "ChatSettingsInvalid"]


class ChatFileRefused(InvalidMessage):
    """A file over the centre's size limit, of a type it does not take, or not what it says."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "chat.file.too_large": "The file is larger than this chat accepts.",
        "chat.file.type": "Files of this type cannot be sent in this chat.",
        "chat.file.empty": "The file is empty.",
    }

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(self.MESSAGES[code], code=code, details={"field": "file", **details})


class ChatSettingsInvalid(InvalidInput):
    code = "chat.settings.invalid"

    def __init__(
        self, field: str, message: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message, details={"field": field, "errors": errors or []})


class ChatBusy(Unavailable):
    """No new chat now: the server keeps its last database connections for the chats already
    open (the widget says so and tries again a little later)."""

    code = "chat.busy"

    def __init__(self) -> None:
        super().__init__("The chat is busy right now. Please try again in a moment.")

"""Errors of the contact history and the worklist; codes are stable for API clients.

Messages are English sentences that the UI catalog translates (the API answers in the caller's
language). A claim lost to another agent names who holds it (`details.agent_id`).
"""

from __future__ import annotations

from typing import Any

from hotline.errors import Conflict, InvalidInput, NotFound, PermissionDenied

__all__ = [
    "TRANSLATED",
    "ContactNotFound",
    "DispositionUnknown",
    "HistoryError",
    "NoNumberToCall",
    "NotAnAgent",
    "RecordingForbidden",
    "RecordingGone",
    "RecordingNotFound",
    "WorklistAlreadyDone",
    "WorklistClaimed",
    "WorklistItemNotFound",
    "WorklistNotYours",
]


class HistoryError(Exception):
    """Marker base: every error below is also one of the kernel's kinds."""


class ContactNotFound(NotFound, HistoryError):
    code = "interaction.not_found"

    def __init__(self, interaction_id: str) -> None:
        super().__init__(
            f"no interaction {interaction_id!r} (or not yours to see)",
            details={"id": interaction_id},
        )


class DispositionUnknown(InvalidInput, HistoryError):
    code = "interaction.disposition.unknown"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"disposition: no active code {code!r}", details={"field": "disposition", "value": code}
        )


class RecordingNotFound(NotFound, HistoryError):
    code = "recording.not_found"

    def __init__(self, recording_id: str) -> None:
        super().__init__(f"no recording {recording_id!r}", details={"id": recording_id})


class RecordingForbidden(PermissionDenied, HistoryError):
    """It exists in the caller's tenant, but belongs to a contact the caller may not see."""

    code = "auth.forbidden"

    def __init__(self, recording_id: str) -> None:
        super().__init__(
            "this recording belongs to a contact you may not hear", details={"id": recording_id}
        )


class RecordingGone(NotFound, HistoryError):
    code = "recording.gone"

    def __init__(self, recording_id: str) -> None:
        super().__init__(
            f"recording {recording_id!r} is no longer stored (retention)",
            details={"id": recording_id},
        )


class WorklistItemNotFound(NotFound, HistoryError):
    code = "worklist.not_found"

    def __init__(self, interaction_id: str) -> None:
        super().__init__(
            f"no missed contact {interaction_id!r} in the worklists you may see",
            details={"id": interaction_id},
        )


class WorklistClaimed(Conflict, HistoryError):
    """Someone else claimed the missed contact first."""

    code = "worklist.claimed"

    def __init__(self, interaction_id: str, agent_id: str, claimed_at: float) -> None:
        super().__init__(
            "Another agent has already claimed this missed contact.",
            details={"id": interaction_id, "agent_id": agent_id, "claimed_at": claimed_at},
        )
        self.agent_id = agent_id


class WorklistNotYours(Conflict, HistoryError):
    code = "worklist.not_claimed_by_you"

    def __init__(self, interaction_id: str, agent_id: str | None) -> None:
        details: dict[str, Any] = {"id": interaction_id, "agent_id": agent_id}
        super().__init__("You have not claimed this missed contact.", details=details)


class WorklistAlreadyDone(Conflict, HistoryError):
    code = "worklist.done"

    def __init__(self, interaction_id: str) -> None:
        super().__init__(
            "This missed contact was already dealt with.", details={"id": interaction_id}
        )


class NotAnAgent(PermissionDenied, HistoryError):
    code = "worklist.not_an_agent"

    def __init__(self) -> None:
        super().__init__("Only agents claim and call back missed contacts.")


class NoNumberToCall(InvalidInput, HistoryError):
    code = "worklist.no_number"

    def __init__(self, interaction_id: str) -> None:
        super().__init__(
            "This missed contact left no number to call back.", details={"id": interaction_id}
        )


TRANSLATED = (
    "Another agent has already claimed this missed contact.",
    "You have not claimed this missed contact.",
    "This missed contact was already dealt with.",
    "Only agents claim and call back missed contacts.",
    "This missed contact left no number to call back.",
)
"""Messages the API sends in the caller's language: the UI catalog must translate them."""

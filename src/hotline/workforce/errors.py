"""Errors of workforce management, with stable codes (HTTP mapping in `hotline.api.errors`)."""

from __future__ import annotations

from hotline.errors import Conflict, InvalidInput, NotFound, PermissionDenied

__all__ = [
    "HistoryFileError",
    "RequestNotPending",
    "ScheduleNotFound",
    "ShiftNotYours",
    "WfmNotFound",
]


class HistoryFileError(InvalidInput):
    """A history CSV cell is wrong; details name the row, the column and the value."""

    code = "wfm.history.invalid"

    def __init__(self, problem: str, *, row: int, column: str, value: str = "") -> None:
        where = f"row {row}, column {column!r}" if column else f"row {row}"
        shown = f": {value!r}" if value else ""
        super().__init__(
            f"{where}{shown}: {problem}",
            details={"row": row, "column": column, "value": value, "problem": problem},
        )


class WfmNotFound(NotFound):
    code = "wfm.not_found"


class ScheduleNotFound(NotFound):
    code = "wfm.schedule.not_found"


class ShiftNotYours(PermissionDenied):
    code = "wfm.shift.not_yours"


class RequestNotPending(Conflict):
    code = "wfm.request.not_pending"

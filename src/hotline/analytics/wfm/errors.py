"""Errors of the workforce-management math, with stable codes.

`WfmInputError` is also a `ValueError`, so numeric callers may catch it the usual way, while the
API maps it like any other `InvalidInput` (`details["field"]` names the argument).
"""

from __future__ import annotations

from hotline.errors import InvalidInput

__all__ = ["WfmInputError"]


class WfmInputError(InvalidInput, ValueError):
    code = "wfm.input.invalid"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, details={"field": field})

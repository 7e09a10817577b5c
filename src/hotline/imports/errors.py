"""Errors of imports and exports; codes are stable for API clients and the CLI.

Row-level problems in a file are not errors: they are `Problem`s collected in the report
(`hotline.imports.model`). These errors stop a whole run: a file that cannot be read, a mapping
that cannot work, an import in the wrong state.
"""

from __future__ import annotations

from hotline.errors import Conflict, HotlineError, IllegalTransition, InvalidInput, NotFound

__all__ = [
    "ImportCancelled",
    "ImportHasInvalidRows",
    "ImportNotFound",
    "ImportStateError",
    "MappingInvalid",
    "MappingNotFound",
    "UnknownTarget",
    "UnreadableFile",
]


class UnreadableFile(InvalidInput):
    """The file is not a spreadsheet we read, or its text is not in the chosen encoding."""

    code = "import.file.unreadable"


class MappingInvalid(InvalidInput):
    """A column is mapped to an unknown field, or a required field has no column."""

    code = "import.mapping.invalid"


class MappingNotFound(NotFound):
    code = "import.mapping.not_found"


class UnknownTarget(NotFound):
    code = "import.target.unknown"


class ImportNotFound(NotFound):
    code = "import.not_found"


class ImportStateError(IllegalTransition):
    code = "import.state"


class ImportHasInvalidRows(Conflict):
    """ "Import all rows" was chosen and some rows are invalid: nothing was written."""

    code = "import.invalid_rows"


class ImportCancelled(HotlineError):
    """Someone cancelled the run; whatever it had written was rolled back."""

    code = "import.cancelled"

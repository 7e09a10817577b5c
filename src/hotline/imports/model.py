"""The vocabulary of an import: field specs, problems, rules, outcomes, counts and the status
machine of an import (transitions as data)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hotline.imports.errors import ImportStateError

__all__ = [
    "TRANSITIONS",
    "Choice",
    "Counts",
    "FieldSpec",
    "FieldType",
    "ImportStatus",
    "OnErrors",
    "Outcome",
    "Problem",
    "Record",
    "Rule",
    "transition",
]

# One cleaned row: field name → value (str, int, float, bool, ISO date text, or a list of them
# for fields with `many`; custom fields are `custom.<key>`).
Record = dict[str, Any]


class FieldType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    PHONE = "phone"
    EMAIL = "email"
    CHOICE = "choice"
    TAGS = "tags"
    BOOLEAN = "boolean"


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value and the other spellings that mean it (labels in zh and en, aliases)."""

    value: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field a target accepts. `many`: a cell may hold several values (separated by ; , 、)
    and several columns may map to the field; the values are collected in one list."""

    name: str
    type: FieldType
    label_zh: str
    label_en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    many: bool = False
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None

    def label(self, language: str) -> str:
        return self.label_zh if language.startswith("zh") else self.label_en

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": str(self.type),
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "required": self.required,
            "many": self.many,
            "choices": [c.value for c in self.choices],
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one cell (or one row) cannot be imported: `code` names the reason (see reasons.py),
    `params` fill its message in zh and en. `row` is the spreadsheet's own row number."""

    row: int
    column: str
    value: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


class Rule(StrEnum):
    """What a duplicate (in the file, or of an existing record) does.

    skip: the first one stays as it is; update: the later values replace the earlier ones;
    merge: the earlier values stay and only empty ones are filled. Lists (phones, emails, tags)
    are united under update and merge."""

    SKIP = "skip"
    UPDATE = "update"
    MERGE = "merge"


class OnErrors(StrEnum):
    """ABORT: import all rows or nothing; SKIP: import the valid rows, report the others."""

    ABORT = "abort"
    SKIP = "skip"


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    INVALID = "invalid"


@dataclass(slots=True)
class Counts:
    """What a run found or did. `rows`: non-blank data rows; `invalid`: rows with a problem;
    `duplicates`: rows folded into an earlier row of the file; the outcome counts are records
    (one per group of duplicates)."""

    rows: int = 0
    invalid: int = 0
    problems: int = 0
    duplicates: int = 0
    new: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: int = 0

    def add(self, outcome: Outcome, n: int = 1) -> None:
        if outcome is Outcome.INVALID:
            self.invalid += n
        else:
            setattr(self, str(outcome), getattr(self, str(outcome)) + n)

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "invalid": self.invalid,
            "problems": self.problems,
            "duplicates": self.duplicates,
            "new": self.new,
            "updated": self.updated,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Counts:
        return cls(**{k: int(v) for k, v in data.items() if k in cls.__slots__})


class ImportStatus(StrEnum):
    UPLOADED = "uploaded"  # file stored, columns read, mapping suggested
    CHECKING = "checking"  # dry run in progress
    CHECKED = "checked"  # dry run done: counts and the report
    IMPORTING = "importing"  # commit in progress
    DONE = "done"  # committed
    FAILED = "failed"  # a run stopped on an error; nothing of it was written
    CANCELLED = "cancelled"  # a run was cancelled; nothing of it was written


_S = ImportStatus
# (from, action) → to. Actions: edit (file, mapping or options), check, commit, finish, fail,
# cancel. `finish` ends whichever run is going.
TRANSITIONS: dict[tuple[ImportStatus, str], ImportStatus] = {
    **{(s, "edit"): _S.UPLOADED for s in (_S.UPLOADED, _S.CHECKED, _S.FAILED, _S.CANCELLED)},
    **{(s, "check"): _S.CHECKING for s in (_S.UPLOADED, _S.CHECKED, _S.FAILED, _S.CANCELLED)},
    **{(s, "commit"): _S.IMPORTING for s in (_S.UPLOADED, _S.CHECKED, _S.FAILED, _S.CANCELLED)},
    (_S.CHECKING, "finish"): _S.CHECKED,
    (_S.IMPORTING, "finish"): _S.DONE,
    (_S.CHECKING, "fail"): _S.FAILED,
    (_S.IMPORTING, "fail"): _S.FAILED,
    (_S.CHECKING, "cancel"): _S.CANCELLED,
    (_S.IMPORTING, "cancel"): _S.CANCELLED,
}


def transition(status: ImportStatus, action: str) -> ImportStatus:
    to = TRANSITIONS.get((status, action))
    if to is None:
        raise ImportStateError("import", str(status), action)
    return to

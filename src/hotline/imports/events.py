"""Events of imports: one per committed import (not one per record — a 100,000-row import is
one fact in the log, with its counts; the import's id leads to its report)."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["ImportCommitted"]


@domain_event("import.committed")
class ImportCommitted(DomainEvent):
    import_id: str
    target: str
    file_name: str
    new: int
    updated: int
    merged: int
    unchanged: int
    skipped: int
    invalid: int
    by: str | None = None

"""Telling that a mailbox task was asked to stop even when a library lost the cancel on its
way up: 3.11's `asyncio.wait_for` drops it when its inner future finishes at the same moment,
and a cleanup that fails (asyncpg's rollback of a query cut short) replaces it with its own
error. `Task.cancelling()` still counts the request, so the loops of the mailbox layer ask it."""

from __future__ import annotations

import asyncio

__all__ = ["cancel_pending", "stop_if_cancelled"]


def cancel_pending() -> bool:
    """Whether this task was asked to stop (and has not taken the request back)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def stop_if_cancelled() -> None:
    """Raise `CancelledError` when this task was asked to stop."""
    if cancel_pending():
        raise asyncio.CancelledError()

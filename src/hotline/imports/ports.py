"""What imports need from storage (implemented in `hotline.store.imports_repo`) and the shape
of the unit of work a run opens (`hotline.store.uow.UnitOfWork` fits it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import Any, Protocol

from hotline.events import DomainEvent
from hotline.imports.model import Problem

__all__ = ["ImportRepository", "RunScheduler", "UnitOfWork", "UnitOfWorkFactory"]


class ImportRepository(Protocol):
    """Imports, their problem reports and the saved mappings of one tenant's connection."""

    async def add(self, values: dict[str, Any]) -> None: ...

    async def get(self, tenant_id: str, import_id: str) -> dict[str, Any] | None: ...

    async def update(self, tenant_id: str, import_id: str, values: dict[str, Any]) -> None: ...

    async def page(
        self, tenant_id: str, *, target: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]: ...

    async def delete(self, tenant_id: str, import_id: str) -> None:
        """The import and its report."""
        ...

    async def audit(self, values: dict[str, Any]) -> None:
        """A line in the tenant's audit log."""
        ...

    async def running(self) -> list[dict[str, Any]]:
        """Imports of every tenant whose status says a run is going."""
        ...

    async def clear_problems(self, tenant_id: str, import_id: str) -> None: ...

    async def add_problems(
        self, tenant_id: str, import_id: str, problems: Sequence[Problem]
    ) -> None: ...

    async def problems(
        self, tenant_id: str, import_id: str, *, limit: int, offset: int
    ) -> tuple[list[Problem], int]: ...

    def iter_problems(
        self, tenant_id: str, import_id: str, batch: int
    ) -> AsyncIterator[list[Problem]]: ...

    async def mappings(self, tenant_id: str, target: str | None) -> list[dict[str, Any]]: ...

    async def mapping(self, tenant_id: str, target: str, name: str) -> dict[str, Any] | None: ...

    async def save_mapping(self, values: dict[str, Any]) -> dict[str, Any]:
        """Insert, or replace the columns of the tenant's mapping with this target and name."""
        ...

    async def delete_mapping(self, tenant_id: str, mapping_id: str) -> bool: ...


class UnitOfWork(Protocol):
    @property
    def conn(self) -> Any: ...

    def emit(self, event: DomainEvent) -> None: ...

    async def commit(self) -> Any: ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork: ...


class RunScheduler(Protocol):
    """Where the database phase of a run fires (the job host: `hotline.store.import_jobs`).
    One job per import; its firing's transaction holds the run's writes."""

    async def schedule(
        self, conn: Any, *, tenant_id: str, import_id: str, kind: str, actor: str | None
    ) -> None:
        """On the caller's connection, committed with the import's new status."""
        ...

    async def cancel(self, conn: Any, *, tenant_id: str, import_id: str) -> str:
        """`cancelled` (it had not fired), `running` (asked to stop at its next batch) or
        `none` (no job waits)."""
        ...

    async def pending(self, conn: Any, *, tenant_id: str, import_id: str) -> bool:
        """Will a job still fire for this import?"""
        ...

    async def fire_now(self, *, tenant_id: str, import_id: str) -> None:
        """Make the job due now (the file is ready); best effort, its own transaction."""
        ...

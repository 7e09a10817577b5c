"""What the report service needs from storage (SQL in `store/reports_repo.py`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from hotline.analytics.reports.counting import Counting

__all__ = ["ContactLister", "FactReader", "ReportDirectory"]


class FactReader(Protocol):
    async def totals(
        self,
        tenant_id: str,
        dim: str,
        start: float,
        end: float,
        keys: Collection[str] | None,
        *,
        daily: bool = False,
    ) -> dict[str, list[int]]:
        """Each key's measures summed over [start, end) (only keys with facts); `daily`: from
        the daily facts, for [start, end) on the tenant's local midnights."""
        ...

    async def by_interval(
        self, tenant_id: str, dim: str, start: float, end: float, keys: Collection[str] | None
    ) -> dict[int, list[int]]:
        """Each interval's measures summed over the keys."""
        ...

    async def reasons(
        self,
        tenant_id: str,
        dim: str,
        start: float,
        end: float,
        keys: Collection[str] | None,
        kind: str,
        limit: int,
    ) -> list[tuple[str, int, int]]:
        """(reason, times, ms), most frequent first."""
        ...


class ReportDirectory(Protocol):
    async def teams(self, tenant_id: str) -> dict[str, frozenset[str]]:
        """Every team by name → its agents' ids."""
        ...

    async def supervised(self, tenant_id: str, user_id: str) -> frozenset[str]:
        """The names of the teams a user supervises."""
        ...

    async def counting(self, tenant_id: str) -> Counting:
        """The tenant's counting rules (ADR 0173)."""
        ...

    async def targets(self, tenant_id: str) -> dict[str, Mapping[str, Any]]:
        """Target overrides by queue id ("" for the tenant's own)."""
        ...

    async def labels(self, tenant_id: str, dim: str, keys: Collection[str]) -> dict[str, str]:
        """What people call the keys of a dimension (agents' and queues' display names);
        keys without a name are left out (shown as they are)."""
        ...


class ContactLister(Protocol):
    async def contacts(
        self,
        tenant_id: str,
        dim: str,
        keys: Collection[str] | None,
        figure: str,
        start: float,
        end: float,
        *,
        limit: int,
        offset: int,
        mark: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """The contacts behind a figure (the contact projection's rows) and how many;
        `keys` None: every key of the dimension; `mark` one of `RESOLVED_MARKS` keeps only
        the contacts with that "resolved?" answer of their agent."""
        ...

"""Who is calling, answered from memory: phone key → the customers with that number and their
VIP level, per tenant. The call path asks it instead of the database (a VIP caller keeps its
priority when the database is slow); customer events keep it current (`replace`, `remove`).

When several customers share a number the answer is the one the SQL look-up would give: the
highest VIP level, then the oldest customer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PhoneIndex", "PhoneOwner"]


@dataclass(frozen=True, slots=True)
class PhoneOwner:
    customer_id: str
    vip_level: int
    created_at: float

    def rank(self) -> tuple[int, float]:
        return (-self.vip_level, self.created_at)


class PhoneIndex:
    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], list[PhoneOwner]] = {}
        self._keys: dict[tuple[str, str], tuple[str, ...]] = {}  # (tenant, customer) → keys

    def __len__(self) -> int:
        return len(self._keys)

    def find(self, tenant_id: str, key: str) -> PhoneOwner | None:
        owners = self._owners.get((tenant_id, key))
        return owners[0] if owners else None

    def replace(self, tenant_id: str, owner: PhoneOwner, keys: Iterable[str]) -> None:
        """The customer's numbers and level as they are now (its old numbers are dropped)."""
        self.remove(tenant_id, owner.customer_id)
        unique = tuple(dict.fromkeys(k for k in keys if k))
        self._keys[(tenant_id, owner.customer_id)] = unique
        for key in unique:
            owners = self._owners.setdefault((tenant_id, key), [])
            owners.append(owner)
            owners.sort(key=PhoneOwner.rank)

    def remove(self, tenant_id: str, customer_id: str) -> None:
        for key in self._keys.pop((tenant_id, customer_id), ()):
            owners = self._owners.get((tenant_id, key))
            if owners is None:
                continue
            owners[:] = [o for o in owners if o.customer_id != customer_id]
            if not owners:
                del self._owners[(tenant_id, key)]

    def clear_tenant(self, tenant_id: str) -> None:
        for tenant, customer_id in [k for k in self._keys if k[0] == tenant_id]:
            self.remove(tenant, customer_id)

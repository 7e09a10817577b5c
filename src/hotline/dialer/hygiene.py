"""List hygiene before a number is dialed: E.164 numbers only, do-not-call lists per tenant and
per campaign, and one record per number in a campaign (duplicates across its lists are kept
out, the first list in the campaign's order wins).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers

from hotline.dialer.errors import InvalidNumber
from hotline.dialer.model import CallRecord, RecordStatus

__all__ = ["DoNotCall", "Screened", "dialable_number", "screen"]


def dialable_number(text: str, *, field: str = "phone") -> str:
    """The E.164 form of a number given in international form (`+8613812345678`); anything
    else is refused, naming `field` (lists are cleaned to E.164 by the import)."""
    raw = text.strip()
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        raise InvalidNumber(
            f"{text!r} is not a number in +country form", field=field, value=text
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidNumber(f"{text!r} is not a valid number", field=field, value=text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True, slots=True)
class DoNotCall:
    """The numbers never to dial: the tenant's list and the campaign's own, in E.164."""

    tenant: frozenset[str] = frozenset()
    campaign: frozenset[str] = frozenset()

    @classmethod
    def of(cls, tenant: Iterable[str] = (), campaign: Iterable[str] = ()) -> DoNotCall:
        return cls(frozenset(tenant), frozenset(campaign))

    def blocks(self, phone: str) -> bool:
        return phone in self.tenant or phone in self.campaign


@dataclass(frozen=True, slots=True)
class Screened:
    kept: list[CallRecord]
    dnc: list[CallRecord]
    duplicates: list[CallRecord]


def screen(
    records: Sequence[CallRecord], dnc: DoNotCall, *, already: Iterable[str] = ()
) -> Screened:
    """Mark records on a do-not-call list `DNC` and records whose number the campaign already
    has (in `already`, or earlier in `records`) `DUPLICATE`. `records` come in the campaign's
    list order, so the first list keeps the number."""
    seen = set(already)
    kept: list[CallRecord] = []
    blocked: list[CallRecord] = []
    duplicates: list[CallRecord] = []
    for record in records:
        if dnc.blocks(record.phone):
            record.status = RecordStatus.DNC
            blocked.append(record)
        elif record.phone in seen:
            record.status = RecordStatus.DUPLICATE
            duplicates.append(record)
        else:
            seen.add(record.phone)
            kept.append(record)
    return Screened(kept, blocked, duplicates)

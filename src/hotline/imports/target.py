"""What an import writes into and an export reads from: the `Target` interface, and the
registry where each kind of record plugs in its own (customers here; the dialer's call lists
and WFM's interval history add theirs the same way).

A target declares its fields (the pipeline cleans cells by their types), checks a whole record,
names the identity keys duplicates are found by, folds duplicates by the chosen rule, and
plans and applies a batch against the records it already has. Everything but `plan`, `apply`
and `export` is pure; those three run on the connection the target was built with, inside the
run's transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hotline.imports.errors import UnknownTarget
from hotline.imports.model import FieldSpec, Outcome, Record, Rule

__all__ = [
    "Planned",
    "RecordProblem",
    "Target",
    "TargetContext",
    "TargetFactory",
    "TargetRegistry",
    "combine",
    "is_empty",
]


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A problem with a whole record (not one cell): blamed on `field`'s column."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(slots=True)
class Planned:
    """What one record (a group of duplicate rows folded into one) will do. `write` is the
    target's own instruction for `apply` (None: nothing to write)."""

    outcome: Outcome
    problem: RecordProblem | None = None
    write: Any = None


class Target(Protocol):
    @property
    def name(self) -> str: ...

    def fields(self) -> Sequence[FieldSpec]: ...

    def reasons(self) -> Mapping[str, tuple[str, str]]:
        """The target's own problem codes: code → (en, zh-CN) message."""
        ...

    def check(self, record: Record) -> list[RecordProblem]:
        """Problems of a record whose cells are each clean (e.g. a customer without identity)."""
        ...

    def keys(self, record: Record) -> list[str]:
        """Identity keys: records sharing one are duplicates (empty: never a duplicate)."""
        ...

    def fold(self, kept: Record, later: Record, rule: Rule) -> Record:
        """A later duplicate row folded into the record kept so far."""
        ...

    async def lock(self) -> None:
        """Called once at the start of a commit: serialize this tenant's commits into the
        target (two imports must not both add the same new customer)."""
        ...

    async def plan(self, records: Sequence[Record], rule: Rule) -> list[Planned]:
        """One `Planned` per record, against the records already stored."""
        ...

    async def apply(self, planned: Sequence[Planned]) -> None:
        """Write what `plan` decided, on the run's connection (the caller commits)."""
        ...

    def export(self, batch_size: int) -> AsyncIterator[list[Record]]:
        """Every stored record, as records with this target's field names."""
        ...


@dataclass(frozen=True, slots=True)
class TargetContext:
    """What a target is built with: the tenant, its phone region and zone, the time, who acts,
    and the storage handle the wiring gave (a database connection, opaque here)."""

    tenant_id: str
    region: str
    time_zone: str
    now: float
    actor: str | None
    connection: Any


TargetFactory = Callable[[TargetContext], Awaitable[Target]]


@dataclass(frozen=True, slots=True)
class _Entry:
    label_zh: str
    label_en: str
    factory: TargetFactory


class TargetRegistry:
    """Targets by name. Packages register theirs where the application is wired."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def register(self, name: str, label_zh: str, label_en: str, factory: TargetFactory) -> None:
        if name in self._entries:
            raise ValueError(f"import target {name!r} is registered twice")
        self._entries[name] = _Entry(label_zh, label_en, factory)

    def names(self) -> list[str]:
        return list(self._entries)

    def describe(self) -> list[dict[str, str]]:
        return [
            {"name": n, "label_zh": e.label_zh, "label_en": e.label_en}
            for n, e in self._entries.items()
        ]

    def check(self, name: str) -> None:
        if name not in self._entries:
            raise UnknownTarget(
                f"no import target {name!r} (there are: {', '.join(self._entries)})",
                details={"field": "target", "value": name},
            )

    async def build(self, name: str, context: TargetContext) -> Target:
        self.check(name)
        return await self._entries[name].factory(context)


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def combine(
    fields: Sequence[FieldSpec], base: Record, other: Record, *, other_wins: bool
) -> Record:
    """`base` with `other` laid over it. Lists are united (base's values first). A scalar takes
    `other`'s value when `other_wins` and it has one, or when `base` has none."""
    out = dict(base)
    for spec in fields:
        mine, theirs = base.get(spec.name), other.get(spec.name)
        if is_empty(theirs):
            continue
        if spec.many:
            earlier = list(mine) if isinstance(mine, list) else []
            later = list(theirs) if isinstance(theirs, list) else [theirs]
            out[spec.name] = list(dict.fromkeys([*earlier, *later]))
        elif other_wins or is_empty(mine):
            out[spec.name] = theirs
    return out

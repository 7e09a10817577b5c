"""Customers as an import target: their fields (with the tenant's custom fields), identity by
phone and email, and the rules against stored customers — behind `CustomerRecords`, the one
small port onto CRM storage (so a rebuilt CRM swaps the adapter, not this file)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hotline.imports.model import Choice, FieldSpec, FieldType, Outcome, Record, Rule
from hotline.imports.target import Planned, RecordProblem, combine, is_empty

__all__ = [
    "BUILTIN_FIELDS",
    "CUSTOM_TYPES",
    "CustomFieldDef",
    "CustomerRecords",
    "CustomersTarget",
    "custom_field_spec",
    "identity_keys",
]


@dataclass(frozen=True, slots=True)
class CustomFieldDef:
    """A tenant's own customer field. `choices`: each `value|alias|alias` (`男|male|m`)."""

    key: str
    label_zh: str
    label_en: str
    type: str
    choices: tuple[str, ...] = ()
    required: bool = False


class CustomerRecords(Protocol):
    """What the customer target needs from CRM storage, in the target's record shape:
    `name`, `phones` (E.164, `;ext=` for extensions), `emails`, `vip_level`, `tags`, `notes`,
    and `custom.<key>` for each custom value."""

    async def custom_fields(self) -> list[CustomFieldDef]: ...

    async def lock(self) -> None:
        """Hold the tenant's customer-import lock until the transaction ends."""
        ...

    async def find(self, keys: Sequence[str]) -> dict[str, set[str]]:
        """Identity key (`tel:+86…`, `mailto:…`) → ids of the customers that have it."""
        ...

    async def load(self, ids: Sequence[str]) -> dict[str, Record]: ...

    async def add(self, records: Sequence[Record]) -> None: ...

    async def replace(self, changes: Sequence[tuple[str, Record]]) -> None: ...

    def scan(self, batch_size: int) -> AsyncIterator[list[Record]]: ...


BUILTIN_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "name",
        FieldType.TEXT,
        "客户名称",
        "Name",
        aliases=(
            *("姓名", "名称", "客户", "客户姓名", "联系人"),
            *("customer", "customer name", "full name"),
        ),
        required=True,
        max_length=200,
    ),
    FieldSpec(
        "phones",
        FieldType.PHONE,
        "电话",
        "Phones",
        aliases=(
            *("手机", "手机号", "手机号码", "移动电话", "电话号码", "联系电话"),
            *("固定电话", "座机", "办公电话", "家庭电话"),
            *("mobile", "cell", "phone", "phone number", "telephone", "tel", "landline"),
        ),
        many=True,
    ),
    FieldSpec(
        "emails",
        FieldType.EMAIL,
        "邮箱",
        "Emails",
        aliases=("电子邮箱", "电子邮件", "邮件", "email", "e-mail", "mail", "email address"),
        many=True,
    ),
    FieldSpec(
        "vip_level",
        FieldType.INTEGER,
        "VIP等级",
        "VIP level",
        aliases=("会员等级", "VIP级别", "客户等级", "VIP", "level"),
        minimum=0,
        maximum=9,
    ),
    FieldSpec("tags", FieldType.TAGS, "标签", "Tags", aliases=("tag",), many=True, max_length=32),
    FieldSpec(
        "notes",
        FieldType.TEXT,
        "备注",
        "Notes",
        aliases=("说明", "描述", "note", "remarks", "remark", "comment", "comments"),
        max_length=5000,
    ),
)

CUSTOM_TYPES: dict[str, FieldType] = {
    "text": FieldType.TEXT,
    "number": FieldType.DECIMAL,
    "integer": FieldType.INTEGER,
    "date": FieldType.DATE,
    "choice": FieldType.CHOICE,
    "multi_choice": FieldType.CHOICE,  # several of the choices: a list
    "boolean": FieldType.BOOLEAN,
    "phone": FieldType.PHONE,
    "email": FieldType.EMAIL,
}


def custom_field_spec(definition: CustomFieldDef) -> FieldSpec:
    choices = []
    for entry in definition.choices:
        value, *aliases = [part.strip() for part in entry.split("|")]
        if value:
            choices.append(Choice(value, tuple(a for a in aliases if a)))
    return FieldSpec(
        f"custom.{definition.key}",
        CUSTOM_TYPES.get(definition.type, FieldType.TEXT),
        definition.label_zh,
        definition.label_en,
        required=definition.required,
        many=definition.type == "multi_choice",
        choices=tuple(choices),
        max_length=1000 if definition.type == "text" else None,
    )


def identity_keys(record: Mapping[str, Any]) -> list[str]:
    return [f"tel:{p}" for p in record.get("phones") or []] + [
        f"mailto:{e}" for e in record.get("emails") or []
    ]


def _comparable(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not is_empty(v) and k != "id"}


class CustomersTarget:
    name = "customers"

    def __init__(self, records: CustomerRecords, custom: Sequence[CustomFieldDef] = ()) -> None:
        self.records = records
        self._fields = (*BUILTIN_FIELDS, *(custom_field_spec(d) for d in custom))

    def fields(self) -> Sequence[FieldSpec]:
        return self._fields

    def reasons(self) -> Mapping[str, tuple[str, str]]:
        return {}

    def check(self, record: Record) -> list[RecordProblem]:
        if not record.get("phones") and not record.get("emails"):
            return [RecordProblem("phones", "customer.no_identity")]
        return []

    def keys(self, record: Record) -> list[str]:
        return identity_keys(record)

    def fold(self, kept: Record, later: Record, rule: Rule) -> Record:
        if rule is Rule.SKIP:
            return kept
        kept, later = self._as_stored(kept), self._as_stored(later)
        return combine(self._fields, kept, later, other_wins=rule is Rule.UPDATE)

    @staticmethod
    def _as_stored(record: Record) -> Record:
        # VIP level 0 is "not a VIP", which a merge may fill like an empty field.
        return {**record, "vip_level": record.get("vip_level") or None}

    async def lock(self) -> None:
        await self.records.lock()

    async def plan(self, records: Sequence[Record], rule: Rule) -> list[Planned]:
        keys = [identity_keys(r) for r in records]
        owners = await self.records.find(list(dict.fromkeys(k for ks in keys for k in ks)))
        matches = [set().union(*(owners.get(k, set()) for k in ks)) for ks in keys]
        wanted = list(dict.fromkeys(i for m in matches if len(m) == 1 for i in m))
        current = {i: self._as_stored(r) for i, r in (await self.records.load(wanted)).items()}
        planned = []
        for record, ids in zip(records, matches, strict=True):
            if len(ids) > 1:
                blamed = "phones" if record.get("phones") else "emails"
                problem = RecordProblem(blamed, "duplicate.ambiguous", {"count": len(ids)})
                planned.append(Planned(Outcome.INVALID, problem))
                continue
            if not ids:
                planned.append(Planned(Outcome.NEW, write=("add", record)))
                continue
            (customer_id,) = ids
            if rule is Rule.SKIP:
                planned.append(Planned(Outcome.SKIPPED))
                continue
            before = current[customer_id]
            incoming = self._as_stored(record)
            after = combine(self._fields, before, incoming, other_wins=rule is Rule.UPDATE)
            if _comparable(after) == _comparable(before):
                planned.append(Planned(Outcome.UNCHANGED))
                continue
            current[customer_id] = after  # a later record of this batch builds on it
            outcome = Outcome.UPDATED if rule is Rule.UPDATE else Outcome.MERGED
            planned.append(Planned(outcome, write=("replace", customer_id, after)))
        return planned

    async def apply(self, planned: Sequence[Planned]) -> None:
        added = [p.write[1] for p in planned if p.write and p.write[0] == "add"]
        # The last plan for a customer carries everything the batch folded into it.
        changed = {p.write[1]: p.write[2] for p in planned if p.write and p.write[0] == "replace"}
        if added:
            await self.records.add(added)
        if changed:
            await self.records.replace(list(changed.items()))

    async def export(self, batch_size: int) -> AsyncIterator[list[Record]]:
        async for batch in self.records.scan(batch_size):
            yield batch

"""Which column feeds which field: suggested from header names in zh or en (and a tenant's
saved mappings), checked before a run, saved by header name so the next file with the same
headers maps itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hotline.imports.errors import MappingInvalid
from hotline.imports.headers import Column
from hotline.imports.model import FieldSpec
from hotline.imports.text import normalize_header

__all__ = ["check_mapping", "header_keys", "saved_form", "suggest_mapping", "unmapped_columns"]


def header_keys(column: Column) -> list[str]:
    """Normalized names a column answers to, most specific first: the lowest header row
    (`手机`), the whole header (`联系方式 / 手机`), the top row (`联系方式`)."""
    if not column.parts:
        return []
    keys = [normalize_header(column.parts[-1]), normalize_header(column.label)]
    keys.append(normalize_header(column.parts[0]))
    return list(dict.fromkeys(k for k in keys if k))


def _field_names(spec: FieldSpec) -> list[str]:
    short = spec.name.removeprefix("custom.")
    names = [spec.label_zh, spec.label_en, spec.name, short, *spec.aliases]
    return list(dict.fromkeys(normalize_header(n) for n in names if n))


def suggest_mapping(
    columns: Sequence[Column],
    fields: Sequence[FieldSpec],
    saved: Mapping[str, str] | None = None,
) -> dict[int, str]:
    """column index → field name. A saved mapping (normalized header → field) wins over the
    names; a field that holds one value takes the first column that names it."""
    known = {spec.name: spec for spec in fields}
    by_name: dict[str, str] = {}
    for spec in fields:
        for name in _field_names(spec):
            by_name.setdefault(name, spec.name)
    saved = {normalize_header(k): v for k, v in (saved or {}).items() if v in known or v == ""}
    mapping: dict[int, str] = {}
    decided: set[int] = set()  # mapped, or left unmapped on purpose by a saved mapping
    taken: set[str] = set()
    for pass_ in (saved, by_name):
        for column in columns:
            if column.index in decided:
                continue
            for key in header_keys(column):
                field = pass_.get(key)
                if field is None:
                    continue
                if field == "":
                    decided.add(column.index)
                    break
                if field in taken and not known[field].many:
                    continue
                mapping[column.index] = field
                decided.add(column.index)
                taken.add(field)
                break
    return dict(sorted(mapping.items()))


def check_mapping(
    mapping: Mapping[int, str], columns: Sequence[Column], fields: Sequence[FieldSpec]
) -> None:
    """`MappingInvalid` naming the column or field: an unknown column or field, a one-value
    field fed by two columns, a required field with no column."""
    known = {spec.name: spec for spec in fields}
    width = len(columns)
    seen: dict[str, int] = {}
    for index, field in mapping.items():
        if not 0 <= index < width:
            raise MappingInvalid(
                f"column {index + 1} is not in the file",
                details={"field": "mapping", "column": index},
            )
        spec = known.get(field)
        if spec is None:
            raise MappingInvalid(
                f"column {columns[index].letter}: no field {field!r}",
                details={"field": "mapping", "column": index, "value": field},
            )
        if field in seen and not spec.many:
            raise MappingInvalid(
                f"{spec.label_en} ({spec.label_zh}) is mapped from columns "
                f"{columns[seen[field]].letter} and {columns[index].letter}; it takes one",
                code="import.mapping.twice",
                details={"field": "mapping", "column": index, "value": field},
            )
        seen[field] = index
    for spec in fields:
        if spec.required and spec.name not in seen:
            raise MappingInvalid(
                f"no column is mapped to {spec.label_en} ({spec.label_zh}), which is required",
                code="import.mapping.required",
                details={"field": "mapping", "value": spec.name},
            )


def unmapped_columns(columns: Sequence[Column], mapping: Mapping[int, str]) -> list[Column]:
    return [c for c in columns if c.index not in mapping]


def saved_form(columns: Sequence[Column], mapping: Mapping[int, str]) -> dict[str, str]:
    """The mapping keyed by header name, as a tenant saves it for the next file; a column
    left unmapped is saved as "" (stays unmapped next time)."""
    out: dict[str, str] = {}
    for column in columns:
        keys = header_keys(column)
        if keys:
            out[keys[1] if len(keys) > 1 else keys[0]] = mapping.get(column.index, "")
    return out

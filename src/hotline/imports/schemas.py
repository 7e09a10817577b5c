"""Request bodies of the import API (pydantic: field-named validation errors)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hotline.imports.model import OnErrors, Rule

__all__ = ["ImportOptionsIn", "MappingIn"]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class ImportOptionsIn(BaseModel):
    """Change how the file is read, mapped and written. Omitted fields stay as they are;
    `encoding`, `sheet` and `header_rows` set to null go back to detection."""

    model_config = ConfigDict(extra="forbid")

    encoding: Annotated[str, StringConstraints(max_length=32)] | None = None
    sheet: Annotated[str, StringConstraints(max_length=64)] | None = None
    header_rows: int | None = Field(None, ge=1, le=5)
    mapping: dict[int, str] | None = None  # column index → field name; "" leaves it unmapped
    mapping_name: Name | None = None  # apply a saved mapping
    save_mapping_as: Name | None = None  # save this import's mapping under a name
    rule: Rule | None = None
    on_errors: OnErrors | None = None


class MappingIn(BaseModel):
    """A saved mapping: header name → field name."""

    model_config = ConfigDict(extra="forbid")

    target: Name = "customers"
    name: Name
    columns: dict[Annotated[str, StringConstraints(max_length=200)], str]

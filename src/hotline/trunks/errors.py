"""Errors of the stored trunks: a value refused (naming its field, with a message template the
UI says in the user's language), a name taken, a trunk that is not the tenant's."""

from __future__ import annotations

from typing import Any

from hotline.errors import Conflict, HotlineError, InvalidInput, NotFound

__all__ = ["TrunkError", "TrunkInvalid", "TrunkNameTaken", "TrunkNotFound"]


class TrunkError(HotlineError):
    code = "trunk.error"


class TrunkInvalid(TrunkError, InvalidInput):
    """`field` is the form's field; `template` the sentence (a catalog message id)."""

    code = "trunk.invalid"

    def __init__(self, field: str, template: str, **params: Any) -> None:
        super().__init__(
            f"{field}: " + (template % params if params else template),
            details={"field": field, "template": template, "params": params},
        )
        self.field = field


class TrunkNameTaken(TrunkError, Conflict):
    code = "trunk.name.taken"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"a trunk is already called {name!r}", details={"field": "name", "value": name}
        )


class TrunkNotFound(TrunkError, NotFound):
    code = "trunk.not_found"

    def __init__(self, trunk_id: str) -> None:
        super().__init__(f"no trunk {trunk_id}", details={"id": trunk_id})

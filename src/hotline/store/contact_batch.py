"""The rows a batch of records moves in the contact projections, held in memory (ADR 0199).

`load` reads, in one statement per table, every row the batch's records can touch: the
contacts they name (and the missed contacts their callbacks answer), those contacts' work
items and agent segments, and the work items and segments of every work id they name. The
handlers (`contact_records.py`, `work_records.py`) then read and change these rows without a
statement of their own, and `flush` writes what changed: one multi-row insert and one
executemany update per table. The result is the same as one statement per record and handler
because a record can only look at rows of the contacts and work ids the batch names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Update

from hotline.events import EventRecord
from hotline.store.tables import agent_segments, interactions, work_items, worklist

__all__ = ["ContactBatch", "Row"]

_CHUNK = 500  # values in one IN (…) list
_TABLES = (interactions, work_items, agent_segments, worklist)  # the order rows are written in


class Row(dict[str, Any]):
    """One projected row; columns read as attributes, as a database row's do."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _updater(table: Table) -> Update:
    """One UPDATE of every column of a row by its key, for executemany (cached compiled)."""
    keys = {c.name for c in table.primary_key.columns}
    return (
        update(table)
        .where(and_(*(table.c[k] == bindparam(f"k_{k}") for k in sorted(keys))))
        .values({c.name: bindparam(f"v_{c.name}") for c in table.columns if c.name not in keys})
    )


_UPDATES = {table.name: _updater(table) for table in _TABLES}


class _Rows:
    """The loaded and new rows of one table, by primary key, and which of them changed."""

    def __init__(self, table: Table, indexed: tuple[str, ...] = ()) -> None:
        self.table = table
        self.rows: dict[tuple[Any, ...], Row] = {}
        # column → value → rows with it (columns the handlers never change)
        self._index: dict[str, dict[Any, list[Row]]] = {name: {} for name in indexed}
        self.new: set[tuple[Any, ...]] = set()
        self.changed: set[tuple[Any, ...]] = set()

    def merge(self, found: Iterable[Any]) -> None:
        for r in found:
            row = Row(r._mapping)
            key = _key(self.table, row)
            if key not in self.rows:
                self.rows[key] = row
                self._indexed(row)

    def _indexed(self, row: Row) -> None:
        for name, index in self._index.items():
            index.setdefault(row[name], []).append(row)

    def add(self, values: dict[str, Any]) -> Row:
        row = Row({c.name: None for c in self.table.columns})
        row.update(values)
        key = _key(self.table, row)
        if key in self.rows:  # as the database would refuse it
            raise ValueError(f"{self.table.name}: a row with key {key} exists")
        self.rows[key] = row
        self._indexed(row)
        self.new.add(key)
        return row

    def set(self, row: Row, values: dict[str, Any]) -> None:
        row.update(values)
        self.changed.add(_key(self.table, row))

    def get(self, *key: Any) -> Row | None:
        return self.rows.get(key)

    def by(self, column: str, value: Any) -> list[Row]:
        """The rows whose `column` (an indexed one) is `value`."""
        return self._index[column].get(value, [])

    async def flush(self, conn: AsyncConnection) -> int:
        """Write the new rows and the changed ones; the statements run."""
        statements = 0
        if self.new:
            await conn.execute(insert(self.table), [dict(self.rows[k]) for k in sorted(self.new)])
            statements += 1
        changed = sorted(self.changed - self.new)
        if changed:
            keys = {c.name for c in self.table.primary_key.columns}
            params = [
                {(f"k_{n}" if n in keys else f"v_{n}"): v for n, v in self.rows[k].items()}
                for k in changed
            ]
            await conn.execute(_UPDATES[self.table.name], params)
            statements += 1
        self.new.clear()
        self.changed.clear()
        return statements


class ContactBatch:
    """The contact projections' rows of one tenant that one batch of records touches."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.contacts = _Rows(interactions)
        self.work = _Rows(work_items, ("interaction_id", "work_id"))
        self.segments = _Rows(agent_segments, ("interaction_id", "work_id"))
        self.missed = _Rows(worklist)

    async def load(self, conn: AsyncConnection, records: Iterable[EventRecord]) -> None:
        contact_ids: set[str] = set()
        work_ids: set[str] = set()
        for r in records:
            if not r.interaction_id:
                continue
            contact_ids.add(str(r.interaction_id))
            work_ids.add(str(r.interaction_id))  # version 1's work id, and the default one
            p = r.payload
            for name in ("work_id", "to_work_id"):
                if p.get(name):
                    work_ids.add(str(p[name]))
            if p.get("related_interaction_id"):
                contact_ids.add(str(p["related_interaction_id"]))
        t = self.tenant_id
        await self._load_contacts(conn, contact_ids)
        # the missed contacts that callbacks made earlier answer (their worklist rows)
        related = {
            str(c.related_interaction_id) for c in self.contacts.rows.values()
            if c.related_interaction_id
        } - contact_ids  # fmt: skip
        await self._load_contacts(conn, related)
        for rows, table in ((self.work, work_items), (self.segments, agent_segments)):
            by_column = ((table.c.interaction_id, contact_ids), (table.c.work_id, work_ids))
            for column, values in by_column:
                for ids in _chunks(values):
                    rows.merge(
                        await conn.execute(
                            select(table).where(table.c.tenant_id == t, column.in_(ids))
                        )
                    )

    async def _load_contacts(self, conn: AsyncConnection, ids: set[str]) -> None:
        for chunk in _chunks(ids):
            self.contacts.merge(
                await conn.execute(
                    select(interactions).where(
                        interactions.c.tenant_id == self.tenant_id, interactions.c.id.in_(chunk)
                    )
                )
            )
            self.missed.merge(
                await conn.execute(
                    select(worklist).where(
                        worklist.c.tenant_id == self.tenant_id,
                        worklist.c.interaction_id.in_(chunk),
                    )
                )
            )

    async def flush(self, conn: AsyncConnection) -> int:
        """Write what the batch changed, table by table; the statements run."""
        statements = 0
        for rows in (self.contacts, self.work, self.segments, self.missed):
            statements += await rows.flush(conn)
        return statements


def _chunks(values: set[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]

"""One run of an import: read and clean every row into the staging file (a worker thread),
then fold duplicates and plan each record against what is stored — and, when committing, apply
it on the caller's connection inside one transaction.

    staged = stage_rows(table, target, mapping, cleaner, staging, progress, cancel)   # thread
    counts, problems = await plan_groups(staging, target, rule, commit=..., ...)

The caller owns the transaction: a dry run plans on a read-only unit of work; a commit plans
and applies batch by batch inside one, then commits it — so a failure, a cancel or `kill -9`
at any point leaves the tables as they were.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotline.imports.cleaning import Cleaner, CleanProblem
from hotline.imports.headers import Column
from hotline.imports.model import Counts, FieldSpec, Outcome, Problem, Record, Rule
from hotline.imports.progress import CancelToken, Phase, Progress
from hotline.imports.readers import Table
from hotline.imports.staging import Group, Staging
from hotline.imports.target import RecordProblem, Target
from hotline.imports.text import cell_text

__all__ = ["BATCH", "blame", "fold_group", "plan_groups", "stage_rows"]

BATCH = 1000
_VALUE_SHOWN = 200  # characters of a bad value kept in the report


@dataclass(frozen=True, slots=True)
class _Mapped:
    index: int
    column: str
    spec: FieldSpec


def _column_name(column: Column) -> str:
    return column.label or column.letter


def blame(
    problem: RecordProblem, row: int, mapping: Mapping[int, str], columns: Sequence[Column]
) -> Problem:
    """A record-level problem as a report line, on the first column of its field."""
    for index, field in sorted(mapping.items()):
        if field == problem.field:
            return Problem(row, _column_name(columns[index]), "", problem.code, problem.params)
    return Problem(row, problem.field, "", problem.code, problem.params)


def stage_rows(
    table: Table,
    target: Target,
    mapping: Mapping[int, str],
    cleaner: Cleaner,
    staging: Staging,
    progress: Progress,
    cancel: CancelToken,
    *,
    batch_size: int = BATCH,
) -> Counts:
    """Clean every data row; valid rows go to the staging file with their identity keys, the
    others' problems to its report. Returns rows, invalid and problems counted. Synchronous:
    run it in a worker thread."""
    specs = {spec.name: spec for spec in target.fields()}
    columns = table.layout.columns
    mapped = [_Mapped(i, _column_name(columns[i]), specs[f]) for i, f in sorted(mapping.items())]
    required = [spec for spec in specs.values() if spec.required]
    mapped_columns: dict[str, set[str]] = {}
    for m in mapped:
        mapped_columns.setdefault(m.spec.name, set()).add(m.column)
    counts = Counts()
    progress.start(Phase.READING)
    batch: list[tuple[int, Record, list[str]]] = []
    problems: list[Problem] = []
    pending = 0
    for row, cells in table.rows():
        counts.rows += 1
        record: Record = {}
        found: list[Problem] = []
        for m in mapped:
            value = cells[m.index]
            try:
                clean = cleaner.clean(m.spec, value)
            except CleanProblem as problem:
                shown = cell_text(value)[:_VALUE_SHOWN]
                found.append(Problem(row, m.column, shown, problem.code, problem.params))
                continue
            if clean is None:
                continue
            if m.spec.many:
                record[m.spec.name] = list(dict.fromkeys([*record.get(m.spec.name, []), *clean]))
            else:
                record[m.spec.name] = clean
        for spec in required:
            blamed = {p.column for p in found}
            if spec.name not in record and not blamed & mapped_columns.get(spec.name, set()):
                missing = RecordProblem(spec.name, "value.required")
                found.append(blame(missing, row, mapping, columns))
        if not found:
            found = [blame(p, row, mapping, columns) for p in target.check(record)]
        if found:
            counts.invalid += 1
            counts.problems += len(found)
            problems.extend(found)
        else:
            batch.append((row, record, target.keys(record)))
        pending += 1
        if pending >= batch_size:
            cancel.check()
            staging.add(batch)
            staging.add_problems(problems)
            progress.advance(pending, table.fraction())
            batch, problems, pending = [], [], 0
    cancel.check()
    staging.add(batch)
    staging.add_problems(problems)
    progress.advance(pending, 1.0)
    return counts


def fold_group(target: Target, group: Group, rule: Rule) -> Record:
    record = group.records[0]
    for later in group.records[1:]:
        record = target.fold(record, later, rule)
    return record


async def plan_groups(
    staging: Staging,
    target: Target,
    rule: Rule,
    *,
    commit: bool,
    progress: Progress,
    cancel: CancelToken,
    mapping: Mapping[int, str],
    columns: Sequence[Column],
    batch_size: int = BATCH,
) -> tuple[Counts, list[Problem]]:
    """Fold each group of duplicates, plan it against the stored records and, when
    committing, apply each batch on the target's connection. Returns the outcome counts
    (new, updated, merged, unchanged, skipped, invalid, duplicates) and the records' problems
    (e.g. matching several stored records), one per row of the group."""
    counts = Counts()
    problems: list[Problem] = []
    progress.start(Phase.WRITING if commit else Phase.MATCHING, total=staging.groups)
    groups_iter = staging.iter_groups(batch_size)
    while True:
        cancel.check()
        # Reading and folding a batch is CPU work: off the event loop.
        groups = await asyncio.to_thread(next, groups_iter, None)
        if groups is None:
            break
        records = [fold_group(target, g, rule) for g in groups]
        planned = await target.plan(records, rule)
        for group, plan in zip(groups, planned, strict=True):
            if plan.outcome is Outcome.INVALID:
                counts.add(plan.outcome, len(group.rows))
            else:
                counts.add(plan.outcome)
                counts.duplicates += len(group.rows) - 1
            if plan.problem is not None:
                for row in group.rows:
                    problems.append(blame(plan.problem, row, mapping, columns))
        counts.problems = len(problems)
        if commit:
            cancel.check()
            await target.apply(planned)
        progress.advance(len(groups))
    return counts, problems

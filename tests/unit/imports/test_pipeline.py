"""The pipeline without a database: staging groups duplicates (chains too, across batches),
the rules fold them, plans against stored records, counts, problems, cancel, progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.clock import FakeClock
from hotline.imports.cleaning import Cleaner
from hotline.imports.customers import CustomersTarget
from hotline.imports.errors import ImportCancelled
from hotline.imports.model import (
    Counts,
    ImportStatus,
    Outcome,
    Problem,
    Rule,
    transition,
)
from hotline.imports.pipeline import plan_groups, stage_rows
from hotline.imports.progress import CancelToken, Phase, Progress
from hotline.imports.readers import open_table
from hotline.imports.reasons import REASONS, reason
from hotline.imports.staging import Staging
from tests.unit.imports.fakes import InMemoryCustomerRecords

CSV = """姓名,手机,邮箱,VIP等级,标签,备注
王芳,13800138000,wf@example.com,,老客户,
李强,13900139000,,3,,
王芳（重复）,+86 138-0013-8000,,5,VIP,补充
刘洋,010-6552 9904,liu@example.com,,,
刘洋2,,LIU@EXAMPLE.COM,,,
坏号码,12345,,,,
,13700137000,,,,
无身份,,,,,
"""
MAPPING = {0: "name", 1: "phones", 2: "emails", 3: "vip_level", 4: "tags", 5: "notes"}


def test_staging_groups_chains_across_batches(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "s.db")
    staging.add([(2, {"n": 2}, ["tel:a"]), (3, {"n": 3}, ["mailto:x"])])
    staging.add([(4, {"n": 4}, ["tel:b"]), (5, {"n": 5}, ["tel:b", "mailto:x"])])
    staging.add([(6, {"n": 6}, ["tel:a", "tel:b"]), (7, {"n": 7}, [])])
    groups = [g for batch in staging.iter_groups(10) for g in batch]
    assert [g.rows for g in groups] == [(2, 3, 4, 5, 6), (7,)]
    assert staging.groups == 2
    assert staging.rows == 6
    staging.close()


def test_a_sealed_pass_is_reused_only_with_the_same_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    staging = Staging(path)
    staging.add([(2, {"n": 2}, ["tel:a"])])
    staging.add_problems([Problem(3, "手机", "1", "phone.invalid")])
    assert not path.exists()  # written beside it until sealed
    staging.seal("fp-1", Counts(rows=2, invalid=1, problems=1).as_dict())
    staging.close(delete=False)
    assert Staging.reuse(path, "fp-2") is None
    again = Staging.reuse(path, "fp-1")
    assert again is not None
    assert again.sealed is not None
    assert Counts.from_dict(again.sealed).invalid == 1
    assert [p.code for batch in again.iter_problems(10) for p in batch] == ["phone.invalid"]
    again.close()
    assert not path.exists()


async def _run(
    tmp_path: Path, rule: Rule, store: InMemoryCustomerRecords, *, commit: bool
) -> tuple[Counts, list[Problem], Counts]:
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    table = open_table(path)
    target = CustomersTarget(store)
    clock = FakeClock()
    staging = Staging(tmp_path / "s.db")
    progress = Progress(clock.monotonic)
    staged = stage_rows(
        table, target, MAPPING, Cleaner(), staging, progress, CancelToken(), batch_size=2
    )
    table.close()
    staged_problems = [p for batch in staging.iter_problems(100) for p in batch]
    counts, problems = await plan_groups(
        staging, target, rule, commit=commit, progress=progress, cancel=CancelToken(),
        mapping=MAPPING, columns=table.layout.columns, batch_size=2,
    )  # fmt: skip
    staging.close()
    return staged, staged_problems + problems, counts


async def test_merge_folds_duplicates_in_the_file_and_reports_bad_rows(tmp_path: Path) -> None:
    store = InMemoryCustomerRecords()
    staged, problems, counts = await _run(tmp_path, Rule.MERGE, store, commit=True)
    assert staged.rows == 8
    assert staged.invalid == 3
    assert [(p.row, p.column, p.value, p.code) for p in problems] == [
        (7, "手机", "12345", "phone.invalid"),
        (8, "姓名", "", "value.required"),
        (9, "手机", "", "customer.no_identity"),
    ]
    assert (counts.new, counts.duplicates) == (3, 2)
    by_name = {r["name"]: r for r in store.stored.values()}
    assert by_name["王芳"]["phones"] == ["+8613800138000"]
    assert by_name["王芳"]["vip_level"] == 5  # filled from the duplicate
    assert by_name["王芳"]["tags"] == ["老客户", "VIP"]
    assert by_name["王芳"]["notes"] == "补充"
    assert by_name["刘洋"]["emails"] == ["liu@example.com"]
    assert store.locks == 0  # the runner locks; the pipeline does not


async def test_update_lets_the_later_row_win_and_skip_keeps_the_first(tmp_path: Path) -> None:
    store = InMemoryCustomerRecords()
    await _run(tmp_path, Rule.UPDATE, store, commit=True)
    assert {r["name"] for r in store.stored.values()} == {"王芳（重复）", "李强", "刘洋2"}
    store = InMemoryCustomerRecords()
    await _run(tmp_path, Rule.SKIP, store, commit=True)
    wang = next(r for r in store.stored.values() if r["name"] == "王芳")
    assert wang["tags"] == ["老客户"]
    assert wang.get("vip_level") in (None, 0)


async def test_against_stored_records_each_rule(tmp_path: Path) -> None:
    def stored() -> InMemoryCustomerRecords:
        store = InMemoryCustomerRecords()
        store.put({"name": "王芳（老）", "phones": ["+8613800138000"], "emails": [], "notes": "旧"})
        store.put({"name": "刘洋", "phones": ["+861065529904"], "emails": ["liu@example.com"],
                   "vip_level": 0, "tags": [], "notes": None})  # fmt: skip
        return store

    store = stored()
    _, _, counts = await _run(tmp_path, Rule.MERGE, store, commit=True)
    assert (counts.new, counts.merged, counts.unchanged) == (1, 1, 1)
    wang = store.stored["c0001"]
    assert wang["name"] == "王芳（老）"
    assert wang["notes"] == "旧"
    assert wang["vip_level"] == 5
    store = stored()
    _, _, counts = await _run(tmp_path, Rule.UPDATE, store, commit=True)
    assert counts.updated == 2
    assert store.stored["c0001"]["name"] == "王芳（重复）"
    assert store.stored["c0002"]["name"] == "刘洋2"
    store = stored()
    _, _, counts = await _run(tmp_path, Rule.SKIP, store, commit=True)
    assert (counts.new, counts.skipped) == (1, 2)
    assert store.stored["c0001"]["name"] == "王芳（老）"


async def test_a_dry_run_writes_nothing_and_ambiguous_matches_are_reported(tmp_path: Path) -> None:
    store = InMemoryCustomerRecords()
    store.put({"name": "甲", "phones": ["+8613800138000"], "emails": []})
    store.put({"name": "乙", "phones": [], "emails": ["wf@example.com"]})
    _, problems, counts = await _run(tmp_path, Rule.MERGE, store, commit=False)
    assert len(store.stored) == 2
    ambiguous = [p for p in problems if p.code == "duplicate.ambiguous"]
    assert [(p.row, p.params) for p in ambiguous] == [(2, {"count": 2}), (4, {"count": 2})]
    assert counts.invalid == 2  # both rows of the group


def test_cancel_stops_between_batches(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(CSV, encoding="utf-8")
    table = open_table(path)
    cancel = CancelToken()
    cancel.also = lambda: True  # e.g. the job host asked
    with pytest.raises(ImportCancelled):
        stage_rows(
            table, CustomersTarget(InMemoryCustomerRecords()), MAPPING, Cleaner(),
            Staging(tmp_path / "s.db"), Progress(FakeClock().monotonic), cancel, batch_size=2,
        )  # fmt: skip
    table.close()


def test_progress_percent_rate_and_eta() -> None:
    clock = FakeClock()
    progress = Progress(clock.monotonic, kind="commit")
    progress.start(Phase.READING)
    clock.advance(2.0)
    progress.advance(1000, 0.25)
    snap = progress.snapshot()
    assert snap["phase"] == "reading"
    assert snap["phase_percent"] == 25.0
    assert snap["percent"] == 12.5  # reading is the first half of a commit
    assert snap["rows_per_s"] == 500.0
    assert snap["eta_s"] == 6.0
    progress.start(Phase.WRITING, total=4000)
    clock.advance(1.0)
    progress.advance(2000)
    assert progress.snapshot()["percent"] == 75.0
    progress.finish()
    assert progress.snapshot()["percent"] == 100.0


def test_status_transitions_are_a_table() -> None:
    assert transition(ImportStatus.UPLOADED, "check") is ImportStatus.CHECKING
    assert transition(ImportStatus.CHECKED, "commit") is ImportStatus.IMPORTING
    assert transition(ImportStatus.IMPORTING, "finish") is ImportStatus.DONE
    with pytest.raises(Exception, match="no transition from 'done' on 'commit'"):
        transition(ImportStatus.DONE, "commit")
    with pytest.raises(Exception, match="importing"):
        transition(ImportStatus.IMPORTING, "edit")


def test_every_reason_reads_in_both_languages() -> None:
    codes = {
        "phone.invalid", "phone.no_area_code", "phone.shortened", "email.invalid",
        "date.invalid", "date.impossible", "integer.invalid", "number.invalid", "number.range",
        "choice.unknown", "boolean.invalid", "text.too_long", "value.required",
        "customer.no_identity", "duplicate.ambiguous",
    }  # fmt: skip
    assert codes <= set(REASONS)
    for code, (en, zh) in REASONS.items():
        assert en, code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), code
    assert reason("number.range", {"min": "0", "max": "9"}, "zh-CN") == "须在 0 到 9 之间"
    assert reason("number.range", {"min": "0", "max": "9"}, "en") == "must be between 0 and 9"
    assert reason("x.unknown", {}, "en") == "x.unknown"
    assert Outcome.NEW.value == "new"

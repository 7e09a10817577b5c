"""The customer import end to end on both databases, with a file of every dirty and bad class
(tests/imports_data.py): the dry run's counts and report, the commit, the rules, re-runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.imports_data import build, write_csv, write_xlsx
from tests.integration.imports.conftest import Env, as_customer


@pytest.mark.parametrize("kind", ["xlsx", "gbk", "utf-8-sig"])
async def test_dry_run_reports_exactly_the_planted_rows_and_commit_merges(
    env: Env, tmp_path: Path, kind: str
) -> None:
    data = build(600, bad=44, duplicates=30, existing=10, typed=kind == "xlsx")
    path = tmp_path / ("customers.xlsx" if kind == "xlsx" else "customers.csv")
    if kind == "xlsx":
        write_xlsx(data, path)
    else:
        write_csv(data, path, encoding=kind)
    await env.store_customers(data.existing)
    row = await env.upload(path)
    assert row["header_row_numbers"] == [2, 3]
    assert [c["label"] for c in row["columns"]][:3] == [
        "客户名称",
        "联系方式 / 手机",
        "联系方式 / 座机",
    ]
    assert row["mapping"] == {
        "0": "name",
        "1": "phones",
        "2": "phones",
        "3": "emails",
        "4": "vip_level",
        "5": "custom.birthday",
        "6": "custom.gender",
        "7": "tags",
        "8": "notes",
    }
    if kind != "xlsx":
        assert row["detected_encoding"] == {"gbk": "gb18030", "utf-8-sig": "utf-8-sig"}[kind]

    checked = await env.run(row["id"], "check")
    expected = data.expected_counts()
    assert checked.as_dict() == expected
    reported = {(p["row"], p["code"], p["column"]) for p in await env.problems(row["id"])}
    assert reported == {(r, code, column) for r, (code, column) in data.bad.items()}
    assert len(await env.customers()) == len(data.existing)  # a dry run writes nothing

    done = await env.run(row["id"], "commit")
    assert done.as_dict() == expected
    stored = await env.customers()
    assert {k: as_customer(v) for k, v in stored.items()} == {
        k: c.comparable() for k, c in data.customers.items()
    }
    assert (await env.get(row["id"]))["status"] == "done"


async def test_update_and_skip_against_stored_customers_and_the_same_file_again(
    env: Env, tmp_path: Path
) -> None:
    from tests.imports_data import Customer

    await env.store_customers(
        [Customer("王芳（老）", ["+8613800138000"], ["old@example.com"], None, ["老客户"])]
    )
    path = tmp_path / "c.csv"
    path.write_text(
        "姓名,手机,邮箱,VIP等级,标签\n"
        "王芳,+86 138-0013-8000,wf@example.com,5,\n"
        "王芳二,１３８００１３８０００,,,VIP\n"
        "李强,13900139000,,,\n",
        encoding="utf-8",
    )
    row = await env.upload(path, rule="update")
    counts = await env.run(row["id"], "commit")
    assert (counts.updated, counts.new, counts.duplicates) == (1, 1, 1)
    wang = (await env.customers())["+8613800138000"]
    assert wang["name"] == "王芳二"  # the later row wins under update
    assert wang["emails"] == ["old@example.com", "wf@example.com"]
    assert wang["vip_level"] == 5
    assert wang["tags"] == ["老客户", "VIP"]

    again = await env.upload(path, rule="update")
    rerun = await env.run(again["id"], "commit")
    assert (rerun.new, rerun.updated, rerun.unchanged) == (0, 0, 2)

    skip = await env.upload(path, rule="skip")
    skipped = await env.run(skip["id"], "commit")
    assert (skipped.new, skipped.skipped) == (0, 2)
    assert (await env.customers())["+8613800138000"] == wang

"""Import throughput and memory: rows/s and peak RSS of the customer import — the dry run
(read, clean, dedupe, compare) and the commit (write, in one transaction) — for 100k and 1M
rows, against a plain `csv` read of the same file in the same run (the baseline: decoding and
splitting, nothing else). Each measurement runs in its own process, so its peak RSS is its own.

    .venv/bin/python bench/import.py [--sizes 100000,1000000] [--pg postgresql+asyncpg://…/SCRATCH]
    .venv/bin/python bench/import.py --acceptance [--pg URL]

The files are customer lists from tests/imports_data.py (GBK CSV: two-row merged header, 1 %
bad rows of every class, 2 % duplicates in another notation). `--acceptance` runs the issue's
acceptance at 100,000 rows: XLSX and GBK CSV, on SQLite (and PostgreSQL with --pg): exactly the
planted rows reported with the right reasons and columns, every stored customer as expected
(duplicates merged), then the same file again changes nothing. --pg migrates and empties the
database it is given: use a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Hotline and the test helpers are imported where they are used: the baseline child must not
# pay their memory.


def peak_mb() -> float:
    """This process's peak RSS. Linux keeps `ru_maxrss` across exec (a child would start with
    the parent's peak), so read the high-water mark of this process's own memory."""
    try:
        for text in Path("/proc/self/status").read_text().splitlines():
            if text.startswith("VmHWM:"):
                return int(text.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- what each child process measures ---------------------------------------------------------


def child_baseline(path: Path, encoding: str) -> dict[str, Any]:
    loaded = peak_mb()
    start = time.perf_counter()
    with path.open(encoding=encoding, newline="") as f:
        rows = sum(1 for _ in csv.reader(f))
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_mb(), "loaded_mb": loaded}


def child_xlsx_baseline(path: Path) -> dict[str, Any]:
    import openpyxl

    loaded = peak_mb()
    start = time.perf_counter()
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.active
    sheet.reset_dimensions()
    rows = sum(1 for _ in sheet.iter_rows(values_only=True))
    book.close()
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_mb(), "loaded_mb": loaded}


async def _fresh(url: str) -> None:
    from tests import dbs

    from hotline.store.engine import create_engine, is_sqlite
    from hotline.store.migrate import migrate

    engine = create_engine(url)
    await migrate(engine)
    if not is_sqlite(url):
        await dbs.truncate_all(engine)
    await engine.dispose()


async def child_import(path: Path, url: str, work: Path) -> dict[str, Any]:
    """Upload, dry run, commit; the seconds of each and this process's peak RSS."""
    from tests.integration.imports.conftest import open_env

    await _fresh(url)
    loaded = peak_mb()
    async with open_env(url, work, batch_size=1000) as env:
        start = time.perf_counter()
        row = await env.upload(path)
        uploaded = time.perf_counter() - start
        start = time.perf_counter()
        checked = await env.run(row["id"], "check")
        check_s = time.perf_counter() - start
        start = time.perf_counter()
        done = await env.run(row["id"], "commit")
        commit_s = time.perf_counter() - start
        return {
            "rows": checked.rows,
            "upload_s": uploaded,
            "check_s": check_s,
            "commit_s": commit_s,
            "new": done.new,
            "peak_mb": peak_mb(),
            "loaded_mb": loaded,
        }


async def child_acceptance(kind: str, url: str, work: Path) -> dict[str, Any]:
    """The issue's acceptance at 100,000 rows on one file kind and one database."""
    from tests.imports_data import build, write_csv, write_xlsx
    from tests.integration.imports.conftest import as_customer, open_env

    data = build(100_000, bad=1000, duplicates=2000, existing=500, typed=kind == "xlsx")
    path = work / ("customers.xlsx" if kind == "xlsx" else "customers.csv")
    await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
    if kind == "xlsx":
        write_xlsx(data, path)
    else:
        write_csv(data, path, encoding="gbk")
    await _fresh(url)
    failures: list[str] = []
    async with open_env(url, work / "imports", batch_size=1000) as env:
        await env.store_customers(data.existing)
        row = await env.upload(path)
        start = time.perf_counter()
        checked = await env.run(row["id"], "check")
        check_s = time.perf_counter() - start
        expected = data.expected_counts()
        if checked.as_dict() != expected:
            failures.append(f"dry run counts {checked.as_dict()} != {expected}")
        reported = {(p["row"], p["code"], p["column"]) for p in await env.problems(row["id"])}
        planted = {(r, code, column) for r, (code, column) in data.bad.items()}
        if reported != planted:
            failures.append(
                f"report: {len(reported - planted)} unexpected, {len(planted - reported)} missing"
            )
        start = time.perf_counter()
        done = await env.run(row["id"], "commit")
        commit_s = time.perf_counter() - start
        if done.as_dict() != expected:
            failures.append(f"commit counts {done.as_dict()} != {expected}")
        stored = {k: as_customer(v) for k, v in (await env.customers()).items()}
        wanted = {k: c.comparable() for k, c in data.customers.items()}
        if stored != wanted:
            wrong = [k for k in wanted if stored.get(k) != wanted[k]][:3]
            failures.append(f"{len(set(stored) ^ set(wanted))} customers differ, e.g. {wrong}")
        again = await env.upload(path)
        rerun = await env.run(again["id"], "commit")
        if rerun.new or rerun.updated or rerun.merged:
            failures.append(f"the same file again changed something: {rerun.as_dict()}")
    return {
        "kind": kind,
        "rows": checked.rows,
        "bad": len(data.bad),
        "check_s": check_s,
        "commit_s": commit_s,
        "failures": failures,
        "peak_mb": peak_mb(),
    }


def child(argv: list[str]) -> None:
    what = argv[0]
    if what == "baseline":
        result = child_baseline(Path(argv[1]), argv[2])
    elif what == "xlsx-baseline":
        result = child_xlsx_baseline(Path(argv[1]))
    elif what == "import":
        result = asyncio.run(child_import(Path(argv[1]), argv[2], Path(argv[3])))
    else:
        result = asyncio.run(child_acceptance(argv[1], argv[2], Path(argv[3])))
    print(json.dumps(result))


# -- the parent: files, children, the table -------------------------------------------------


def run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{out.stdout}\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def line(rows: int, what: str, seconds: float, result: dict[str, Any], base: float | None) -> str:
    rate = rows / seconds if seconds else 0.0
    ratio = f"{seconds / base:6.1f}×" if base else "     –"
    peak, loaded = result["peak_mb"], result["loaded_mb"]
    return (
        f"{rows:>9,}  {what:<46} {seconds:8.2f} s {rate:>10,.0f} rows/s "
        f"{peak:6.0f} MB (+{peak - loaded:4.0f})  {ratio}"
    )


def throughput(sizes: list[int], databases: list[tuple[str, Any]], tmp: Path) -> None:
    from tests.imports_data import build, write_csv, write_xlsx

    print(
        f"{'rows':>9}  {'what':<46} {'time':>10} {'rate':>17} "
        f"{'peak RSS (+work)':>17}  time vs baseline"
    )
    for size in sizes:
        data = build(size, bad=size // 100, duplicates=size // 50, typed=False)
        path = tmp / f"customers-{size}.csv"
        write_csv(data, path, encoding="gbk")
        base = run_child("baseline", str(path), "gbk")
        what = "csv.reader of the same GBK file (baseline)"
        print(line(size, what, base["seconds"], base, None))
        for name, url in databases:
            target = url(size) if callable(url) else url
            result = run_child("import", str(path), target, str(tmp / f"w-{name}-{size}"))
            what = f"dry run: read, clean, dedupe, compare ({name})"
            print(line(size, what, result["check_s"], result, base["seconds"]))
            what = f"commit: write in one transaction ({name})"
            print(line(size, what, result["commit_s"], result, base["seconds"]))
        path.unlink()
    if 100_000 in sizes:
        data = build(100_000, bad=1000, duplicates=2000)
        path = tmp / "customers-100000.xlsx"
        write_xlsx(data, path)
        base = run_child("xlsx-baseline", str(path))
        what = "openpyxl read-only rows of the XLSX (baseline)"
        print(line(100_000, what, base["seconds"], base, None))
        name, url = databases[0]
        target = url(0) if callable(url) else url
        result = run_child("import", str(path), target, str(tmp / "w-xlsx"))
        print(line(100_000, f"XLSX dry run ({name})", result["check_s"], result, base["seconds"]))
        print(line(100_000, f"XLSX commit ({name})", result["commit_s"], result, base["seconds"]))


def acceptance(databases: list[tuple[str, Any]], tmp: Path) -> bool:
    ok = True
    for name, url in databases:
        for kind in ("xlsx", "gbk"):
            target = url(0) if callable(url) else url
            result = run_child("acceptance", kind, target, str(tmp / f"a-{name}-{kind}"))
            verdict = "PASS" if not result["failures"] else "FAIL " + "; ".join(result["failures"])
            print(
                f"acceptance {kind:>4} on {name:<10} {result['rows']:,} rows, "
                f"{result['bad']} planted bad: dry run {result['check_s']:.1f} s, "
                f"commit {result['commit_s']:.1f} s, peak {result['peak_mb']:.0f} MB — {verdict}"
            )
            ok = ok and not result["failures"]
    return ok


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--pg", help="a scratch PostgreSQL database (postgresql+asyncpg://…)")
    parser.add_argument("--acceptance", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotline-bench-import-") as folder:
        tmp = Path(folder)
        databases: list[tuple[str, Any]] = [
            (
                "SQLite",
                lambda size, tmp=tmp: (
                    f"sqlite+aiosqlite:///{tmp}/bench-{size}-{time.monotonic_ns()}.db"
                ),
            )
        ]
        if args.pg:
            databases.append(("PostgreSQL", args.pg))
        if args.acceptance:
            sys.exit(0 if acceptance(databases, tmp) else 1)
        throughput([int(s) for s in args.sizes.split(",")], databases, tmp)


if __name__ == "__main__":
    main()

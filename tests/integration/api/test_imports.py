"""Imports over HTTP on both databases, with the job host firing the runs: upload, mapping,
dry run with its report (JSON and CSV, zh and en), fixing the file, commit, idempotent
re-runs, the all-or-nothing choice, saved mappings, cancel, exports that import back."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import httpx
import openpyxl

from tests.imports_data import CUSTOM_FIELDS, build, write_csv, write_xlsx
from tests.integration.api.conftest import Api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _settled(
    client: httpx.AsyncClient, import_id: str, timeout: float = 60
) -> dict[str, Any]:
    """The import once its run ended (the job host fires it)."""
    async with asyncio.timeout(timeout):
        while True:
            row = (await client.get(f"/api/v1/imports/{import_id}")).json()
            if row["status"] not in {"checking", "importing"}:
                return row  # type: ignore[no-any-return]
            await asyncio.sleep(0.05)


async def _admin_with_fields(api: Api) -> httpx.AsyncClient:
    await api.services.start_jobs()
    admin = await api.login("admin")
    for position, field in enumerate(CUSTOM_FIELDS):
        r = await admin.post("/api/v1/custom-fields", json={**field, "position": position})
        assert r.status_code == 201, r.text
    return admin


async def _upload(client: httpx.AsyncClient, path: Path, **data: str) -> dict[str, Any]:
    with path.open("rb") as f:
        r = await client.post("/api/v1/imports", files={"file": (path.name, f)}, data=data)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_upload_check_report_commit_and_run_again(api: Api, tmp_path: Path) -> None:
    admin = await _admin_with_fields(api)
    data = build(400, bad=22, duplicates=12)
    path = tmp_path / "客户.xlsx"
    write_xlsx(data, path)
    created = await _upload(admin, path)
    assert created["status"] == "uploaded"
    assert created["mapping"]["5"] == "custom.birthday"
    assert created["sample"][0]["row"] == 4

    r = await admin.post(f"/api/v1/imports/{created['id']}/check")
    assert r.status_code == 202, r.text
    checked = await _settled(admin, created["id"])
    assert checked["status"] == "checked", checked
    expected = data.expected_counts()
    assert checked["counts"] == expected
    assert checked["progress"]["percent"] == 100.0

    page = (await admin.get(f"/api/v1/imports/{created['id']}/problems?limit=500")).json()
    assert {(p["row"], p["code"]) for p in page["items"]} == {
        (row, code) for row, (code, _) in data.bad.items()
    }
    shortened = next(p for p in page["items"] if p["code"] == "phone.shortened")
    assert shortened["value"] == "1.37000E+10"
    assert "科学计数法" in shortened["reason"]  # admin's language: zh-CN
    assert "scientific notation" in shortened["reason_en"]
    english = (await admin.get(f"/api/v1/imports/{created['id']}/problems?lang=en")).json()
    assert english["items"][0]["reason"] == english["items"][0]["reason_en"]

    r = await admin.get(f"/api/v1/imports/{created['id']}/problems.csv")
    assert r.status_code == 200
    assert r.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert lines[0] == ["行", "列", "值", "原因", "reason", "代码"]
    assert len(lines) == 1 + len(data.bad)

    r = await admin.post(f"/api/v1/imports/{created['id']}/commit")
    assert r.status_code == 202, r.text
    done = await _settled(admin, created["id"])
    assert done["status"] == "done", done
    assert done["counts"] == expected
    customers = (await admin.get("/api/v1/customers?limit=1")).json()
    assert customers["total"] == expected["new"] + 12  # the demo's dozen were there before
    audit = (await admin.get("/api/v1/audit?entity=customers")).json()["items"]
    assert audit[0]["action"] == "import"
    assert audit[0]["entity_id"] == created["id"]
    events = (await admin.get("/api/v1/events?limit=500")).json()["items"]
    assert [e["payload"]["new"] for e in events if e["type"] == "import.committed"] == [
        expected["new"]
    ]

    # The same file again: every record is there already — nothing new, nothing changed.
    again = await _upload(admin, path)
    await admin.post(f"/api/v1/imports/{again['id']}/commit")
    rerun = await _settled(admin, again["id"])
    assert rerun["counts"]["new"] == 0
    assert rerun["counts"]["unchanged"] == expected["new"]
    assert (await admin.get("/api/v1/customers?limit=1")).json()["total"] == customers["total"]
    listed = (await admin.get("/api/v1/imports")).json()
    assert [i["id"] for i in listed["items"]] == [again["id"], created["id"]]
    await admin.aclose()


async def test_fix_the_file_then_import_all_or_nothing(api: Api, tmp_path: Path) -> None:
    admin = await _admin_with_fields(api)
    bad = build(120, bad=11, typed=False)
    path = tmp_path / "list.csv"
    write_csv(bad, path, encoding="gbk")
    created = await _upload(admin, path)
    r = await admin.put(f"/api/v1/imports/{created['id']}", json={"on_errors": "abort"})
    assert r.json()["on_errors"] == "abort"
    await admin.post(f"/api/v1/imports/{created['id']}/commit")
    refused = await _settled(admin, created["id"])
    assert refused["status"] == "failed"
    assert refused["error_code"] == "import.invalid_rows"
    assert refused["counts"]["invalid"] == 11
    assert (await admin.get("/api/v1/customers?limit=1")).json()["total"] == 12  # nothing

    fixed = build(120, bad=0, typed=False)
    write_csv(fixed, path, encoding="gbk")
    with path.open("rb") as f:
        r = await admin.put(
            f"/api/v1/imports/{created['id']}/file", files={"file": ("list-fixed.csv", f)}
        )
    assert r.status_code == 200, r.text
    replaced = r.json()
    assert replaced["status"] == "uploaded"
    assert replaced["file_name"] == "list-fixed.csv"
    assert replaced["on_errors"] == "abort"
    assert replaced["mapping"] == created["mapping"]
    assert (await admin.get(f"/api/v1/imports/{created['id']}/problems")).json()["total"] == 0
    await admin.post(f"/api/v1/imports/{created['id']}/commit")
    done = await _settled(admin, created["id"])
    assert done["status"] == "done", done
    assert done["counts"]["new"] == 120
    await admin.aclose()


async def test_options_mappings_and_bad_input_are_named(api: Api, tmp_path: Path) -> None:
    admin = await _admin_with_fields(api)
    path = tmp_path / "plain.csv"
    path.write_text("Customer,Mobile,Remark\n王芳,13800138000,hi\n", encoding="utf-8")
    created = await _upload(admin, path)
    assert created["mapping"] == {"0": "name", "1": "phones", "2": "notes"}
    assert created["detected_encoding"] == "utf-8"

    r = await admin.put(f"/api/v1/imports/{created['id']}", json={"mapping": {"0": "nope"}})
    assert r.status_code == 422
    assert r.json()["code"] == "import.mapping.invalid"
    r = await admin.put(f"/api/v1/imports/{created['id']}", json={"mapping": {"1": "phones"}})
    assert r.json()["code"] == "import.mapping.required"  # no column for the name
    r = await admin.put(
        f"/api/v1/imports/{created['id']}",
        json={"mapping": {"0": "name", "1": "phones", "2": ""}, "save_mapping_as": "旧CRM"},
    )
    assert r.status_code == 200, r.text
    assert [c["label"] for c in r.json()["unmapped"]] == ["Remark"]
    saved = (await admin.get("/api/v1/import-mappings?target=customers")).json()["items"]
    assert saved[0]["name"] == "旧CRM"
    assert saved[0]["columns"] == {"customer": "name", "mobile": "phones", "remark": ""}

    # A file with other headers maps by the saved mapping's name.
    other = tmp_path / "other.csv"
    other.write_text("Customer,Mobile,Remark\n李强,13900139000,x\n", encoding="utf-8")
    second = await _upload(admin, other)
    r = await admin.put(f"/api/v1/imports/{second['id']}", json={"mapping_name": "旧crm"})
    assert r.json()["mapping"] == {"0": "name", "1": "phones"}
    r = await admin.put(f"/api/v1/imports/{second['id']}", json={"encoding": "klingon"})
    assert r.status_code == 200
    assert r.json()["file_error"]["code"] == "import.file.encoding"
    r = await admin.put(f"/api/v1/imports/{second['id']}", json={"encoding": None})
    assert r.json()["file_error"] is None

    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with xls.open("rb") as f:
        r = await admin.post("/api/v1/imports", files={"file": ("old.xls", f)})
    assert r.status_code == 422
    assert r.json()["code"] == "import.file.xls"
    r = await admin.delete(f"/api/v1/import-mappings/{saved[0]['id']}")
    assert r.status_code == 204
    r = await admin.delete(f"/api/v1/imports/{second['id']}")
    assert r.status_code == 204
    assert (await admin.get(f"/api/v1/imports/{second['id']}")).status_code == 404
    targets = (await admin.get("/api/v1/import-targets")).json()["items"]
    assert targets[0]["name"] == "customers"
    assert "custom.gender" in {f["name"] for f in targets[0]["fields"]}
    await admin.aclose()


async def test_exports_stream_and_import_back_unchanged(api: Api, tmp_path: Path) -> None:
    admin = await _admin_with_fields(api)
    r = await admin.get("/api/v1/exports?target=customers&format=csv&lang=en")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Name", "Phones", "Emails"]
    assert rows[1][:2] == ["王芳", "+86 138 0013 8001"]
    r = await admin.get("/api/v1/exports?target=customers&format=xlsx")
    assert r.headers["content-type"] == XLSX
    path = tmp_path / "export.xlsx"
    path.write_bytes(r.content)
    book = openpyxl.load_workbook(path, read_only=True)  # holds the file open until closed
    try:
        header = next(book.active.iter_rows(values_only=True))
    finally:
        book.close()
    assert header[:3] == ("客户名称", "电话", "邮箱")
    created = await _upload(admin, path)
    await admin.post(f"/api/v1/imports/{created['id']}/commit")
    done = await _settled(admin, created["id"])
    assert done["counts"]["unchanged"] == 12, done
    assert done["counts"]["new"] == 0
    await admin.aclose()


async def test_cancel_a_run_that_waits_for_its_job(api: Api, tmp_path: Path) -> None:
    # No job host started: the run's job waits, so the cancel finds it pending.
    admin = await api.login("admin")
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机\n王芳,13800138000\n", encoding="utf-8")
    created = await _upload(admin, path)
    r = await admin.post(f"/api/v1/imports/{created['id']}/commit")
    assert r.json()["status"] == "importing"
    await api.services.imports.wait(created["id"])
    r = await admin.post(f"/api/v1/imports/{created['id']}/cancel")
    assert r.status_code == 202
    assert r.json()["status"] == "cancelled"
    r = await admin.post(f"/api/v1/imports/{created['id']}/cancel")
    assert r.status_code == 409
    await admin.aclose()

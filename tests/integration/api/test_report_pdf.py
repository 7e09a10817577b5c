"""The report as PDF (issue 16): headless Chromium prints the report page of the golden day —
Chinese headings in the CJK font, every headline figure, the charts as images — and an agent's
PDF holds only her own figures. Read back with poppler's pdftotext and pdfimages."""

from __future__ import annotations

from pathlib import Path

from hotline.web.report_print import shown
from tests.conftest import require_tool
from tests.integration.api.conftest import Api
from tests.integration.api.test_reports import DAY, _play_the_golden_day
from tests.pdf_reading import pdf_images, pdf_text


async def test_the_daily_report_printed_as_pdf(api: Api, tmp_path: Path) -> None:
    require_tool("chromium")
    admin = await api.login("admin")
    tenant_id = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    who = await _play_the_golden_day(api, tmp_path, tenant_id)

    bundle = (await admin.get("/api/v1/reports/page", params={**DAY, "by": "queue"})).json()
    response = await admin.get(
        "/api/v1/reports/export", params={**DAY, "by": "queue", "format": "pdf", "lang": "zh-CN"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pdf = tmp_path / "daily.pdf"
    pdf.write_bytes(response.content)

    text = pdf_text(pdf)
    for heading in (
        "日报",
        "关键指标",
        "每小时分布",
        "按技能组",
        "来电原因前十",
        "坐席排名",
        "VIP 客户",
    ):
        assert heading in text, heading
    headline = bundle["headline"]
    assert headline["figures"]["offered"] == 43  # the center's day
    for name in bundle["headline_figures"]:
        value = shown(headline["figures"][name], bundle["kinds"][name])
        assert value in text, (name, value)
    assert "未达标" in text
    assert "修改套餐" in text  # the first contact reason
    assert len(pdf_images(pdf)) == 3  # the comparison, hourly and reasons charts, drawn

    english = await admin.get(
        "/api/v1/reports/export", params={**DAY, "by": "queue", "format": "pdf", "lang": "en"}
    )
    pdf = tmp_path / "daily-en.pdf"
    pdf.write_bytes(english.content)
    english_text = pdf_text(pdf)
    assert "Daily report" in english_text
    assert "Key figures" in english_text
    await admin.aclose()

    agent = await api.login("agent1")
    mine = await agent.get("/api/v1/reports/export", params={**DAY, "format": "pdf"})
    assert mine.status_code == 200, mine.text
    pdf = tmp_path / "mine.pdf"
    pdf.write_bytes(mine.content)
    text = pdf_text(pdf)
    page = (await agent.get("/api/v1/reports/page", params=DAY)).json()
    assert [r["key"] for r in page["summary"]["rows"]] == [who["a1"]]
    assert page["ranking"] is None
    assert page["vip"] is None
    assert page["summary"]["labels"][who["a1"]].split()[-1] in text  # her name (the cell wraps)
    assert "坐席排名" not in text
    assert "VIP 客户" not in text
    await agent.aclose()

"""Files in web chat over the real server (`hotline demo`): the centre's limits set by an
admin, an image from the visitor's widget socket (one binary frame) and a PDF from the agent's
desk (multipart), each fetched only by the conversation's parties — the visitor with the
conversation's token, the agent that took the chat — and served safely (inline only for a
checked image, a download otherwise, sandboxed). Refused files are named in the caller's
language, and nothing is kept for them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from tests.integration.desk.conftest import Desk, Stream, log_in_browser_agent

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def chat_files(tmp_path: Path) -> list[Path]:
    root = tmp_path / "var" / "attachments" / "chat"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_files_go_both_ways_and_only_the_parties_fetch_them(
    chat_server: Desk, tmp_path: Path
) -> None:
    desk = chat_server
    admin = desk.login("admin")
    bad = admin.client.put("/api/v1/chat/settings", json={"file_types": ["png"]})
    assert bad.status_code == 422, bad.text
    assert bad.json()["details"]["field"] == "file_types"
    limits = {"file_max_mb": 1, "file_types": ["image/png", "application/pdf"]}
    saved = admin.client.put("/api/v1/chat/settings", json=limits)
    assert saved.status_code == 200, saved.text
    assert admin.get("/api/v1/chat/settings").json()["settings"]["file_max_mb"] == 1
    agent = desk.login("agent1")
    assert agent.client.put("/api/v1/chat/settings", json=limits).status_code == 403

    async with desk.browser_phone("agent1", 440.0):
        log_in_browser_agent(desk)
        async with connect(desk.ws + "/api/v1/chat/visitor?center=demo") as ws:
            visitor = Stream(ws)
            await ws.send(json.dumps({"type": "hello", "language": "zh-CN", "name": "王芳"}))
            welcome = await visitor.next("welcome")
            assert welcome["files"] == {"max_bytes": 1 << 20, "types": limits["file_types"]}
            conversation = welcome["conversation"]
            start = {"type": "file", "client_id": "f-1", "name": "快递单.png",
                     "content_type": "image/png", "size": len(PNG)}  # fmt: skip
            await ws.send(json.dumps(start))
            await ws.send(PNG)
            shown = await visitor.next("message", lambda m: m.get("attachment") is not None)
            await visitor.next("ack", lambda a: a["client_id"] == "f-1")
            image = shown["attachment"]
            assert (image["name"], image["content_type"]) == ("快递单.png", "image/png")

            lie = b"<html><script>alert(1)</script></html>"
            start = {**start, "client_id": "f-2", "name": "x.png", "size": len(lie)}
            await ws.send(json.dumps(start))
            await ws.send(lie)
            refused = await visitor.next("error")
            assert (refused["code"], refused["field"]) == ("chat.file.type", "file")
            assert len(chat_files(tmp_path)) == 1

            await desk.until(
                lambda: agent.post(f"/api/v1/chat/conversations/{conversation}/accept").is_success
            )
            files = f"/api/v1/chat/conversations/{conversation}/files"
            got = agent.get(f"{files}/{image['id']}")
            assert got.status_code == 200, got.text
            assert got.content == PNG
            assert got.headers["content-type"] == "image/png"
            assert got.headers["content-disposition"].startswith("inline")
            assert "sandbox" in got.headers["content-security-policy"]
            assert desk.login("agent2").get(f"{files}/{image['id']}").status_code == 404

            sent = agent.client.post(
                files,
                data={"client_id": "d-1"},
                files={"file": ("发票.pdf", b"%PDF-1.7 invoice", "application/pdf")},
            )
            assert sent.status_code == 200, sent.text
            pdf = (await visitor.next("message", lambda m: m["sender"] == "agent"))["attachment"]
            assert pdf["name"] == "发票.pdf"
            exe = agent.client.post(
                files,
                data={"client_id": "d-2"},
                files={"file": ("setup.exe", b"MZ\x90\x00", "application/x-msdownload")},
            )
            assert exe.status_code == 422
            assert exe.json()["code"] == "chat.file.type"
            assert exe.json()["message"] == "本会话不能发送此类文件。"  # agent1 works in zh-CN
            assert len(chat_files(tmp_path)) == 2

            token = welcome["token"]
            mine = f"/api/v1/chat/visitor/files/{pdf['id']}?center=demo&conversation={conversation}"
            async with httpx.AsyncClient(base_url=desk.server.url) as stranger:
                fetched = await stranger.get(f"{mine}&token={token}")
                forged = await stranger.get(f"{mine}&token={'0' * 40}")
            assert fetched.status_code == 200, fetched.text
            assert fetched.content == b"%PDF-1.7 invoice"
            assert fetched.headers["content-type"] == "application/octet-stream"
            assert fetched.headers["content-disposition"].startswith("attachment")
            assert forged.status_code == 404

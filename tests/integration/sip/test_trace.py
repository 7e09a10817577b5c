"""The server writes the JSON-lines trace stream and `hotline sip trace` shows it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hotline.cli import app
from hotline.sip.transport.trace_file import JsonLinesTrace
from tests.integration.sip.peers import hotline


async def test_service_trace_file_and_ladder(tmp_path: Path) -> None:
    path = tmp_path / "sip-trace.jsonl"
    async with hotline(None) as (server, _), hotline(None) as (client, _):
        server.observer = JsonLinesTrace(path)
        response = await client.options(server.local["udp"])
        assert response.status == 200
        server.observer.close()
    result = CliRunner().invoke(app, ["sip", "trace", str(path), "--width", "120"])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 2
    assert "OPTIONS sip:" in lines[0]
    assert "200 OK" in lines[1]

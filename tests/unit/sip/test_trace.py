"""Trace records, the ladder formatter and the `hotline sip trace` command on a file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hotline.cli import app
from hotline.sip.trace import LadderFormatter, TraceRecord, summarize
from tests.unit.sip.messages import request, response

INVITE = request("INVITE", call_id="ladder-1")
RINGING = response(INVITE, 180)


LOCAL = "127.0.0.1:5060"
PEER = "127.0.0.1:5070"


def records() -> list[TraceRecord]:
    options = bytes(request("OPTIONS", call_id="other"))
    return [
        TraceRecord(1_790_000_000.125, "in", "udp", LOCAL, PEER, bytes(INVITE)),
        TraceRecord(1_790_000_000.130, "out", "udp", LOCAL, PEER, bytes(RINGING)),
        TraceRecord(1_790_000_001.0, "in", "tcp", LOCAL, "127.0.0.1:6000", options),
    ]


def test_json_round_trip() -> None:
    for record in records():
        again = TraceRecord.from_json(record.to_json())
        assert again == record


def test_summaries_and_ladder() -> None:
    first, second, _ = records()
    assert summarize(first) == "INVITE sip:agent@127.0.0.1:5060"
    assert summarize(second) == "180 Ringing"
    fmt = LadderFormatter(width=100, call_id="ladder-1")
    lines = fmt.format_all(records())
    assert len(lines) == 2
    assert "INVITE sip:agent@127.0.0.1:5060" in lines[0]
    assert lines[0].index("INVITE") < lines[0].index("▶") < lines[0].index("hotline")
    assert lines[1].index("◀") < lines[1].index("180 Ringing")
    assert "[ladder-1 1 INVITE]" in lines[0]


def test_cli_trace_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    path.write_text("\n".join(r.to_json() for r in records()) + "\nnot json\n")
    runner = CliRunner()
    result = runner.invoke(app, ["sip", "trace", str(path), "--call-id", "ladder-1", "--full"])
    assert result.exit_code == 0, result.output
    assert "INVITE sip:agent@127.0.0.1:5060" in result.output
    assert "180 Ringing" in result.output
    assert "OPTIONS" not in result.output
    assert "Call-ID: ladder-1" in result.output  # --full prints the message
    assert "skipped a line" in result.output


def test_cli_trace_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sip", "trace", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_sdes_keys_are_redacted_from_traces() -> None:
    from hotline.sip.trace import redact_keys

    sdp = (
        b"m=audio 4000 RTP/SAVP 0\r\n"
        b"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:TdRP2RvloBS8fE1Zgtxq33KZemxuRm9JYDMHfEYw\r\n"
        b"a=sendrecv\r\n"
    )
    redacted = redact_keys(sdp)
    assert b"TdRP2Rv" not in redacted
    assert b"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:****\r\n" in redacted
    assert redact_keys(b"OPTIONS sip:a SIP/2.0\r\n") == b"OPTIONS sip:a SIP/2.0\r\n"

"""One load step: sipp's caller scenario at a rate, its results read from sipp's own files.

The scenario is sipp's built-in uac with two differences: the caller's number comes from a
CSV file (`-inf`), so callers can be the center's customers, and a `503` (the server shedding
load) or a `500` ends the call on its own branch, counted apart from the calls that failed
(`-trace_counts`). The set-up time is INVITE sent → 200 OK received (`-trace_rtt`, ms).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SCENARIO", "SippTarget", "StepCounts", "percentile", "run_step", "sipp_available"]

SCENARIO = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="hotline loadtest caller">
  <send retrans="500" start_rtd="setup">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Subject: Hotline load test
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 0
      a=rtpmap:8 PCMA/8000
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="503" optional="true" next="shed"/>
  <recv response="500" optional="true" next="error"/>
  <recv response="200" rtd="setup" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true" next="done"/>
  <label id="shed"/>
  <send next="done">
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <label id="error"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <label id="done"/>
  <nop/>
  <ResponseTimeRepartition value="10, 20, 50, 100, 200, 500, 1000"/>
</scenario>
"""

# Scenario lines whose `_Recv` column counts the 503s and the 500s (see `-trace_counts`).
_SHED_COLUMN = "4_503_Recv"
_ERROR_COLUMN = "5_500_Recv"


def sipp_available() -> bool:
    return shutil.which("sipp") is not None


@dataclass(frozen=True, slots=True)
class SippTarget:
    """Where the calls go: the server's SIP address and the number dialled."""

    host: str
    port: int
    did: str
    transport: str = "udp"
    local_ip: str = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class StepCounts:
    """What sipp saw in one step."""

    calls: int  # calls sipp was asked to place
    answered: int  # 200 OK, held and hung up cleanly
    shed: int  # answered 503 (Retry-After)
    errors: int  # answered 500
    failed: int  # timed out, unexpected answers, never finished
    setup_ms: tuple[float, ...]  # INVITE → 200 OK of each answered call
    elapsed_s: float


def percentile(values: tuple[float, ...] | list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, int(q) - 1))]


def _last_row(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    if len(lines) < 2:
        return {}
    return dict(zip(lines[0].split(";"), lines[-1].split(";"), strict=False))


def _int(row: dict[str, str], key: str) -> int:
    try:
        return int(row.get(key, "0") or 0)
    except ValueError:
        return 0


def _setup_times(workdir: Path) -> tuple[float, ...]:
    out: list[float] = []
    for path in workdir.glob("*_rtt.csv"):
        for line in path.read_text().splitlines()[1:]:
            parts = line.split(";")
            if len(parts) >= 2 and parts[1].strip():
                out.append(float(parts[1]))
    return tuple(out)


async def run_step(
    target: SippTarget,
    *,
    rate: float,
    calls: int,
    hold_ms: int,
    limit: int,
    callers: Path,
    workdir: Path,
) -> StepCounts:
    """Place `calls` at `rate`/s, at most `limit` at once, each held `hold_ms`."""
    scenario, callers = _prepare(workdir, callers)
    args = [
        f"{target.host}:{target.port}", "-sf", str(scenario), "-s", target.did,
        "-inf", str(callers), "-i", target.local_ip, "-p", "0", "-mp", "0",
        "-r", f"{rate:g}", "-rp", "1000", "-m", str(calls), "-l", str(limit),
        "-d", str(hold_ms), "-t", "u1" if target.transport == "udp" else "t1",
        "-nostdin", "-trace_stat", "-stf", "stat.csv", "-trace_rtt", "-rtt_freq", "1",
        "-trace_counts", "-timeout", str(int(calls / max(rate, 0.1) + hold_ms / 1000 + 40)),
        "-timeout_error", "-recv_timeout", "32000",
    ]  # fmt: skip
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        "sipp", *args, cwd=workdir,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await proc.wait()
    except asyncio.CancelledError:
        proc.terminate()
        await proc.wait()
        raise
    return _results(workdir, calls, time.perf_counter() - started)


def _prepare(workdir: Path, callers: Path) -> tuple[Path, Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    scenario = workdir / "caller.xml"
    scenario.write_text(SCENARIO)
    return scenario, callers.absolute()


def _results(workdir: Path, calls: int, elapsed: float) -> StepCounts:
    stats = _last_row(workdir / "stat.csv")
    counts: dict[str, str] = {}
    for path in workdir.glob("*_counts.csv"):
        counts = _last_row(path)
    successful = _int(stats, "SuccessfulCall(C)")
    failed = _int(stats, "FailedCall(C)")
    shed = _int(counts, _SHED_COLUMN)
    errors = _int(counts, _ERROR_COLUMN)
    answered = max(0, successful - shed - errors)
    failed += max(0, calls - successful - failed)  # calls sipp never finished count as failed
    return StepCounts(
        calls=calls,
        answered=answered,
        shed=shed,
        errors=errors,
        failed=failed,
        setup_ms=_setup_times(workdir),
        elapsed_s=elapsed,
    )

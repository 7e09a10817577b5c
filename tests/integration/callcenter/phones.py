"""baresip 1.0 as the callers' and agents' phones (../shared/notes/sip-test-peers.md), and
sipp callers that press RFC 2833 keys from sipp's bundled pcaps.

Each baresip plays its own tone WAV (`tests/data/callcenter/tones.py`) and, through the
`sndfile` module, writes what it hears to `dump-…-dec.wav` in its own folder; `heard()` reads
the newest one. Agents register with digest auth and answer automatically (or not, for RONA).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

from hotline.media.wav import read_wav
from tests.conftest import require_tool
from tests.data.callcenter.tones import write_tone
from tests.integration.sip.baresip import Baresip
from tests.integration.sip.peers import free_port

SIPP_PCAPS = Path("/usr/share/sip-tester")


class Phone(Baresip):
    folder: Path

    async def dial(self, uri: str) -> None:
        await self.command("dial", uri)

    async def keys(self, digits: str) -> None:
        await self.command("sndcode", digits)

    async def transfer(self, uri: str) -> None:
        await self.command("transfer", uri)

    async def hangup(self) -> None:
        await self.command("hangup")

    async def set_answer_mode(self, mode: str) -> None:
        await self.command("answermode", mode)

    def dumps(self) -> list[Path]:
        return sorted(self.folder.glob("dump-*-dec.wav"), key=lambda p: p.stat().st_mtime)

    def heard(self, index: int = -1) -> tuple[np.ndarray, int]:
        """What the phone heard on one of its calls (default: the latest), and its rate."""
        dumps = self.dumps()
        assert dumps, f"no recording in {self.folder}"
        audio = read_wav(dumps[index])
        samples: np.ndarray = audio.samples[:, 0]
        return samples, audio.rate


@contextlib.asynccontextmanager
async def baresip_phone(
    tmp: Path,
    name: str,
    *,
    user: str,
    server_port: int,
    tone_hz: float,
    password: str | None = None,
    answer: str = "auto",
    sip_port: int | None = None,
    display: str | None = None,
    transport: str = "udp",
    mediaenc: str | None = None,
    cafile: Path | None = None,
    domain: str | None = None,
    regint: int = 60,
    source: Path | None = None,
) -> AsyncIterator[Phone]:
    """A baresip at `sip:user@127.0.0.1:server_port`: registered with `password` (an agent),
    or unregistered (a caller; its calls come in through the test trunk). `display` is the
    name its From header shows (a customer's name). With `domain` its address is
    `sip:user@domain` (a tenant's SIP domain), reached through the server as outbound proxy.
    `regint` is the registration's lifetime in seconds: a test that stops and starts the server
    asks for one that outlives the stops (a refresh sent while the server is down fails and is
    retried only half a minute later). `source` replaces the tone with a recording."""
    exe = require_tool("baresip")
    folder = tmp / name
    conf = folder / "home" / ".baresip"
    conf.mkdir(parents=True)
    # what the phone sends: a tone, or a given 8 kHz WAV (a caller's recorded words)
    wav = source or write_tone(folder / "source.wav", tone_hz)
    port, ctrl = sip_port or free_port(), free_port()
    rtp = free_port()
    rtp -= rtp % 2
    # srtp before account: the accounts' mediaenc= is looked up when they are read.
    srtp = ["srtp"] if mediaenc else []
    modules = ["g711", "aufile", "aubridge", "sndfile", *srtp, "account", "menu", "ctrl_tcp"]
    lines = [
        "poll_method epoll",
        f"sip_listen 127.0.0.1:{port}",
        f"audio_source aufile,{wav}",
        "audio_player aubridge,null",
        "audio_alert aubridge,null",
        f"rtp_ports {rtp}-{rtp + 19}",
        f"snd_path {folder}",
        "module_path /usr/lib/baresip/modules",
        *[f"module {m}.so" for m in modules],
        f"ctrl_tcp_listen 127.0.0.1:{ctrl}",
        *([f"sip_cafile {cafile}"] if cafile else []),
    ]
    (conf / "config").write_text("\n".join(lines) + "\n")
    params = [f"answermode={answer}", "audio_codecs=PCMU,PCMA"]
    if mediaenc:
        params.append(f"mediaenc={mediaenc}")
    if password is not None:
        params = [f"auth_pass={password}", f"regint={regint}", *params]
    else:
        params = ["regint=0", *params]
    name = f'"{display}" ' if display else ""
    uri = f"sip:{user}@127.0.0.1:{server_port};transport={transport}"
    if domain is not None:
        uri = f"sip:{user}@{domain};transport={transport}"
        params.append(f'outbound="sip:127.0.0.1:{server_port};transport={transport}"')
    account = f"{name}<{uri}>;" + ";".join(params)
    (conf / "accounts").write_text(account + "\n")
    (conf / "contacts").write_text("")
    env = dict(os.environ, HOME=str(folder / "home"))
    log = (folder / "baresip.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        exe,
        "-f",
        str(conf),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=str(folder),
    )
    log.close()
    reader = writer = None
    for _ in range(100):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", ctrl)
            break
        except OSError:
            await asyncio.sleep(0.1)
    if reader is None or writer is None:
        proc.kill()
        await proc.wait()
        raise RuntimeError(f"baresip {name} did not open its control port")
    phone = Phone(proc, reader, writer, port)
    phone.folder = folder
    try:
        yield phone
    finally:
        await phone.close()


def caller_scenario(
    path: Path, number: str, *, key: str = "2", stay_s: float = 20.0, did: str = "4001"
) -> Path:
    """A sipp caller: INVITE `did` as `number`, wait for the greeting to start, press `key`
    with an RFC 2833 pcap, stay `stay_s` seconds, hang up."""
    pcap = SIPP_PCAPS / f"dtmf_2833_{key}.pcap"
    stay_ms = int(stay_s * 1000)
    path.write_text(f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="caller {number} presses {key}">
  <send retrans="500"><![CDATA[

      INVITE sip:{did}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{number}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:{did}@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:{number}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[

      ACK sip:{did}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{number}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:{did}@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <pause milliseconds="1000"/>
  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>
  <pause milliseconds="{stay_ms}"/>
  <send retrans="500"><![CDATA[

      BYE sip:{did}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{number}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:{did}@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
""")
    return path


@contextlib.asynccontextmanager
async def sipp_caller(
    tmp: Path,
    number: str,
    server_port: int,
    sip_port: int,
    *,
    stay_s: float = 20.0,
    did: str = "4001",
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run one sipp call in the background; it is stopped when the block ends."""
    sipp = require_tool("sipp")
    folder = tmp / f"sipp-{number}"
    folder.mkdir()
    scenario = caller_scenario(folder / "caller.xml", number, stay_s=stay_s, did=did)
    media = free_port()
    media -= media % 2
    proc = await asyncio.create_subprocess_exec(
        sipp,
        "-sf",
        str(scenario),
        f"127.0.0.1:{server_port}",
        "-i",
        "127.0.0.1",
        "-p",
        str(sip_port),
        "-mp",
        str(media),
        "-m",
        "1",
        "-nostdin",
        "-timeout",
        "60s",
        "-timeout_error",
        cwd=str(folder),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()

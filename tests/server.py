"""A real `hotline` server process on ephemeral ports, for tests that kill, signal or browse it."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from tests import templates
from tests.ports import free_port

PASSWORD = "demo-password-1"
# A new connection per request: a kept-alive one that the server closes after its idle timeout
# can be reset under the next request when both happen at once (a busy machine hits it).
FRESH_CONNECTIONS = httpx.Limits(max_keepalive_connections=0)


class ServerProcess:
    """`hotline demo`/`serve` as a child process; output goes to a log file for diagnosis."""

    def __init__(self, var_dir: Path, database_url: str, **env: str) -> None:
        self.var_dir = var_dir
        self.port = free_port()
        sip_port = free_port(socket.SOCK_DGRAM)
        self.sip_port = sip_port
        # 10000–19599: below a demo's 20000–29999 and below the kernel's ephemeral ports.
        rtp_base = 10_000 + 800 * secrets.randbelow(12)
        self.env = {
            **os.environ,
            "HOTLINE_DATABASE_URL": database_url,
            "HOTLINE_VAR_DIR": str(var_dir),
            "HOTLINE_HTTP__PORT": str(self.port),
            "HOTLINE_SIP__UDP_PORT": str(sip_port),
            "HOTLINE_SIP__TCP_PORT": str(sip_port),
            # Its own RTP range, so servers started by parallel runs never share ports.
            "HOTLINE_MEDIA__RTP_PORT_MIN": str(rtp_base),
            "HOTLINE_MEDIA__RTP_PORT_MAX": str(rtp_base + 799),
            "HOTLINE_RECORDING__DIRECTORY": str(var_dir / "recordings"),
            "HOTLINE_DEMO_PASSWORD": PASSWORD,
            "HOTLINE_DRAIN_S": "5",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = var_dir / "server.log"
        self.scheme = "http"
        self.clients: list[httpx.Client] = []

    def verify(self) -> ssl.SSLContext | bool:
        cert = self.env.get("HOTLINE_HTTP__TLS_CERT")
        return ssl.create_default_context(cafile=cert) if cert else True

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    # A deadline, not a timing: the server is used as soon as it says it is ready; a machine busy
    # with parallel tests (migrations, seeding, Chromium beside it) may take a minute.
    def start(self, command: str = "demo", timeout: float = 120.0) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self._from_template(command)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hotline.cli", command],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        # One client for all the polls: a new one per poll (`httpx.get`) builds an SSL context
        # each time, 30 ms of CPU, ten times a second for as long as the start takes.
        with httpx.Client(timeout=1, verify=self.verify(), limits=FRESH_CONNECTIONS) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited:\n{self.log_path.read_text()}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/api/v1/ready").status_code == 200:
                        return
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready in {timeout} s:\n{self.log_path.read_text()}")

    def _from_template(self, command: str) -> None:
        """A SQLite database that does not exist yet starts as the run's template (tests/
        templates.py): what this command would make of an empty file, made once per run."""
        url = make_url(self.env["HOTLINE_DATABASE_URL"])
        if url.get_backend_name() != "sqlite" or not url.database:
            return
        db = Path(url.database)
        if command == "demo":
            templates.copy_demo(db, self.env)
        elif command == "serve":
            templates.copy_migrated(db, self.env)

    def kill(self) -> None:
        for client in self.clients:
            client.close()
        self.clients.clear()
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def terminate(self, timeout: float = 20.0) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        self.clients.clear()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def login(self, username: str = "admin") -> httpx.Client:
        client = httpx.Client(
            base_url=self.url, timeout=10, verify=self.verify(), limits=FRESH_CONNECTIONS
        )
        r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        self.clients.append(client)
        r.raise_for_status()
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client

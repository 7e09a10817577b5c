"""A real dovecot IMAP server for one test: its own configuration, mail directory and port on
loopback, started in the foreground (`dovecot -F`) and stopped or restarted by the test."""

from __future__ import annotations

import contextlib
import imaplib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.conftest import require_tool
from tests.ports import free_port

__all__ = ["Dovecot"]

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = hotline-test-{port}
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
last_valid_uid = 0
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def _wait_port(port: int, deadline: float) -> None:
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"dovecot did not listen on {port}")
        time.sleep(0.02)


class Dovecot:
    """`Dovecot(users={"help": "secret"}, tls=(cert, key))` then `start()`, `cleanup()`.

    Its files live in a directory of their own that dovecot's unprivileged processes can
    traverse (pytest's `tmp_path` is private to the user running the tests)."""

    def __init__(self, users: dict[str, str], tls: tuple[Path, Path] | None = None) -> None:
        self.binary = require_tool("dovecot")
        root = Path(tempfile.mkdtemp(prefix="hotline-dovecot-"))
        root.chmod(0o755)
        self.root = root
        self.users = users
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.process: subprocess.Popen[bytes] | None = None
        nobody = 65534
        for sub in ("run", "state", "mail", "home"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("mail", "home"):
            os.chown(root / sub, nobody, nobody) if os.geteuid() == 0 else None
        (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()))
        ssl_files = ""
        if tls:
            ssl_files = f"ssl_cert = <{tls[0]}\nssl_key = <{tls[1]}"
        uid, gid = (nobody, nobody) if os.geteuid() == 0 else (os.getuid(), os.getgid())
        self.config = root / "dovecot.conf"
        self.config.write_text(
            _CONFIG.format(
                root=root,
                port=self.port,
                ssl="yes" if tls else "no",
                ssl_files=ssl_files,
                uid=uid,
                gid=gid,
                plain_port=self.port,
                tls_port=self.tls_port,
            )
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_port(self.port, time.monotonic() + 15)
        except TimeoutError:
            self.stop()
            log = self.root / "dovecot.log"
            raise RuntimeError(log.read_text() if log.exists() else "no log") from None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None
        # the port is free again once nothing listens on it
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind(("127.0.0.1", self.port))
                    return
                except OSError:
                    time.sleep(0.02)

    def restart(self) -> None:
        self.stop()
        self.start()

    def deliver(self, user: str, raw: bytes) -> None:
        """Put one message into the user's INBOX (IMAP APPEND, as a delivery agent would)."""
        with imaplib.IMAP4("127.0.0.1", self.port, timeout=10) as client:
            client.login(user, self.users[user])
            status, _ = client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
            assert status == "OK"
            client.logout()

    def count(self, user: str) -> int:
        with imaplib.IMAP4("127.0.0.1", self.port, timeout=10) as client:
            client.login(user, self.users[user])
            _status, data = client.select("INBOX", readonly=True)
            client.logout()
            return int(data[0] or 0)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

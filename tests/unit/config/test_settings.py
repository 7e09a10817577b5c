from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from hotline.config import Settings


def test_defaults_work_on_a_laptop(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("HOTLINE_DATABASE_URL", "HOTLINE_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    s = Settings.load()
    assert s.database.url == "sqlite+aiosqlite:///var/hotline.db"
    assert (s.http.host, s.http.port, s.sip.udp_port, s.sip.tcp_port) == (
        "127.0.0.1",
        8080,
        5060,
        5060,
    )
    assert (s.media.rtp_port_min, s.media.rtp_port_max) == (20000, 29999)
    assert s.default_language == "zh-CN"


def test_environment_and_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toml = tmp_path / "hotline.toml"
    toml.write_text('[http]\nport = 9090\n[sip]\nrealm = "acme"\n')
    monkeypatch.setenv("HOTLINE_CONFIG", str(toml))
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1/x")
    monkeypatch.setenv("HOTLINE_SIP__UDP_PORT", "5070")
    s = Settings.load()
    assert s.http.port == 9090
    assert s.sip.realm == "acme"
    assert s.sip.udp_port == 5070
    assert s.database.url.startswith("postgresql+asyncpg://")


def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_HTTP__PORT", "99999")
    with pytest.raises(ValidationError, match="port"):
        Settings.load()
    monkeypatch.delenv("HOTLINE_HTTP__PORT")
    monkeypatch.setenv("HOTLINE_HTTP__TLS_CERT", "/x.pem")
    with pytest.raises(ValidationError, match="tls_key"):
        Settings.load()


def test_a_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_CONFIG", "/nowhere/hotline.toml")
    with pytest.raises(FileNotFoundError, match=r"/nowhere/hotline\.toml"):
        Settings.load()

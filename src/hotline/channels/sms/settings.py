"""A center's SMS settings: which provider and how to reach it, its sender ids, its
templates (zh-CN/en) and its opt-out words. Stored as one JSON document per center
(`sms_settings`); validated here so a bad setting names its field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hotline.channels.sms.errors import SmsInvalid
from hotline.channels.sms.optout import DEFAULT_OPT_OUT_WORDS, DEFAULT_RESUME_WORDS
from hotline.channels.sms.templates import LANGUAGES, fields_of
from hotline.vault.secrets import SecretBox

__all__ = [
    "SECRET_FIELDS",
    "HttpProviderConfig",
    "SmppProviderConfig",
    "SmsConfig",
    "open_secrets",
    "parse_config",
    "seal_secrets",
]

SECRET_FIELDS = (("http", "api_key"), ("http", "webhook_secret"), ("smpp", "password"))
"""The settings stored sealed with the center's key (ADR 0184), by section and field."""


def _each_secret(
    doc: Mapping[str, Any], tenant_id: str, change: Callable[[str, str, str], str]
) -> dict[str, Any]:
    out = dict(doc)
    for section, name in SECRET_FIELDS:
        part = out.get(section)
        if isinstance(part, Mapping) and isinstance(part.get(name), str) and part[name]:
            out[section] = {**part, name: change(tenant_id, f"sms.{section}.{name}", part[name])}
    return out


def seal_secrets(doc: Mapping[str, Any], tenant_id: str, box: SecretBox) -> dict[str, Any]:
    """The stored document: the provider's key, webhook secret and password sealed."""
    return _each_secret(doc, tenant_id, box.seal)


def open_secrets(doc: Mapping[str, Any], tenant_id: str, box: SecretBox) -> dict[str, Any]:
    """The stored document with its secrets opened (plain ones from before pass as they are)."""
    return _each_secret(doc, tenant_id, box.open)


class HttpProviderConfig(BaseModel):
    """A gateway with a JSON send API: POST `url` with `Authorization: Bearer <api_key>`;
    its webhooks to us are signed with `webhook_secret` (HMAC-SHA256, docs/sms.md)."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=1000)
    api_key: str = Field(default="", max_length=500)
    webhook_secret: str = Field(min_length=16, max_length=200)
    timeout_s: float = Field(default=10.0, gt=0, le=120)


class SmppProviderConfig(BaseModel):
    """An SMSC reached over SMPP 3.4 as a transceiver."""

    model_config = ConfigDict(extra="forbid")
    host: str = Field(min_length=1, max_length=255)
    port: int = Field(ge=1, le=65535)
    system_id: str = Field(min_length=1, max_length=15)
    password: str = Field(default="", max_length=8)
    system_type: str = Field(default="", max_length=12)
    enquire_link_s: float = Field(default=30.0, gt=0, le=600)
    reconnect_s: float = Field(default=5.0, gt=0, le=600)


class SmsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: Literal["http", "smpp"]
    http: HttpProviderConfig | None = None
    smpp: SmppProviderConfig | None = None
    sender_ids: list[str] = Field(min_length=1, max_length=50)  # the first is the default
    templates: dict[str, dict[str, str]] = Field(default_factory=dict)
    opt_out_words: list[str] = Field(
        default_factory=lambda: list(DEFAULT_OPT_OUT_WORDS), min_length=1, max_length=50
    )
    resume_words: list[str] = Field(
        default_factory=lambda: list(DEFAULT_RESUME_WORDS), max_length=50
    )

    @property
    def default_sender(self) -> str:
        return self.sender_ids[0]


def parse_config(raw: Any) -> SmsConfig:
    """The settings from an API body or the stored document; a bad one raises `SmsInvalid`
    naming its field."""
    try:
        config = SmsConfig.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        if field.startswith("provider"):
            raise SmsInvalid("sms.provider.unknown", field) from None
        if field.startswith("http"):
            raise SmsInvalid("sms.provider.url", field) from None
        if field.startswith("smpp"):
            raise SmsInvalid("sms.provider.smpp", field) from None
        if field.startswith(("opt_out_words", "resume_words")):
            raise SmsInvalid("sms.optout.word", field) from None
        if field.startswith("templates"):
            raise SmsInvalid("sms.template.invalid", field) from None
        raise SmsInvalid("sms.sender.unknown", field) from None
    if config.provider == "http" and (
        config.http is None or not config.http.url.startswith(("http://", "https://"))
    ):
        raise SmsInvalid("sms.provider.url", "http.url")
    if config.provider == "smpp" and config.smpp is None:
        raise SmsInvalid("sms.provider.smpp", "smpp")
    for sender in config.sender_ids:
        if not 1 <= len(sender) <= 20:
            raise SmsInvalid("sms.sender.unknown", "sender_ids", sender=sender)
    for name, texts in config.templates.items():
        for language, text in texts.items():
            if language not in LANGUAGES:
                raise SmsInvalid("sms.language.unknown", f"templates.{name}", language=language)
            fields_of(text)
            if not text.strip():
                raise SmsInvalid("sms.text.empty", f"templates.{name}.{language}")
    for word in [*config.opt_out_words, *config.resume_words]:
        if not 1 <= len(word.strip()) <= 20:
            raise SmsInvalid("sms.optout.word", "opt_out_words", word=word)
    return config

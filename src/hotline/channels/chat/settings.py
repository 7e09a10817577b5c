"""A centre's web chat settings, one JSON document per centre (`chat_settings`): the sites
that may embed the widget, the pre-chat form's fields, the greeting in zh-CN and en, what
files visitors and agents may send (size and types), the department whose tickets take the
messages visitors leave when the chat is offline, the survey asked when a chat ends, and the
secret that signs visitors' identity tokens (stored sealed with the centre's key, ADR 0184;
shown masked). Validated here so a bad setting names its field; read afresh for each new
visitor, so a change applies without a restart (ADR 0194).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from hotline.channels.chat.errors import ChatSettingsInvalid
from hotline.vault.secrets import SecretBox

__all__ = [
    "DEFAULT_FILE_TYPES",
    "INLINE_IMAGE_TYPES",
    "MASK",
    "PRECHAT_FIELDS",
    "ChatConfig",
    "PrechatField",
    "masked",
    "open_config",
    "parse_config",
    "sealed",
]

MASK = "********"
_PURPOSE = "chat.identity_secret"
MIN_SECRET_CHARS = 32

INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
"""The only types shown inline (as an image) on the desk and in the widget; their bytes are
checked against the type on arrival. Everything else is offered as a download."""

DEFAULT_FILE_TYPES = (
    *INLINE_IMAGE_TYPES,
    "application/pdf",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


PrechatField = Literal["hidden", "optional", "required"]
PRECHAT_FIELDS = ("name", "phone", "email")


class ChatConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # the host sites whose pages may open the widget (scheme://host[:port]); empty: any site
    allowed_origins: list[str] = Field(default_factory=list, max_length=50)
    # the pre-chat form: each field hidden, optional or required
    prechat_name: PrechatField = "optional"
    prechat_phone: PrechatField = "optional"
    prechat_email: PrechatField = "optional"
    # shown above the pre-chat form, in the visitor's language ("": none)
    greeting_zh: str = Field(default="", max_length=500)
    greeting_en: str = Field(default="", max_length=500)
    # at most what one WebSocket frame (16 MiB) and the HTTP body limit carry
    file_max_mb: float = Field(default=4.0, gt=0, le=15)
    file_types: list[str] = Field(default_factory=lambda: list(DEFAULT_FILE_TYPES), max_length=50)
    offline_department: str = Field(default="客服部", min_length=1, max_length=64)
    identity_secret: str = Field(default="", max_length=200)  # "": no identity tokens
    # the survey definition the widget asks when a chat ends (ADR 0236)
    survey: str = Field(default="default", pattern=r"^[A-Za-z0-9_.\-]{1,64}$")

    @field_validator("identity_secret")
    @classmethod
    def _secret(cls, value: str) -> str:
        if value and len(value) < MIN_SECRET_CHARS:
            raise PydanticCustomError(
                "chat_secret_short",
                "the identity secret needs at least {min} characters",
                {"min": MIN_SECRET_CHARS},
            )
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for item in value:
            origin = origin_of(item)
            if origin is None:
                raise PydanticCustomError(
                    "chat_origin_invalid",
                    "{value} is not a site address like https://shop.example.cn",
                    {"value": item},
                )
            if origin not in out:
                out.append(origin)
        return out

    @field_validator("greeting_zh", "greeting_en")
    @classmethod
    def _greeting(cls, value: str) -> str:
        return value.strip()

    @field_validator("file_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        out = []
        for item in value:
            kind = item.strip().lower()
            main, _, sub = kind.partition("/")
            if not main or not sub or " " in kind or len(kind) > 127:
                raise PydanticCustomError(
                    "chat_file_type_invalid",
                    "{value} is not a media type like image/png",
                    {"value": item},
                )
            out.append(kind)
        return out

    @property
    def file_max_bytes(self) -> int:
        return int(self.file_max_mb * 1024 * 1024)

    def limits(self) -> dict[str, Any]:
        """What the widget is told in its welcome, to refuse a file before sending it."""
        return {"max_bytes": self.file_max_bytes, "types": self.file_types}

    def allows_origin(self, origin: str | None) -> bool:
        """May a page of `origin` (the socket's Origin header) open the widget? Any may when
        no site is listed; a listed list refuses a socket without an Origin too."""
        if not self.allowed_origins:
            return True
        return origin is not None and origin_of(origin) in self.allowed_origins

    def prechat(self) -> dict[str, PrechatField]:
        return {
            "name": self.prechat_name,
            "phone": self.prechat_phone,
            "email": self.prechat_email,
        }

    def missing_prechat(self, given: Mapping[str, str | None]) -> str | None:
        """The first required pre-chat field the visitor left empty, or None."""
        for field, rule in self.prechat().items():
            if rule == "required" and not (given.get(field) or "").strip():
                return field
        return None

    def greeting(self, language: str) -> str:
        return self.greeting_en if language == "en" else self.greeting_zh

    def visitor_form(self, language: str) -> dict[str, Any]:
        """What the widget draws before a chat: the greeting and the pre-chat fields."""
        return {"greeting": self.greeting(language), "prechat": self.prechat()}


def origin_of(address: str) -> str | None:
    """`https://Shop.example.cn/` → `https://shop.example.cn`; None when not a site address
    (a path, a query or another scheme is not a site)."""
    try:
        parts = urlsplit(address.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def parse_config(raw: Any) -> ChatConfig:
    """The settings from an API body or the stored document (None: the defaults); a bad one
    raises `ChatSettingsInvalid` naming each failing field (`details.errors`, the API's
    validation shape, which the UI says in the user's language)."""
    if raw is None:
        return ChatConfig()
    try:
        return ChatConfig.model_validate(raw)
    except ValidationError as e:
        errors = [
            {
                "field": ".".join(str(p) for p in error["loc"]) or "body",
                "message": error["msg"],
                "type": error["type"],
                "ctx": {
                    k: v
                    for k, v in (error.get("ctx") or {}).items()
                    if isinstance(v, str | int | float)
                },
            }
            for error in e.errors()
        ]
        first = errors[0]
        raise ChatSettingsInvalid(
            str(first["field"]), f"{first['field']}: {first['message']}", errors
        ) from None


def sealed(config: ChatConfig, tenant_id: str, box: SecretBox) -> dict[str, Any]:
    """The document to store: the identity secret sealed."""
    doc = config.model_dump()
    if doc["identity_secret"]:
        doc["identity_secret"] = box.seal(tenant_id, _PURPOSE, doc["identity_secret"])
    return doc


def open_config(doc: Mapping[str, Any] | None, tenant_id: str, box: SecretBox) -> ChatConfig:
    """The stored document read back, its secret opened (None: the defaults)."""
    if doc is not None and doc.get("identity_secret"):
        doc = {**doc, "identity_secret": box.open(tenant_id, _PURPOSE, doc["identity_secret"])}
    return parse_config(doc)


def masked(config: ChatConfig) -> dict[str, Any]:
    """The settings as an admin reads them: the secret never leaves."""
    doc = config.model_dump()
    doc["identity_secret"] = MASK if config.identity_secret else ""
    return doc

"""Files in a chat, both ways: checked against the centre's limits (`ChatConfig`), kept through
the storage interface the mail attachments use (`BlobStore`, key
`chat/<tenant>/<conversation>/<attachment id>`), described in the message as an `Attachment`.

An image is shown inline only when its bytes are one of the four raster formats its type names
(`INLINE_IMAGE_TYPES`); anything else is served as a download (ADR 0233).
"""

from __future__ import annotations

import asyncio
import io
import unicodedata
from collections.abc import Awaitable, Callable
from typing import BinaryIO

from hotline.channels.chat.errors import ChatFileRefused
from hotline.channels.chat.settings import INLINE_IMAGE_TYPES, ChatConfig
from hotline.channels.email.ports import BlobStore
from hotline.channels.text.model import Attachment
from hotline.ids import new_id

__all__ = ["ChatFiles", "accepted_type", "clean_name", "is_inline", "sniff_image"]

MAX_NAME_CHARS = 200

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image(data: bytes) -> str | None:
    """The raster image type the bytes begin with (PNG, JPEG, GIF, WebP), else None."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_inline(attachment: Attachment) -> bool:
    return attachment.content_type in INLINE_IMAGE_TYPES


def clean_name(name: str) -> str:
    """The file's own name without folders or control characters, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().strip(".")
    return kept[:MAX_NAME_CHARS] or "file"


def accepted_type(config: ChatConfig, content_type: str, data: bytes) -> str:
    """The type the file is kept under, or `ChatFileRefused` (empty, too large, a type the
    centre does not take, or an image whose bytes are not the image it claims)."""
    if not data:
        raise ChatFileRefused("chat.file.empty")
    if len(data) > config.file_max_bytes:
        raise ChatFileRefused(
            "chat.file.too_large", size=len(data), max_bytes=config.file_max_bytes
        )
    declared = content_type.split(";", 1)[0].strip().lower() or "application/octet-stream"
    sniffed = sniff_image(data)
    if declared.startswith("image/") and declared in INLINE_IMAGE_TYPES and sniffed != declared:
        # "image/png" that is not a PNG: never shown, never kept
        raise ChatFileRefused("chat.file.type", content_type=declared)
    kind = sniffed if sniffed is not None and declared.startswith("image/") else declared
    if kind not in config.file_types:
        raise ChatFileRefused("chat.file.type", content_type=kind)
    return kind


class ChatFiles:
    def __init__(self, blobs: BlobStore, settings: Callable[[str], Awaitable[ChatConfig]]) -> None:
        self.blobs = blobs
        self._settings = settings

    async def config(self, tenant_id: str) -> ChatConfig:
        return await self._settings(tenant_id)

    @staticmethod
    def key(tenant_id: str, contact_id: str, attachment_id: str) -> str:
        return f"chat/{tenant_id}/{contact_id}/{attachment_id}"

    async def keep(
        self,
        tenant_id: str,
        contact_id: str,
        name: str,
        content_type: str,
        data: bytes,
        *,
        at: float,
    ) -> Attachment:
        """Check the file against the centre's limits and keep it (refused: nothing kept)."""
        config = await self.config(tenant_id)
        kind = accepted_type(config, content_type, data)
        attachment = Attachment(new_id(at), clean_name(name), kind, len(data))
        key = self.key(tenant_id, contact_id, attachment.attachment_id)
        await asyncio.to_thread(self.blobs.write, key, io.BytesIO(data))
        return attachment

    def open(self, tenant_id: str, contact_id: str, attachment: Attachment) -> BinaryIO:
        return self.blobs.open_read(self.key(tenant_id, contact_id, attachment.attachment_id))

"""Sending a stored recording to a browser: through the storage (so a sealed recording is
decrypted as it streams), with `Range` support so the audio player can seek. The route that
checks who may listen calls `recording_response` (api/interactions.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from hotline.directory.errors import EntityNotFound
from hotline.media.storage import RecordingStorage
from hotline.vault.storage import plain_size

__all__ = ["recording_response"]

_CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _chunks(file: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        file.seek(start)
        left = length
        while left > 0:
            block = file.read(min(_CHUNK, left))
            if not block:
                break
            left -= len(block)
            yield block
    finally:
        file.close()


def recording_response(
    request: Request, storage: RecordingStorage, key: str, *, filename: str
) -> Response:
    """The recording at `key` as `audio/wav`, whole or the one byte range asked for;
    `EntityNotFound` when its file is gone (retention)."""
    try:
        file = storage.open_read(key)
    except FileNotFoundError:
        raise EntityNotFound(
            f"recording {key} is no longer stored (retention)", details={"path": key}
        ) from None
    size = plain_size(file)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    start, end, status = 0, size - 1, 200
    asked = _RANGE.match(request.headers.get("range", "").strip())
    if asked and size > 0 and (asked.group(1) or asked.group(2)):
        if asked.group(1):
            start = int(asked.group(1))
            end = min(int(asked.group(2)), size - 1) if asked.group(2) else size - 1
        else:  # the last N bytes
            start = max(0, size - int(asked.group(2)))
        if start >= size or start > end:
            file.close()
            return Response(
                status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"}
            )
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = max(0, end - start + 1)
    headers["Content-Length"] = str(length)
    return StreamingResponse(
        iterate_in_threadpool(_chunks(file, start, length)),
        status_code=status,
        media_type="audio/wav",
        headers=headers,
    )
